import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpBrowser } from '../../src/sandbox/http-browser.js';
import { keys } from '../../src/store/keys.js';
import { startTestApp } from '../support/test-app.js';

type App = Awaited<ReturnType<typeof startTestApp>>;
let app: App;
const P = 4242;

beforeAll(async () => {
  app = await startTestApp();
  // Acme, known to the app's domain index as owning ada's domain and one more.
  const acme = { id: '9001', name: 'Analytical Engines', createdAt: '2026-01-01T00:00:00Z' };
  await app.store.set(keys.domainIndex(P), JSON.stringify({ 'acme.example': [acme], 'engines.example': [acme] }));
});
afterAll(async () => { await app.stop(); });

/** A customer invited in a language, on the page behind their set-password link. */
async function onSetPasswordPage(contactId: string, locale: string) {
  const account = { portalId: P, contactId, email: `ada${contactId}@acme.example`, name: 'Ada Lovelace', locale, state: 'invited' as const, grantedAt: new Date().toISOString() };
  await app.portal.accounts.save(account);
  const token = await app.portal.accounts.mintLink(account, 24);
  const b = new HttpBrowser();
  await b.get(`${app.url}/portal/${P}/set-password/${token}`);
  expect(b.status).toBe(200);
  return b;
}

const refusals = {
  en: 'This password is built from your own name, email address or company',
  de: 'Dieses Passwort besteht aus Ihrem Namen, Ihrer E-Mail-Adresse oder Ihrer Firma',
  it: 'Questa password è composta dal tuo nome, dal tuo indirizzo email o dalla tua azienda',
  es: 'Esta contraseña se basa en tu nombre, tu dirección de correo o tu empresa',
};

describe('choosing a password from one\'s own name, address or company', () => {
  let id = 100;
  it.each(Object.entries(refusals))('is refused in %s, naming the words, for each of the five passwords, and nothing is saved', async (locale, text) => {
    for (const password of ['adalovelace1', 'AdaLovelace!', 'Lovelace1815', 'acme.example1', 'adaacmeexample']) {
      const contactId = String(id++);
      const b = await onSetPasswordPage(contactId, locale);
      await b.submit({ password, confirm: password });
      expect(b.status, password).toBe(400);
      expect(b.text()).toContain(text);
      expect((await app.portal.accounts.get(P, contactId))!.passwordHash).toBeUndefined();
    }
  });

  it('is refused for the company\'s name and its other domain, which the address does not show', async () => {
    for (const password of ['AnalyticalEngines1', 'engines.example7']) {
      const b = await onSetPasswordPage(String(id++), 'en');
      await b.submit({ password, confirm: password });
      expect(b.status, password).toBe(400);
      expect(b.text()).toMatch(/built from your own name, email address or company \((analyticalengines|engines\.example)\)/);
    }
  });

  it('takes a strong password that merely holds the name', async () => {
    const contactId = String(id++);
    const b = await onSetPasswordPage(contactId, 'en');
    await b.submit({ password: 'lovelace-kettle-lamp-9Qz', confirm: 'lovelace-kettle-lamp-9Qz' });
    expect(b.status).toBe(200);
    expect(b.text()).toContain('Your password is saved');
    expect((await app.portal.accounts.get(P, contactId))!.state).toBe('active');
  });
});
