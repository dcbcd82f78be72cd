import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { matchDomain } from '../../src/companies/domain-match.js';
import { freeMailDomains } from '../../src/companies/free-mail.js';
import { pickSender } from '../../src/contacts/pick-sender.js';
import { createLogger } from '../../src/platform/logger.js';
import { defaultSettings } from '../../src/settings/settings-schema.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { runAction } from '../../src/tickets/run-ticket-rules.js';
import { testLog } from '../support/test-log.js';

// What the README promises and no test pinned before (each would have let a planted bug through).
const email = (address: string, actorId = 'V-1') => ({ type: 'MESSAGE', direction: 'INCOMING', subject: 'Hi', senders: [{ actorId, name: 'X', deliveryIdentifier: { type: 'HS_EMAIL_ADDRESS', value: address } }] });

describe('promises the README makes', () => {
  it('treats a sender on a subdomain of a free-mail provider as free mail (judged on the registrable domain)', () => {
    const m = matchDomain('mail.gmail.com', { 'gmail.com': [{ id: '1', name: 'Google', createdAt: '2020-01-01' }] }, { matchSubdomains: true, freeMail: freeMailDomains(), defaultCompanyId: null });
    expect(m).toEqual({ kind: 'none', reason: 'free-mail' });
  });

  it('never makes a HubSpot user (an A- actor) a contact, nor a sender from an internal domain', () => {
    expect(pickSender({}, [email('agent@acme.example', 'A-17')], defaultSettings)).toEqual({ kind: 'ignored', reason: 'hubspot-user' });
    expect(pickSender({}, [email('colleague@eu.support.example')], { ...defaultSettings, internalDomains: ['support.example'] })).toEqual({ kind: 'ignored', reason: 'internal-domain' });
    expect(pickSender({}, [email('customer@support-example.test')], { ...defaultSettings, internalDomains: ['support.example'] })).toMatchObject({ kind: 'sender' });
  });

  it('stops a loop: no more rule actions on one ticket than the hourly cap', async () => {
    const store = new MemoryStore();
    const ctx = { portalId: 1, hubspot: {} as never, store, settings: { ...defaultSettings, rules: { ...defaultSettings.rules, maxActionsPerTicketPerHour: 3 } }, log: testLog };
    const ports = { queueEmail: async () => undefined, grantPortalAccess: async () => undefined, notifySupportContacts: async () => undefined, credentialsTemplate: async () => 'portal-credentials' as const };
    const outcomes = [];
    for (let i = 0; i < 5; i++) outcomes.push(await runAction(ctx, ports, 't1', `rule-${i}`, 0, { type: 'sendEmail', template: 'request-received' }, '42'));
    expect(outcomes.map((o) => o.status)).toEqual(['queued', 'queued', 'queued', 'skipped', 'skipped']);
    expect(outcomes[3]!.detail).toBe('more than 3 rule actions on this ticket in one hour: stopped as a possible loop');
  });

  it('cuts tokens, secrets, passwords and signatures from every log line', () => {
    const lines: string[] = [];
    const log = createLogger('info', new Writable({ write(c, _e, done) { lines.push(String(c)); done(); } }));
    log.info({ accessToken: 'tok-1', tokens: { refreshToken: 'ref-1', clientSecret: 'sec-1' }, form: { password: 'pw-1' }, req: { headers: { authorization: 'Bearer tok-2', cookie: 'c=1', 'x-hubspot-signature-v3': 'sig-1' } } }, 'x');
    for (const secret of ['tok-1', 'ref-1', 'sec-1', 'pw-1', 'tok-2', 'c=1', 'sig-1']) expect(lines.join('')).not.toContain(secret);
    expect(lines.join('')).toContain('[redacted]');
  });
});
