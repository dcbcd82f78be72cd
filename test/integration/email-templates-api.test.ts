import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedisUrl } from '../support/redis.js';
import type { HubSpotSandbox } from '../../src/sandbox/hubspot-sandbox.js';
import { deliver } from '../support/hubspot-client.js';
import { expectContractKept, SANDBOX_PORTAL, SANDBOX_TOKEN, startSandbox } from '../support/sandbox.js';
import { startTestApp } from '../support/test-app.js';

let sandbox: HubSpotSandbox;
let app: Awaited<ReturnType<typeof startTestApp>>;
const P = SANDBOX_PORTAL;
beforeAll(async () => {
  sandbox = await startSandbox();
  app = await startTestApp({ REDIS_URL: testRedisUrl(), HUBSPOT_API_BASE_URL: sandbox.url, HUBSPOT_ACCESS_TOKEN: SANDBOX_TOKEN });
});
afterAll(async () => { await app.stop(); expectContractKept(sandbox); await sandbox.stop(); });

const api = (path: string, method = 'GET', body?: unknown) =>
  deliver(app.url!, body, { method, path: `/api/extensions${path}${path.includes('?') ? '&' : '?'}portalId=${P}`, raw: body === undefined ? '' : JSON.stringify(body) });

describe('templates on the settings page', () => {
  it('lists every template in the four languages with the snippets an admin may use', async () => {
    const res = await api('/email/templates?language=it');
    expect((res.body!.templates as unknown[]).length).toBe(20); // 5 templates (welcome, reset, issue report, request received, sign-in code) × 4 languages
    expect(res.body!.snippets).toEqual(expect.arrayContaining([{ name: 'Portal Password', shown: 'Password del Portale', secret: true }, { name: 'Portal Sign-in Code', shown: 'Codice di Accesso del Portale', secret: true }]));
  });

  it('saves an edited template, refuses an unknown snippet by name, and restores the shipped default', async () => {
    const edited = { subject: 'Willkommen, {[Kontakt Vorname]}', text: 'Portal: {[Portal Address]}', html: '<p>Portal: {[Portal Address]}</p>' };
    expect((await api('/email/templates/portal-credentials/de', 'PUT', edited)).body).toMatchObject({ customised: true });
    const bad = await api('/email/templates/portal-credentials/de', 'PUT', { ...edited, text: 'Size: {[Shoe Size]}' });
    expect(bad).toEqual({ status: 400, body: { message: 'text: unknown snippet {[Shoe Size]}', problems: ['text: unknown snippet {[Shoe Size]}'] } });
    const listed = (await api('/email/templates')).body!.templates as { name: string; language: string; subject: string; customised: boolean }[];
    expect(listed.find((t) => t.name === 'portal-credentials' && t.language === 'de')).toMatchObject({ subject: edited.subject, customised: true });
    const restored = await api('/email/templates/portal-credentials/de', 'DELETE');
    expect(restored.body).toMatchObject({ subject: 'Ihr Zugang zu unserem Kundenportal', customised: false });
    expect((await api('/email/templates/portal-credentials/fr', 'DELETE')).body).toEqual({ message: 'language must be one of en, de, it, es' });
  });

  it('previews an unsaved template against a chosen contact, with the password link as a placeholder', async () => {
    const company = sandbox.seed(P, 'companies', { name: 'Acme & Sons' });
    const ada = sandbox.seed(P, 'contacts', { email: 'ada@acme.example', firstname: 'Ada', associatedcompanyid: company.id });
    const res = await api('/email/templates/portal-credentials/en/preview', 'POST', { contactId: ada.id, html: '<p>{[Contact First Name]} at {[Company Name]}: {[Portal Password]}</p>' });
    expect(res.body).toMatchObject({ subject: 'Your access to our customer portal', html: '<p>Ada at Acme &amp; Sons: [one-time set-password link]</p>' });
    expect((await api('/email/templates/portal-credentials/en/preview', 'POST', { contactId: ada.id, subject: '{[Nope]}' })).status).toBe(400);
    // The sign-in code email's preview shows a placeholder, never a code.
    const code = await api('/email/templates/portal-sign-in-code/de/preview', 'POST', { contactId: ada.id });
    expect(code.body).toMatchObject({ subject: 'Ihr Anmeldecode für unser Kundenportal' });
    expect((code.body as { text: string }).text).toContain('[6-digit sign-in code]');
  });

  it('keeps the SMTP password only encrypted, and refuses it when the server has no encryption key', async () => {
    expect(await api('/email/smtp-password', 'PUT', { password: 'x' })).toEqual({ status: 409, body: { message: 'TOKEN_ENCRYPTION_KEY must be set on the server to store an SMTP password encrypted' } });
  });
});
