import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubSpotSandbox } from '../../src/sandbox/hubspot-sandbox.js';
import { createLogger } from '../../src/platform/logger.js';
import { deliver } from '../support/hubspot-client.js';
import { expectContractKept, SANDBOX_PORTAL, SANDBOX_TOKEN, startSandbox } from '../support/sandbox.js';
import { testLog } from '../support/test-log.js';
import { startTestApp } from '../support/test-app.js';

let sandbox: HubSpotSandbox;
let app: Awaited<ReturnType<typeof startTestApp>>;
const logLines: string[] = [];
const P = SANDBOX_PORTAL;
beforeAll(async () => {
  sandbox = await startSandbox();
  app = await startTestApp({ HUBSPOT_API_BASE_URL: sandbox.url, HUBSPOT_ACCESS_TOKEN: SANDBOX_TOKEN, LOG_LEVEL: 'trace' }, { log: createLogger('trace', new Writable({ write(c, _e, done) { logLines.push(String(c)); done(); } })) });
});
afterAll(async () => { await app.stop(); expectContractKept(sandbox); await sandbox.stop(); });

const api = (path: string, method = 'GET', body?: unknown) =>
  deliver(app.url!, body, { method, path: `/api/extensions${path}${path.includes('?') ? '&' : '?'}portalId=${P}`, raw: body === undefined ? '' : JSON.stringify(body) });

// What an admin could type to turn template text into template logic, if any engine read it.
const constructs = [
  ['unescaped output', '\\{{{s0}}}', '<b>{{{s0}}}</b>'],
  ['a partial', '\\{{> x}}', '{{> x}}'],
  ['a loop over the whole context', '\\{{#each @root}}\\{{#each @root}}{{this}}\\{{/each}}\\{{/each}}', '{{#each @root}}'],
  ['logging', '\\{{log "SECRET-IN-LOG" level="error"}}', '{{log "SECRET-IN-LOG"}}'],
  ['a helper lookup', '{{lookup this "constructor"}}', '{{#with (lookup this "constructor")}}{{/with}}'],
] as const;

describe('admin template text is data, never code', () => {
  for (const [what, textBody, htmlBody] of constructs) {
    it(`renders ${what} as the characters the admin typed, in a preview and in a real send`, async () => {
      const ada = sandbox.seed(P, 'contacts', { email: `ada+${what.length}@acme.example`, firstname: '<script>x</script>Ada' });
      const template = { subject: `Hi {[Contact First Name]} ${textBody}`, text: `${textBody} {[Contact First Name]}`, html: `<p>${htmlBody} {[Contact First Name]}</p>` };
      const preview = await api('/email/templates/request-received/en/preview', 'POST', { ...template, contactId: ada.id });
      expect(preview.status).toBe(200);
      expect(preview.body!.text).toBe(`${textBody} <script>x</script>Ada`);

      expect((await api('/email/templates/request-received/en', 'PUT', template)).status).toBe(200);
      await app.email.service.send({ portalId: P, hubspot: app.hubspot, store: app.store, settings: (await app.settings.read(P)).settings, log: testLog } as never, { cause: `inj:${what}`, template: 'request-received', contactId: ada.id });
      const sent = (await app.email.outbox.list(P)).find((m) => m.to === ada.properties.email)!;
      expect(sent.text).toBe(`${textBody} <script>x</script>Ada`);
      // Values are escaped in HTML; the admin's own markup is kept as written.
      expect(sent.html).toBe(`<p>${htmlBody} &lt;script&gt;x&lt;/script&gt;Ada</p>`);
      expect(sent.subject).toBe(`Hi <script>x</script>Ada ${textBody}`);
    });
  }

  it('never wrote template text into the server log', () => {
    expect(logLines.filter((l) => l.includes('SECRET-IN-LOG'))).toEqual([]);
  });
});
