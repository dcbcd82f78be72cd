import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/portal/portal-accounts.js';
import { createLogger } from '../../src/platform/logger.js';
import { keys } from '../../src/store/keys.js';
import { startPortalEnv, type PortalEnv } from '../support/portal-env.js';
import { testKeys, testRedis } from '../support/redis.js';

// Kept as a test artifact (not committed): one picture per page and language.
const SHOTS = resolve(import.meta.dirname, '../../test-artifacts/screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PASSWORD = 'correct horse battery staple';

// Every line the app logs during the suite, to prove no secret or link ever reaches a log.
const logLines: string[] = [];
const logSink = new Writable({ write(chunk, _enc, done) { logLines.push(String(chunk)); done(); } });

let env: PortalEnv;
let browser: Browser;
let adaId: string;

async function newPage(locale = 'en-US'): Promise<Page> {
  const context = await browser.newContext({ locale, viewport: { width: 900, height: 760 } });
  return context.newPage();
}
const shot = async (page: Page, name: string) => { await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true }); };

async function newContact(email: string, name: string): Promise<string> {
  env.sandbox.inboundEmail(env.P, { from: email, name, subject: 'Hello', text: 'Hi' });
  await env.settle();
  return env.sandbox.account(env.P).objects.contacts!.all().find((c) => c.properties.email === email)!.id;
}

/** The sign-in page the customer portal sends a visitor to. */
async function openSignIn(page: Page, lang?: string) {
  await page.goto(`${env.sandbox.portal.portalUrl(env.P)}${lang ? `?lang=${lang}` : ''}`);
  await page.waitForURL(/\/portal\/interaction\//);
}
async function signIn(page: Page, email: string, password: string) {
  await page.getByLabel(/Email|E-Mail|Indirizzo email|Correo/).fill(email);
  await page.locator('input[name=password]').fill(password);
  await page.locator('button[type=submit]').click();
  await page.waitForLoadState();
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  env = await startPortalEnv({ runtime: { log: createLogger('debug', logSink) } });
  browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  adaId = await newContact('ada@acme.example', 'Ada Lovelace');
  env.sandbox.createTicket(env.P, { subject: 'Printer on fire' }, adaId);
  env.sandbox.createTicket(env.P, { subject: 'Invoice missing' }, adaId);
  await env.settle();
}, 60_000);
afterAll(async () => { await browser?.close(); await env?.stop(); });

describe('a customer signs in to the HubSpot customer portal through the app (Chromium)', () => {
  it('new sender → credentials email → set password → sign in from the portal → the portal shows their tickets and the ID token carries their email', async () => {
    const link = await env.latestLink('ada@acme.example');
    expect(link).toMatch(/\/portal\/4242\/set-password\/[\w-]{43}$/);
    const page = await newPage();
    await page.goto(link!);
    await expect.poll(() => page.title()).toBe('Choose your password – Customer portal');
    await page.getByLabel('New password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Repeat the new password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Save password' }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Your password is saved');

    await openSignIn(page);
    await signIn(page, 'ada@acme.example', PASSWORD);
    await page.waitForURL(env.sandbox.portal.portalUrl(env.P));
    // The portal found the contact by the ID token's email and shows her tickets.
    expect(await page.locator('#signed-in').textContent()).toBe('Signed in as Ada Lovelace (ada@acme.example)');
    expect(await page.locator('#tickets li').allTextContents()).toEqual(expect.arrayContaining(['Printer on fire', 'Invoice missing']));
    expect(await env.app.portal.accounts.get(env.P, adaId)).toMatchObject({ state: 'active', lastSignInAt: expect.any(String) });
    await page.context().close();
  });

  it('refuses a used link, a superseded link, an expired link and a link of a revoked contact, each with its own page', async () => {
    const page = await newPage();
    // Used: Ada's link from the first test.
    await page.goto((await env.latestLink('ada@acme.example'))!);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('This link was already used');

    const linusId = await newContact('linus@acme.test', 'Linus Torvalds');
    const first = await env.latestLink('linus@acme.test');
    const account = (await env.app.portal.accounts.get(env.P, linusId))!;
    const newer = await env.app.portal.accounts.mintLink(account, 24);
    await page.goto(first!);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('A newer link was sent');
    expect(await page.getByRole('link', { name: 'Ask for a new link' }).count()).toBe(1);

    // Expired: the newest link, its time run out.
    const stored = JSON.parse((await env.app.store.get(keys.portalLink(env.P, hashToken(newer))))!);
    await env.app.store.set(keys.portalLink(env.P, hashToken(newer)), JSON.stringify({ ...stored, exp: Date.now() - 1000 }), 3600);
    await page.goto(`${env.base}/portal/${env.P}/set-password/${newer}`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('This link has expired');

    const hedyId = await newContact('hedy@eu.globex.example', 'Hedy Lamarr');
    const hedyLink = await env.latestLink('hedy@eu.globex.example');
    await env.app.portal.access.revoke({ portalId: env.P, hubspot: env.app.hubspot, store: env.app.store, settings: (await env.app.settings.read(env.P)).settings, log: env.app.log }, hedyId, 'test agent', 'left the company');
    await page.goto(hedyLink!);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('This link is no longer valid');

    await page.goto(`${env.base}/portal/${env.P}/set-password/${'x'.repeat(43)}`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('This link does not work');
    await page.context().close();
  });

  it('refuses a wrong password and a revoked contact with the same message, and stops guessing after five wrong passwords', async () => {
    const page = await newPage();
    await openSignIn(page);
    await signIn(page, 'ada@acme.example', 'wrong password here');
    const refused = await page.getByRole('alert').textContent();
    expect(refused).toContain('The email address or password is not right');
    // Focus and the field are kept for the next try; nothing says whether the address exists.
    expect(await page.getByLabel('Email address').inputValue()).toBe('ada@acme.example');
    await signIn(page, 'nobody@acme.example', 'wrong password here');
    expect(await page.getByRole('alert').textContent()).toBe(refused);

    for (let i = 0; i < 4; i++) await signIn(page, 'ada@acme.example', `wrong password ${i}`);
    await signIn(page, 'ada@acme.example', PASSWORD);
    expect(await page.getByRole('alert').textContent()).toMatch(/Too many sign-in attempts\. Wait \d+ minutes/);
    await shot(page, 'en-signin-limited');
    await page.context().close();
  });

  it('a signed-in contact whose access is revoked is asked to sign in again and cannot', async () => {
    const graceId = await newContact('grace@acme.example', 'Grace Hopper');
    const page = await newPage();
    await page.goto((await env.latestLink('grace@acme.example'))!);
    await page.getByLabel('New password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Repeat the new password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Save password' }).click();
    await openSignIn(page);
    await signIn(page, 'grace@acme.example', PASSWORD);
    await page.waitForURL(env.sandbox.portal.portalUrl(env.P));

    await env.app.portal.access.revoke({ portalId: env.P, hubspot: env.app.hubspot, store: env.app.store, settings: (await env.app.settings.read(env.P)).settings, log: env.app.log }, graceId, 'test agent', 'contract ended');
    // The portal's own session ends; a new sign-in finds the provider's session unusable.
    await page.goto(`${env.sandbox.portal.portalUrl(env.P)}logout`);
    await openSignIn(page);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in');
    await signIn(page, 'grace@acme.example', PASSWORD);
    expect(await page.getByRole('alert').textContent()).toContain('The email address or password is not right');
    await page.context().close();
  });

  it('refuses a client of another HubSpot account and a redirect URI nobody registered', async () => {
    // Account 5151 registers its own portal client; Ada (of 4242) cannot sign in through it.
    env.sandbox.addAccount(5151, 'sandbox-other-token');
    const other = await env.app.portal.clients.save(5151, [`${env.sandbox.url}/_portal/5151/sso/callback`]);
    const page = await newPage();
    const authorize = (clientId: string, redirectUri: string) => `${env.app.portal.issuer}/auth?${new URLSearchParams({
      client_id: clientId, redirect_uri: redirectUri, response_type: 'code', scope: 'openid email', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', state: 'abcdefgh',
    })}`;
    await page.goto(authorize(other.clientId, `${env.sandbox.url}/_portal/5151/sso/callback`));
    await page.waitForURL(/\/portal\/interaction\//);
    await signIn(page, 'ada@acme.example', PASSWORD);
    expect(await page.getByRole('alert').textContent()).toContain('The email address or password is not right');

    await page.goto(authorize(env.client.clientId, 'https://attacker.example/callback'));
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Something went wrong');
    expect(await page.locator('main').textContent()).toContain('the address to return to is not registered for this portal');
    expect(new URL(page.url()).origin).toBe(env.base);
    await page.context().close();
  });

  it('"forgot password" answers an unknown address exactly as a known one, and mails a new link only to the known one', async () => {
    const answers: string[] = [];
    const before = (await env.app.email.outbox.mailbox(env.P)).length;
    for (const email of ['ada@acme.example', 'nobody@nowhere.example']) {
      const page = await newPage();
      await page.goto(`${env.base}/portal/${env.P}/forgot`);
      await page.getByLabel('Email address').fill(email);
      const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Send the link' }).click()]);
      answers.push(`${response.status()} ${(await page.locator('main').innerHTML()).replaceAll(email, '{email}')}`);
      await page.context().close();
    }
    expect(answers[0]).toBe(answers[1]);
    expect(answers[0]).toContain('a link to choose a new password is on its way');
    await env.settle();
    const mails = (await env.app.email.outbox.mailbox(env.P)).slice(0, (await env.app.email.outbox.mailbox(env.P)).length - before);
    expect(mails.map((m) => m.to)).toEqual(['ada@acme.example']);
  });

  for (const [lang, locale] of [['en', 'en-US'], ['de', 'de-DE'], ['it', 'it-IT'], ['es', 'es-ES']] as const) {
    it(`shows every page in ${lang}, with a screenshot of each`, async () => {
      const id = await newContact(`shots-${lang}@acme.example`, `Shots ${lang.toUpperCase()}`);
      const page = await newPage(locale);
      await openSignIn(page, lang);
      expect(await page.locator('html').getAttribute('lang')).toBe(lang);
      await shot(page, `${lang}-signin`);
      await signIn(page, 'nobody@acme.example', 'wrong');
      await shot(page, `${lang}-signin-error`);
      await page.goto(`${env.base}/portal/${env.P}/forgot`);
      await shot(page, `${lang}-forgot`);
      await page.locator('button[type=submit]').click();
      expect(await page.locator('input[name=email]').getAttribute('aria-invalid')).toBe('true');
      await shot(page, `${lang}-forgot-error`);
      await page.locator('input[name=email]').fill(`shots-${lang}@acme.example`);
      await page.locator('button[type=submit]').click();
      await shot(page, `${lang}-forgot-sent`);
      await env.settle();
      const link = await env.latestLink(`shots-${lang}@acme.example`);
      await page.goto(link!);
      expect(await page.locator('html').getAttribute('lang')).toBe(lang);
      await shot(page, `${lang}-set-password`);
      await page.locator('input[name=password]').fill('password123');
      await page.locator('input[name=confirm]').fill('password123');
      await page.locator('button[type=submit]').click();
      expect(await page.locator('input[name=password]').getAttribute('aria-invalid')).toBe('true');
      await shot(page, `${lang}-set-password-weak`);
      // Built from the customer's own name and company domain: refused, with the words named.
      await page.locator('input[name=password]').fill('ShotsAcme2026');
      await page.locator('input[name=confirm]').fill('ShotsAcme2026');
      await page.locator('button[type=submit]').click();
      expect(await page.locator('.field-error, [id$=-error]').first().textContent()).toContain('shots, acme');
      await shot(page, `${lang}-set-password-personal`);
      await page.locator('input[name=password]').fill(`${PASSWORD} ${lang}`);
      await page.locator('input[name=confirm]').fill(`${PASSWORD} ${lang}`);
      await page.locator('button[type=submit]').click();
      await shot(page, `${lang}-set-password-done`);
      await page.goto(link!);
      await shot(page, `${lang}-link-used`);
      await page.goto(`${env.app.portal.issuer}/auth?client_id=${env.client.clientId}&redirect_uri=https://attacker.example/&response_type=code&scope=openid`);
      await shot(page, `${lang}-error`);
      await openSignIn(page, lang);
      await signIn(page, `shots-${lang}@acme.example`, `${PASSWORD} ${lang}`);
      await page.waitForURL(env.sandbox.portal.portalUrl(env.P));
      await page.locator('#sign-out').click();
      await page.waitForURL(/\/oidc\/session\/end/);
      await shot(page, `${lang}-sign-out`);
      await page.locator('button[name=logout]').click();
      await page.waitForLoadState();
      expect(await page.locator('#signed-out').count()).toBe(1);
      expect(await env.app.portal.accounts.get(env.P, id)).toMatchObject({ state: 'active' });
      await page.context().close();
    });
  }

  it('a customer who has access and forgot the password gets the reset email, not the welcome, and the current password works until a new one is set', async () => {
    const email = 'rita@acme.example';
    await newContact(email, 'Rita Reset');
    const welcome = (await env.app.email.outbox.mailbox(env.P)).find((m) => m.to === email)!;
    expect(welcome.text).toContain('you can now follow your requests in our customer portal');
    const page = await newPage();
    await page.goto((await env.latestLink(email))!);
    await page.locator('input[name=password]').fill(`${PASSWORD} rita`);
    await page.locator('input[name=confirm]').fill(`${PASSWORD} rita`);
    await page.locator('button[type=submit]').click();
    await page.waitForLoadState();

    await page.goto(`${env.base}/portal/${env.P}/forgot`);
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await env.settle();
    const reset = (await env.app.email.outbox.mailbox(env.P)).find((m) => m.to === email)!;
    expect(reset.key).not.toBe(welcome.key);
    expect(reset.text).toContain('you already have access to our customer portal');
    expect(reset.text).toContain(`Username: ${email}`);
    expect(reset.text).toContain('your current password keeps working until you do');
    expect(reset.text).not.toContain('you can now follow your requests');
    await page.setContent(reset.html);
    await shot(page, 'en-email-reset');

    // The old password still signs her in; once she uses the link, only the new one does.
    await openSignIn(page);
    await signIn(page, email, `${PASSWORD} rita`);
    await page.waitForURL(env.sandbox.portal.portalUrl(env.P));
    await page.context().clearCookies();
    await page.goto((await env.latestLink(email))!);
    await page.locator('input[name=password]').fill(`${PASSWORD} rita again`);
    await page.locator('input[name=confirm]').fill(`${PASSWORD} rita again`);
    await page.locator('button[type=submit]').click();
    await page.waitForLoadState();
    await openSignIn(page);
    await signIn(page, email, `${PASSWORD} rita`);
    expect(page.url()).toContain('/portal/interaction/');
    await signIn(page, email, `${PASSWORD} rita again`);
    await page.waitForURL(env.sandbox.portal.portalUrl(env.P));
    await page.context().close();
  });

  it('writes the reset email for each language (a screenshot of each)', async () => {
    const { defaultTemplate } = await import('../../src/email/default-templates.js');
    const { renderTemplate } = await import('../../src/email/email-template.js');
    for (const lang of ['de', 'it', 'es'] as const) {
      const rendered = renderTemplate(defaultTemplate('portal-reset', lang), env.app.email.registry, { contact: { firstname: 'Rita', email: 'rita@acme.example' } }, {
        'Portal Address': env.sandbox.portal.portalUrl(env.P), 'Portal Username': 'rita@acme.example', 'Portal Password': `${env.base}/portal/${env.P}/set-password/${'x'.repeat(43)}`,
      });
      expect(rendered.text).toContain('rita@acme.example');
      expect(rendered.text).toContain({ de: 'Sie haben bereits Zugang', it: 'hai già accesso', es: 'ya tienes acceso' }[lang]);
      const page = await newPage();
      await page.setContent(rendered.html);
      await shot(page, `${lang}-email-reset`);
      await page.context().close();
    }
  });

  it('a primary contact sees every ticket of the company in the portal, a colleague only their own (set on the company card)', async () => {
    const { deliver } = await import('../support/hubspot-client.js');
    // Made in HubSpot's UI: the app hears of it and files Globex's senders under it.
    const globex = env.sandbox.createCompany(env.P, { name: 'Globex', domain: 'globex.example' });
    await env.settle();
    const pat = await newContact('pat@globex.example', 'Pat Primary');
    const sam = await newContact('sam@globex.example', 'Sam Colleague');
    env.sandbox.createTicket(env.P, { subject: 'Pat: VPN down' }, pat);
    env.sandbox.createTicket(env.P, { subject: 'Sam: printer jam' }, sam);
    await env.settle();
    const card = (method: string, path: string, body?: unknown) => deliver(env.app.url!, body, { method, path: `/api/extensions${path}?userId=7&portalId=${env.P}&userEmail=agent%40support.example`, raw: body === undefined ? '' : JSON.stringify(body), publicUrl: env.base });
    const listed = await card('GET', `/companies/${globex.id}/primary-contacts`);
    expect(listed.body!.contacts).toEqual([
      { contactId: pat, email: 'pat@globex.example', name: 'Pat Primary', primary: false },
      { contactId: sam, email: 'sam@globex.example', name: 'Sam Colleague', primary: false },
    ]);
    expect((await card('PUT', `/companies/${globex.id}/primary-contacts/${pat}`, { primary: true })).body).toEqual({ contactId: pat, primary: true });
    // Only a contact of the company can be made its primary contact.
    expect((await card('PUT', `/companies/${globex.id}/primary-contacts/${adaId}`, { primary: true })).status).toBe(404);

    const seen: Record<string, string[]> = {};
    for (const [email, password] of [['pat@globex.example', `${PASSWORD} pat`], ['sam@globex.example', `${PASSWORD} sam`]] as const) {
      const page = await newPage();
      await page.goto((await env.latestLink(email))!);
      await page.locator('input[name=password]').fill(password);
      await page.locator('input[name=confirm]').fill(password);
      await page.locator('button[type=submit]').click();
      await page.waitForLoadState();
      await openSignIn(page);
      await signIn(page, email, password);
      await page.waitForURL(env.sandbox.portal.portalUrl(env.P));
      seen[email] = [String(await page.locator('h2').first().textContent()), ...(await page.locator('#tickets li').allTextContents()).sort()];
      await shot(page, `en-portal-${email.split('@')[0]}`);
      await page.context().close();
    }
    expect(seen['pat@globex.example']).toEqual(["Your company's tickets (2)", 'Pat: VPN down', 'Sam: printer jam']);
    expect(seen['sam@globex.example']).toEqual(['Your tickets (1)', 'Sam: printer jam']);
  });

  it('self-registration on a phone, in every language: off it says who gives access; on, a customer company\'s address asks on the sign-in page, chooses a password and is signed in (a screenshot of each page at 360 px)', async () => {
    const initech = env.sandbox.createCompany(env.P, { name: 'Initech', domain: 'initech.example', lifecyclestage: 'customer' });
    await env.settle();
    const phone = async (locale: string) => (await browser.newContext({ locale, viewport: { width: 360, height: 740 } })).newPage();
    const off = await phone('de-DE');
    await off.goto(`${env.base}/portal/${env.P}/register`);
    expect(await off.getByRole('heading', { level: 1 }).textContent()).toBe('Den Zugang vergibt das Support-Team');
    await shot(off, 'de-register-off-360');
    await off.context().close();
    const current = await env.app.settings.read(env.P);
    await env.app.settings.save(env.P, { ...current.settings, portal: { ...current.settings.portal, selfRegistration: true } }, current.version, 'admin');
    for (const [lang, locale, ask] of [['en', 'en-US', 'Request access'], ['de', 'de-DE', 'Zugang anfragen'], ['it', 'it-IT', 'Richiedi l’accesso'], ['es', 'es-ES', 'Solicita acceso']] as const) {
      const email = `self-${lang}@initech.example`;
      const page = await phone(locale);
      await openSignIn(page, lang);
      await shot(page, `${lang}-signin-with-register-360`);
      await page.getByRole('link', { name: new RegExp(ask) }).click();
      expect(await page.locator('html').getAttribute('lang')).toBe(lang);
      // Nothing may stick out sideways on a phone.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      await shot(page, `${lang}-register-360`);
      await page.locator('button[type=submit]').click();
      expect(await page.locator('input[name=email]').getAttribute('aria-invalid')).toBe('true');
      await shot(page, `${lang}-register-error-360`);
      await page.locator('input[name=email]').fill(email);
      await page.locator('button[type=submit]').click();
      expect(await page.locator('main').textContent()).toContain(email);
      await shot(page, `${lang}-register-sent-360`);
      await env.settle();
      await page.goto((await env.latestLink(email))!);
      await page.locator('input[name=password]').fill(`${PASSWORD} ${lang} self`);
      await page.locator('input[name=confirm]').fill(`${PASSWORD} ${lang} self`);
      await page.locator('button[type=submit]').click();
      await page.waitForLoadState();
      await openSignIn(page, lang);
      await signIn(page, email, `${PASSWORD} ${lang} self`);
      await page.waitForURL(env.sandbox.portal.portalUrl(env.P));
      await page.context().close();
    }
    const contact = env.sandbox.account(env.P).objects.contacts!.all().find((c) => c.properties.email === 'self-es@initech.example')!;
    expect(env.sandbox.account(env.P).associationsOf('contacts', contact.id, 'companies').map((a) => a.toObjectId)).toEqual([initech.id]);
  });

  it('sign-in with a code by email on a phone, in every language: the code page, its errors, the code from the email signs in (a screenshot of each page at 360 px)', async () => {
    const current = await env.app.settings.read(env.P);
    await env.app.settings.save(env.P, { ...current.settings, portal: { ...current.settings.portal, emailCode: true } }, current.version, 'admin');
    const phone = async (locale: string) => (await browser.newContext({ locale, viewport: { width: 360, height: 740 } })).newPage();
    const codeOf = async (email: string) => /\b(\d{6})\b/.exec((await env.app.email.outbox.mailbox(env.P)).find((m) => m.to === email && m.template === 'portal-sign-in-code')?.text ?? '')?.[1];
    for (const [lang, locale, link] of [['en', 'en-US', 'Sign in with a code by email instead'], ['de', 'de-DE', 'Stattdessen mit einem Code per E-Mail anmelden'], ['it', 'it-IT', 'Accedi invece con un codice via email'], ['es', 'es-ES', 'Entrar con un código por correo']] as const) {
      // The customers who registered themselves in the test above have an active account.
      const email = `self-${lang}@initech.example`;
      const page = await phone(locale);
      await openSignIn(page, lang);
      await shot(page, `${lang}-signin-with-code-360`);
      await page.getByRole('link', { name: link }).click();
      expect(await page.locator('html').getAttribute('lang')).toBe(lang);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      await shot(page, `${lang}-code-360`);
      await page.locator('button[type=submit]').click();
      expect(await page.locator('input[name=email]').getAttribute('aria-invalid')).toBe('true');
      await shot(page, `${lang}-code-error-360`);
      await page.locator('input[name=email]').fill(email);
      await page.locator('button[type=submit]').click();
      expect(await page.locator('main').textContent()).toContain(email);
      const field = page.locator('input[name=code]');
      expect(await field.getAttribute('autocomplete')).toBe('one-time-code');
      expect(await field.getAttribute('inputmode')).toBe('numeric');
      await shot(page, `${lang}-code-enter-360`);
      await env.settle();
      const code = (await codeOf(email))!;
      expect(code).toMatch(/^\d{6}$/);
      await field.fill(String((Number(code) + 1) % 1_000_000).padStart(6, '0'));
      await page.locator('button[type=submit]').click();
      expect(await page.locator('input[name=code]').getAttribute('aria-invalid')).toBe('true');
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      await shot(page, `${lang}-code-wrong-360`);
      await page.locator('input[name=code]').fill(code);
      await page.locator('button[type=submit]').click();
      await page.waitForURL(env.sandbox.portal.portalUrl(env.P));
      expect(await page.locator('body').textContent()).toContain(email);
      await page.context().close();
    }
    // A code that no longer works (here: its 10 minutes are over, as Redis sees it): what the customer sees.
    const page = await phone('en-US');
    await openSignIn(page, 'en');
    await page.getByRole('link', { name: 'Sign in with a code by email instead' }).click();
    await page.locator('input[name=email]').fill('self-en@initech.example');
    await page.locator('button[type=submit]').click();
    await env.settle();
    const stale = (await codeOf('self-en@initech.example'))!;
    const redis = testRedis();
    for (const key of await testKeys(`portal:{${env.P}}:sign-in-code:*`)) await redis.del(key);
    await redis.quit();
    await page.locator('input[name=code]').fill(stale);
    await page.locator('button[type=submit]').click();
    expect(await page.getByRole('alert').textContent()).toContain('This code has expired or was already used, or it was asked for in another browser.');
    await shot(page, 'en-code-none-360');
    await page.context().close();
  });

  it('never logs a password, a one-time link or its token', async () => {
    const secrets = [PASSWORD, 'wrong password here', '/set-password/'];
    for (const mail of await env.app.email.outbox.mailbox(env.P)) {
      const token = /\/set-password\/([\w-]{43})/.exec(mail.text)?.[1];
      if (token) secrets.push(token);
      const code = mail.template === 'portal-sign-in-code' ? /\b(\d{6})\b/.exec(mail.text)?.[1] : undefined;
      if (code) secrets.push(`"${code}"`, ` ${code} `, `:${code}`);
    }
    expect(logLines.length).toBeGreaterThan(20);
    expect(logLines.filter((line) => secrets.some((s) => line.includes(s))).map((l) => l.slice(0, 600))).toEqual([]);
  });
});
