import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/logger.js';
import { startPortalEnv, type PortalEnv } from '../support/portal-env.js';
import { testKeys } from '../support/redis.js';

// Kept as a test artifact (not committed): one picture per page and language.
const SHOTS = resolve(import.meta.dirname, '../../test-artifacts/screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const logLines: string[] = [];
const logSink = new Writable({ write(chunk, _enc, done) { logLines.push(String(chunk)); done(); } });

let env: PortalEnv;
let browser: Browser;

const LANGS = [
  { lang: 'en', locale: 'en-US', add: 'Add a passkey', signIn: 'Sign in with a passkey', manage: 'Manage your passkeys', go: 'Continue to the portal', later: 'Not now', remove: 'Remove', added: 'Your passkey is added.', removed: 'The passkey is removed.', failed: 'That passkey did not sign you in.' },
  { lang: 'de', locale: 'de-DE', add: 'Passkey hinzufügen', signIn: 'Mit einem Passkey anmelden', manage: 'Ihre Passkeys verwalten', go: 'Weiter zum Portal', later: 'Jetzt nicht', remove: 'Entfernen', added: 'Ihr Passkey ist hinzugefügt.', removed: 'Der Passkey ist entfernt.', failed: 'Mit diesem Passkey hat die Anmeldung nicht geklappt.' },
  { lang: 'it', locale: 'it-IT', add: 'Aggiungi una passkey', signIn: 'Accedi con una passkey', manage: 'Gestisci le tue passkey', go: 'Continua al portale', later: 'Non ora', remove: 'Rimuovi', added: 'La tua passkey è stata aggiunta.', removed: 'La passkey è stata rimossa.', failed: 'Con questa passkey l’accesso non è riuscito.' },
  { lang: 'es', locale: 'es-ES', add: 'Añadir una llave de acceso', signIn: 'Entrar con una llave de acceso', manage: 'Gestionar tus llaves de acceso', go: 'Continuar al portal', later: 'Ahora no', remove: 'Quitar', added: 'Tu llave de acceso está añadida.', removed: 'La llave de acceso está quitada.', failed: 'Esa llave de acceso no te ha dejado entrar.' },
] as const;

const shot = async (page: Page, name: string) => { await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true }); };
const fitsPhone = async (page: Page) => expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

/** A phone whose platform authenticator is Chromium's virtual one (DevTools' WebAuthn domain): a passkey with screen lock. */
async function phone(locale: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale, viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', { options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true } });
  return { context, page };
}

async function openSignIn(page: Page, lang: string) {
  await page.goto(`${env.sandbox.portal.portalUrl(env.P)}?lang=${lang}`);
  await page.waitForURL(/\/portal\/interaction\//);
}

/** A customer with an active account and a password (the credentials email's link, used). */
async function customer(email: string, name: string, password: string): Promise<void> {
  env.sandbox.inboundEmail(env.P, { from: email, name, subject: 'Hello', text: 'Hi' });
  await env.settle();
  const link = await env.latestLink(email);
  const page = await browser.newPage();
  await page.goto(link!);
  await page.locator('input[name=password]').fill(password);
  await page.locator('input[name=confirm]').fill(password);
  await page.locator('button[type=submit]').click();
  await page.waitForLoadState();
  await page.close();
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  env = await startPortalEnv({ host: 'localhost', runtime: { log: createLogger('debug', logSink) } });
  const current = await env.app.settings.read(env.P);
  await env.app.settings.save(env.P, { ...current.settings, portal: { ...current.settings.portal, emailCode: true, passkeys: true } }, current.version, 'admin');
  browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 60_000);
afterAll(async () => { await browser?.close(); await env?.stop(); });

describe('passkeys in the customer portal\'s sign-in (Chromium with a virtual authenticator)', () => {
  for (const t of LANGS) {
    it(`${t.lang}: offered after a password sign-in, added, then signs in alone; listed and removed after a sign-in; a removed one signs in no more and the code by email is still there (screenshots at 360 px)`, async () => {
      const email = `pk-${t.lang}@acme.example`;
      const password = `plum orchard ${t.lang} lantern`;
      await customer(email, `Pat ${t.lang.toUpperCase()}`, password);
      const { context, page } = await phone(t.locale);

      // 1. A password sign-in: the passkey offer comes before the portal.
      await openSignIn(page, t.lang);
      expect(await page.getByRole('button', { name: t.signIn }).isVisible()).toBe(true);
      await shot(page, `${t.lang}-signin-passkey-360`);
      await page.locator('input[name=email]').fill(email);
      await page.locator('input[name=password]').fill(password);
      await page.locator('form button[type=submit]').click();
      await page.waitForURL(/\/passkeys$/);
      expect(await page.locator('html').getAttribute('lang')).toBe(t.lang);
      await fitsPhone(page);
      await shot(page, `${t.lang}-passkeys-offer-360`);
      await page.getByRole('button', { name: t.add }).click();
      await page.waitForURL(/\/passkeys\?added=1$/);
      expect(await page.getByRole('status').textContent()).toContain(t.added);
      expect(await page.locator('.items li').count()).toBe(1);
      await fitsPhone(page);
      await shot(page, `${t.lang}-passkeys-added-360`);
      await page.getByRole('button', { name: t.go }).click();
      await page.waitForURL(env.sandbox.portal.portalUrl(env.P));
      expect(await page.locator('body').textContent()).toContain(email);

      // 2. Signed out of everything (new cookies): the passkey alone signs in, with no offer in between.
      await context.clearCookies();
      await openSignIn(page, t.lang);
      await page.getByRole('button', { name: t.signIn }).click();
      await page.waitForURL(env.sandbox.portal.portalUrl(env.P));
      expect(await page.locator('body').textContent()).toContain(email);

      // 3. "Manage your passkeys": sign in first (here with the passkey), then the list; remove it.
      await context.clearCookies();
      await openSignIn(page, t.lang);
      await page.getByRole('link', { name: t.manage }).click();
      await page.waitForURL(/\/portal\/interaction\/[\w-]+\?passkeys=1$/);
      expect(await page.getByRole('status').isVisible()).toBe(true);
      await shot(page, `${t.lang}-passkeys-manage-first-360`);
      await page.getByRole('button', { name: t.signIn }).click();
      await page.waitForURL(/\/passkeys$/);
      expect(await page.locator('.items li').count()).toBe(1);
      await shot(page, `${t.lang}-passkeys-list-360`);
      await page.getByRole('button', { name: t.remove }).click();
      await page.waitForURL(/\/passkeys\?removed=1$/);
      expect(await page.getByRole('status').textContent()).toContain(t.removed);
      expect(await page.locator('.items li').count()).toBe(0);
      await shot(page, `${t.lang}-passkeys-empty-360`);
      await page.getByRole('button', { name: t.later }).click();
      await page.waitForURL(env.sandbox.portal.portalUrl(env.P));

      // 4. The device still holds the removed passkey: it signs in no more, and the code by email is offered.
      await context.clearCookies();
      await openSignIn(page, t.lang);
      await page.getByRole('button', { name: t.signIn }).click();
      await expect.poll(() => page.locator('#passkey-error').textContent()).toContain(t.failed);
      expect(await page.locator('a[href$="/code"]').isVisible()).toBe(true);
      await fitsPhone(page);
      await shot(page, `${t.lang}-signin-passkey-refused-360`);
      await context.close();
    });
  }

  it('uses a passkey\'s answer once: the same answer posted again is refused, and nothing signs in', async () => {
    const email = 'pk-replay@acme.example';
    await customer(email, 'Rae Play', 'quiet harbour replay lantern');
    const { context, page } = await phone('en-US');
    await openSignIn(page, 'en');
    await page.getByRole('link', { name: 'Manage your passkeys' }).click();
    await page.locator('input[name=email]').fill(email);
    await page.locator('input[name=password]').fill('quiet harbour replay lantern');
    await page.locator('form button[type=submit]').click();
    await page.waitForURL(/\/passkeys$/);
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.waitForURL(/\/passkeys\?added=1$/);
    await page.getByRole('button', { name: 'Continue to the portal' }).click();
    await page.waitForURL(env.sandbox.portal.portalUrl(env.P));

    await context.clearCookies();
    await openSignIn(page, 'en');
    // The browser's answer is caught on its way (as an attacker who copied it would have it) and posted twice.
    let answer = '';
    let url = '';
    await page.route('**/passkey', async (route) => { answer = route.request().postData() ?? ''; url = route.request().url(); await route.abort(); });
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect.poll(() => answer).not.toBe('');
    await page.unroute('**/passkey');
    const first = await context.request.post(url, { headers: { 'content-type': 'application/json' }, data: answer });
    expect(first.status()).toBe(200);
    expect(Object.keys(await first.json() as object)).toEqual(['redirect']);
    const again = await context.request.post(url, { headers: { 'content-type': 'application/json' }, data: answer });
    expect(again.status()).toBe(410);
    expect(await again.json()).toEqual({ message: 'This passkey request has expired. Try again.' });

    // Access revoked (the account disabled): the passkey signs in no more.
    const contactId = (await env.app.portal.accounts.findByLogin(env.P, email))!.contactId;
    await env.app.portal.accounts.update({ ...(await env.app.portal.accounts.get(env.P, contactId))!, state: 'disabled' });
    await context.clearCookies();
    await openSignIn(page, 'en');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect.poll(() => page.locator('#passkey-error').textContent()).toContain('That passkey did not sign you in.');
    expect(page.url()).toMatch(/\/portal\/interaction\//);
    await env.app.portal.accounts.update({ ...(await env.app.portal.accounts.get(env.P, contactId))!, state: 'active' });
    await context.close();
  });

  it('keeps only public keys, erases them with the account, and never logs a passkey\'s answer or its challenge', async () => {
    const account = (await Promise.all(env.sandbox.account(env.P).objects.contacts!.all().map((c) => env.app.portal.accounts.get(env.P, c.id)))).find((a) => a?.email === 'pk-replay@acme.example');
    expect(account?.passkeys).toHaveLength(1);
    expect(Object.keys(account!.passkeys![0]!).sort()).toEqual(['counter', 'createdAt', 'id', 'lastUsedAt', 'publicKey', 'synced', 'transports']);
    // Erasing the contact's account erases its passkeys' index too.
    expect(await testKeys(`portal:{${env.P}}:passkey:*`)).toHaveLength(1);
    await env.app.portal.accounts.remove(env.P, account!.contactId);
    expect(await testKeys(`portal:{${env.P}}:passkey:*`)).toEqual([]);
    const joined = logLines.join('');
    expect(joined).not.toMatch(/clientDataJSON|authenticatorData|attestationObject|"challenge"/);
    expect(joined).toContain('"method":"passkey"');
  });
});
