import { createServer as createNetServer } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultSettings } from '../../src/settings/settings-schema.js';
import { flushTestRedis, testRedisUrl } from '../support/redis.js';
import type { HubSpotSandbox } from '../../src/sandbox/hubspot-sandbox.js';
import { SEND_EMAIL } from '../../src/server/event-handlers.js';
import { TransientError } from '../../src/queue/errors.js';
import { expectContractKept, SANDBOX_PORTAL, SANDBOX_TOKEN, startSandbox } from '../support/sandbox.js';
import { startTestApp } from '../support/test-app.js';
import { testLog } from '../support/test-log.js';
import { accountSetupTasks, provisionAccount } from '../../src/server/provision-account.js';

type App = Awaited<ReturnType<typeof startTestApp>>;
let sandbox: HubSpotSandbox;
let app: App;
const P = SANDBOX_PORTAL;
const link = 'https://portal.acme.example/set-password?token=one-time-s3cr3t';
const extra = { 'Portal Address': 'https://portal.acme.example', 'Portal Username': 'ada@acme.example', 'Portal Password': link };

beforeAll(async () => {
  await flushTestRedis();
  sandbox = await startSandbox({ searchDelayMs: 0 });
  // The test's SMTP server listens on loopback, which admins may not use unless the operator allows it.
  // On Redis, as in production: "once per cause" rests on the store's locks and records.
  app = await startTestApp({ REDIS_URL: testRedisUrl(), HUBSPOT_API_BASE_URL: sandbox.url, HUBSPOT_ACCESS_TOKEN: SANDBOX_TOKEN, TOKEN_ENCRYPTION_KEY: 'ef'.repeat(32), SMTP_ALLOWED_HOSTS: '127.0.0.1' });
});
// Each test starts from the same email settings and language, whatever ran before it.
beforeEach(async () => {
  const current = await app.settings.read(P);
  await app.settings.save(P, { ...current.settings, defaultLanguage: 'en', email: defaultSettings.email }, current.version, 'test');
});
afterAll(async () => { await app.stop(); expectContractKept(sandbox); await sandbox.stop(); });

const acme = () => sandbox.account(P).objects.companies!.all().find((c) => c.properties.name === 'Acme')?.id ?? sandbox.seed(P, 'companies', { name: 'Acme', domain: 'acme.example' }).id;
function contact(props: Record<string, string>) {
  const c = sandbox.seed(P, 'contacts', { associatedcompanyid: acme(), ...props });
  return c.id;
}
const ctx = async () => ({ portalId: P, hubspot: app.hubspot, store: app.store, settings: (await app.settings.read(P)).settings, log: testLog });
async function setEmail(patch: Record<string, unknown>) {
  const current = await app.settings.read(P);
  await app.settings.save(P, { ...current.settings, email: { ...current.settings.email, ...patch } }, current.version, 'test');
}
const job = (id: string, payload: Record<string, string>) => ({ id, event: { eventId: 0, subscriptionId: 0, portalId: P, occurredAt: Date.now(), subscriptionType: SEND_EMAIL, attemptNumber: 0, propertyValue: payload } });

describe('sending email exactly once', () => {
  it('puts one message in the outbox when the same send is asked three times, with the one link that works', async () => {
    await provisionAccount(P, app.hubspot, app.store, accountSetupTasks(app.settings, app.store));
    const current = await app.settings.read(P);
    await app.settings.save(P, { ...current.settings, portal: { ...current.settings.portal, portalUrl: 'https://portal.acme.example' } }, current.version, 'test');
    const ada = contact({ email: 'ada@acme.example', firstname: 'Ada' });
    await app.portal.access.grant(await ctx(), ada, 'test', 'test');
    const payload = { cause: `credentials:${ada}:t1`, template: 'portal-credentials', contactId: ada };
    await app.queue.enqueue([job('a', payload), job('b', payload), job('c', payload)]);
    await app.queue.idle();
    const outbox = (await app.email.outbox.list(P)).filter((m) => m.to === 'ada@acme.example');
    expect(outbox).toHaveLength(1);
    expect(outbox[0]!.subject).toBe('Your access to our customer portal');
    expect(await app.email.service.log(app.store, P, ada)).toMatchObject([{ state: 'sent', transport: 'outbox', to: 'ada@acme.example', language: 'en' }]);
    // Only one link was made: the one in the email is the account's current link.
    expect(outbox[0]!.text).not.toMatch(/set-password/);
    const delivered = (await app.email.outbox.mailbox(P)).filter((m) => m.to === 'ada@acme.example');
    expect(delivered).toHaveLength(1);
    const token = /\/portal\/4242\/set-password\/([\w-]{43})/.exec(delivered[0]!.text)?.[1];
    expect(token).toBeDefined();
    expect(await app.portal.accounts.checkLink(P, token!)).toMatchObject({ ok: true });
  });

  it('makes one single-send call with one sendId through HubSpot, passing the snippets as custom properties', async () => {
    await setEmail({ transport: 'hubspot', hubspotEmailIds: { 'portal-credentials': 4711 } });
    const bob = contact({ email: 'bob@acme.example', firstname: 'Bob' });
    const before = sandbox.callsByRoute()['POST /marketing/v3/transactional/single-email/send'] ?? 0;
    for (let i = 0; i < 3; i++) await app.email.service.send(await ctx(), { cause: `credentials:${bob}`, template: 'portal-credentials', contactId: bob, extra });
    expect((sandbox.callsByRoute()['POST /marketing/v3/transactional/single-email/send'] ?? 0) - before).toBe(1);
    const sends = sandbox.account(P).transactionalSends.filter((s) => s.to === 'bob@acme.example');
    expect(sends).toHaveLength(1);
    expect(sends[0]).toMatchObject({ emailId: 4711, customProperties: { contact_first_name: { value: 'Bob' }, portal_password: { value: link } } });
    expect(sends[0]!.sendId).toMatch(/^[\w-]{32}$/);
    await setEmail({ transport: 'outbox' });
  });

  it('logs the email on the contact\'s timeline without the one-time link', async () => {
    const cy = contact({ email: 'cy@acme.example', firstname: 'Cy' });
    const record = await app.email.service.send(await ctx(), { cause: `credentials:${cy}`, template: 'portal-credentials', contactId: cy, extra });
    const engagement = sandbox.account(P).objects.emails!.get(record.engagementId!)!;
    expect(engagement.properties.hs_email_subject).toBe('Your access to our customer portal');
    expect(JSON.stringify(engagement.properties)).not.toContain('one-time-s3cr3t');
    expect(engagement.properties.hs_email_text).toContain('[removed]');
    expect(sandbox.account(P).associationsOf('emails', record.engagementId!, 'contacts').map((a) => a.toObjectId)).toEqual([cy]);
    expect(JSON.stringify(await app.email.outbox.list(P))).not.toContain('one-time-s3cr3t');
  });

  it.each([
    ['HubSpot made it but its answer was lost', { lostAnswerRate: 1 }],
    ['HubSpot answered 502 (nothing made)', { error5xxRate: 1 }],
    ['the connection dropped before HubSpot got it', { dropRate: 1 }],
  ])('makes exactly one timeline copy when the create is unclear (%s), and sends the email once', async (_what, fault) => {
    const gus = contact({ email: `gus${Object.keys(fault)[0]}@acme.example`, firstname: 'Gus' });
    sandbox.injectFault({ pathPrefix: '/crm/v3/objects/emails', times: 1, ...fault });
    await app.queue.enqueue([job(`copy-${gus}`, { cause: `credentials:${gus}`, template: 'request-received', contactId: gus })]);
    await app.queue.idle();
    const copies = sandbox.account(P).objects.emails!.all().filter((e) => sandbox.account(P).associationsOf('emails', e.id, 'contacts').some((a) => a.toObjectId === gus));
    expect(copies).toHaveLength(1);
    expect((await app.email.outbox.list(P)).filter((m) => m.to === `gus${Object.keys(fault)[0]}@acme.example`.toLowerCase())).toHaveLength(1);
    expect(await app.email.service.log(app.store, P, gus)).toEqual([expect.objectContaining({ state: 'sent', timeline: 'done', engagementId: copies[0]!.id })]);
    expect(await app.deadLetters.list()).toEqual([]);
  });

  it('writes in the contact\'s language, else the account\'s', async () => {
    const dora = contact({ email: 'dora@acme.example', firstname: 'Dora', hs_language: 'de' });
    expect(await app.email.service.send(await ctx(), { cause: `c:${dora}`, template: 'portal-credentials', contactId: dora, extra })).toMatchObject({ language: 'de' });
    const current = await app.settings.read(P);
    await app.settings.save(P, { ...current.settings, defaultLanguage: 'it' }, current.version, 'test');
    const ezio = contact({ email: 'ezio@acme.example', firstname: 'Ezio' });
    expect(await app.email.service.send(await ctx(), { cause: `c:${ezio}`, template: 'portal-credentials', contactId: ezio, extra })).toMatchObject({ language: 'it' });
    const outbox = await app.email.outbox.list(P);
    expect(outbox.find((m) => m.to === 'ezio@acme.example')!.subject).toBe('Il tuo accesso al nostro portale clienti');
  });

  it('sends nothing to an unsubscribed, bounced or no-reply address, and says why', async () => {
    const cases = [
      [{ email: 'gone@acme.example', hs_email_optout: 'true' }, 'the contact unsubscribed from all email'],
      [{ email: 'bounce@acme.example', hs_email_hard_bounce_reason_enum: 'UNKNOWN_USER' }, 'earlier email to bounce@acme.example bounced (UNKNOWN_USER)'],
      [{ email: 'no-reply@acme.example' }, 'no-reply@acme.example is a no-reply address'],
    ] as const;
    for (const [props, reason] of cases) {
      const id = contact(props);
      expect(await app.email.service.send(await ctx(), { cause: `c:${id}`, template: 'portal-credentials', contactId: id })).toMatchObject({ state: 'suppressed', reason });
    }
    expect((await app.email.outbox.list(P)).map((m) => m.to)).not.toContain('gone@acme.example');
  });

  it('stops a loop: no more than the hourly cap per recipient, with the reason recorded', async () => {
    await setEmail({ maxPerRecipientPerHour: 2 });
    const loop = contact({ email: 'loop@acme.example' });
    for (const n of [1, 2]) await app.email.service.send(await ctx(), { cause: `loop:${n}`, template: 'request-received', contactId: loop });
    await expect(app.email.service.send(await ctx(), { cause: 'loop:3', template: 'request-received', contactId: loop })).rejects.toThrow(/more than 2 emails to loop@acme.example in one hour/);
    expect((await app.email.service.log(app.store, P, loop))[0]).toMatchObject({ state: 'failed', reason: expect.stringContaining('possible loop') });
    await setEmail({ maxPerRecipientPerHour: 5 });
  });

  it('counts issue reports to a support contact apart, under their own cap: a busy company\'s sixth ticket in an hour is still reported', async () => {
    const ops = contact({ email: 'ops@acme.example' });
    for (let n = 1; n <= 8; n++) expect(await app.email.service.send(await ctx(), { cause: `report:${n}`, template: 'support-issue-report', contactId: ops })).toMatchObject({ state: 'sent' });
    const current = await app.settings.read(P);
    await app.settings.save(P, { ...current.settings, supportContacts: { ...current.settings.supportContacts, maxReportsPerRecipientPerHour: 8 } }, current.version, 'test');
    await expect(app.email.service.send(await ctx(), { cause: 'report:9', template: 'support-issue-report', contactId: ops })).rejects.toThrow(/more than 8 issue reports to ops@acme.example in one hour/);
    // The customer-email cap is a separate count: the same address may still get its own emails.
    expect(await app.email.service.send(await ctx(), { cause: 'own:1', template: 'request-received', contactId: ops })).toMatchObject({ state: 'sent' });
  });
});

describe('SMTP delivery', () => {
  it('retries a transient SMTP failure and delivers one message, authenticating with the encrypted password', async () => {
    const received: { to: string; data: string; user?: string }[] = [];
    let attempts = 0;
    const server = new SMTPServer({
      authOptional: false, disabledCommands: ['STARTTLS'], allowInsecureAuth: true,
      onAuth: (auth, _s, cb) => (auth.password === 'smtp-pass-123' ? cb(null, { user: auth.username }) : cb(new Error('bad password'))),
      onData: (stream, session, cb) => {
        let data = '';
        stream.on('data', (c: Buffer) => { data += c.toString(); });
        stream.on('end', () => {
          attempts++;
          if (attempts === 1) return cb(Object.assign(new Error('Try again later'), { responseCode: 451 }));
          received.push({ to: session.envelope.rcptTo[0]!.address, data, user: session.user as string });
          cb();
        });
      },
    });
    const port = await new Promise<number>((resolve) => { const s = createNetServer().listen(0, () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); }); });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    await setEmail({ transport: 'smtp', smtp: { host: '127.0.0.1', port, secure: false, user: 'mailer', from: 'Support <support@acme.example>' } });
    await app.email.saveSmtpPassword(P, 'smtp-pass-123');
    expect(await app.store.get(`portal:{${P}}:smtp-password`)).not.toContain('smtp-pass-123');

    const fay = contact({ email: 'fay@acme.example', firstname: 'Fay' });
    const req = { cause: `smtp:${fay}`, template: 'portal-credentials' as const, contactId: fay, extra };
    await expect(app.email.service.send(await ctx(), req)).rejects.toBeInstanceOf(TransientError);
    expect(await app.email.service.send(await ctx(), req)).toMatchObject({ state: 'sent', transport: 'smtp' });
    expect(await app.email.service.send(await ctx(), req)).toMatchObject({ state: 'sent' });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ to: 'fay@acme.example', user: 'mailer' });
    expect(received[0]!.data).toContain('Subject: Your access to our customer portal');
    expect(received[0]!.data).toContain('one-time-s3cr3t');
    await setEmail({ transport: 'outbox', smtp: null });
    await new Promise<void>((r) => server.close(() => r()));
  });
});
