import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRASH_POINTS, HUBSPOT_WRITES } from '../../src/platform/crash-points.js';
import { defaultRuleSet } from '../../src/rules/default-rules.js';
import type { HubSpotSandbox } from '../../src/sandbox/hubspot-sandbox.js';
import { accountSetupTasks, provisionAccount } from '../../src/server/provision-account.js';
import { flushTestRedis, testKeyPrefix, testRedisUrl } from '../support/redis.js';
import { expectContractKept, SANDBOX_PORTAL, SANDBOX_TOKEN, startSandbox } from '../support/sandbox.js';
import { PUBLIC_URL, startTestApp, TEST_APP_ID, TEST_SECRET } from '../support/test-app.js';

/**
 * Production's shape: the web process here, the worker a process of its own that a crash point
 * kills (SIGKILL, mid-job) and that is then started again. After each crash the flow must have
 * happened exactly once: one contact with its name and company, one access grant, one credentials
 * email, one timeline copy.
 */
const root = resolve(import.meta.dirname, '../..');
/** The app's source files. */
const sources = () => readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => /\.tsx?$/.test(f)).map((f) => join(root, 'src', f));
const P = SANDBOX_PORTAL;
let sandbox: HubSpotSandbox;
let web: Awaited<ReturnType<typeof startTestApp>>;

function worker(crashAt?: string): { child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: root, stdio: 'ignore',
    env: {
      ...process.env, APP_ROLE: 'worker', REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: testKeyPrefix, HUBSPOT_API_BASE_URL: sandbox.url,
      HUBSPOT_ACCESS_TOKEN: SANDBOX_TOKEN, HUBSPOT_CLIENT_SECRET: TEST_SECRET, PUBLIC_BASE_URL: PUBLIC_URL, HUBSPOT_APP_ID: TEST_APP_ID,
      HUBSPOT_PORTAL_ID: String(P), LOG_LEVEL: 'silent', WORKER_LOCK_MS: '2000', HUBSPOT_BATCH_WINDOW_MS: '20', PORTAL_AUTOPILOT_CRASH_AT: crashAt ?? '',
    },
  });
  return { child, exited: new Promise((r) => child.once('exit', (code, signal) => r({ code, signal }))) };
}

beforeAll(async () => {
  await flushTestRedis();
  sandbox = await startSandbox({ searchDelayMs: 0 });
  web = await startTestApp({ APP_ROLE: 'web', REDIS_URL: testRedisUrl(), HUBSPOT_API_BASE_URL: sandbox.url, HUBSPOT_ACCESS_TOKEN: SANDBOX_TOKEN }, { queuePrefix: `${testKeyPrefix}bull` });
  sandbox.connectWebhooks({ targetUrl: `${web.url}/webhooks/hubspot`, clientSecret: TEST_SECRET, batchWindowMs: 10, signAs: `${PUBLIC_URL}/webhooks/hubspot` });
  sandbox.seed(P, 'companies', { name: 'Acme', domain: 'acme.example' });
  await provisionAccount(P, web.hubspot, web.store, accountSetupTasks(web.settings, web.store));
  const current = await web.settings.read(P);
  await web.settings.save(P, { ...current.settings, portal: { ...current.settings.portal, onboardNewContacts: true, portalUrl: 'https://support.acme.example' } }, current.version, 'test');
  // The credentials rule: a "[Portal Credentials]" ticket grants its requester access and emails the credentials.
  await web.rules.save(P, { ...defaultRuleSet, rules: [{ ...defaultRuleSet.rules[0]!, active: true }] }, (await web.rules.read(P)).version, 'test');
}, 60_000);
afterAll(async () => { await web?.stop(); expectContractKept(sandbox); await sandbox?.stop(); });

describe('a worker killed at each crash point', () => {
  it('lists only points the code has, and the code has no point the list lacks', () => {
    const used = sources().flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/crashPoint\('([\w.-]+)'\)/g)].map((m) => m[1]!));
    expect([...used].sort()).toEqual([...CRASH_POINTS].sort());
  });

  it('knows every HubSpot write the code makes, and why repeating it after a crash is harmless (or that it is not)', () => {
    const endpoints = new Set(sources().filter((f) => !f.includes('/sandbox/')).flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/'((?:crm|marketing|conversations|automation)\.[\w.-]+)'/g)].map((m) => m[1]!)));
    const writes = [...endpoints].filter((e) => /\.(create|update|upsert|archive|add|remove|send|single-send|delete|merge|complete)$/.test(e)).sort();
    expect(writes).toEqual(Object.keys(HUBSPOT_WRITES).sort());
  });

  it.each(CRASH_POINTS.map((point, i) => [point, i] as const))('%s: after the restart the sender is one named, filed, onboarded contact with one email, and the ticket\'s rule acted once', async (point, i) => {
    const email = `crash${i}@acme.example`;
    const requester = sandbox.seed(P, 'contacts', { email: `customer${i}@customers.example`, firstname: 'Customer' });
    const killed = worker(point);
    sandbox.inboundEmail(P, { from: email, name: `Crash Test${i}`, subject: 'Help', text: 'hi' });
    sandbox.createTicket(P, { subject: '[Portal Credentials]' }, requester.id);
    await sandbox.webhooks!.drain();
    // The point was reached: the process died by SIGKILL, mid-job.
    expect(await killed.exited).toEqual({ code: null, signal: 'SIGKILL' });

    const again = worker();
    try {
      await web.queue.idle(30_000);
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }
    const contacts = sandbox.account(P).objects.contacts!.all().filter((c) => c.properties.email === email);
    expect(contacts).toHaveLength(1);
    const id = contacts[0]!.id;
    expect(contacts[0]!.properties).toMatchObject({ firstname: 'Crash', lastname: `Test${i}` });
    const acme = sandbox.account(P).objects.companies!.all().find((c) => c.properties.name === 'Acme')!.id;
    expect(sandbox.account(P).associationsOf('contacts', id, 'companies').map((a) => a.toObjectId)).toEqual([acme]);
    const listId = (await web.settings.read(P)).settings.portal.accessListId!;
    expect([...sandbox.account(P).lists.get(listId)!.members.keys()].filter((m) => m === id)).toHaveLength(1);
    expect((await web.portal.accounts.history(P, id)).filter((h) => h.action === 'granted')).toHaveLength(1);
    expect((await web.email.outbox.list(P)).filter((m) => m.to === email)).toHaveLength(1);
    expect(sandbox.account(P).objects.emails!.all().filter((e) => sandbox.account(P).associationsOf('emails', e.id, 'contacts').some((a) => a.toObjectId === id))).toHaveLength(1);
    // The ticket's requester: access once, the credentials once, one timeline copy.
    expect((await web.portal.accounts.history(P, requester.id)).filter((h) => h.action === 'granted')).toHaveLength(1);
    expect((await web.email.outbox.list(P)).filter((m) => m.to === `customer${i}@customers.example`)).toHaveLength(1);
    expect(sandbox.account(P).objects.emails!.all().filter((e) => sandbox.account(P).associationsOf('emails', e.id, 'contacts').some((a) => a.toObjectId === requester.id))).toHaveLength(1);
    expect(await web.deadLetters.list()).toEqual([]);
  }, 90_000);
});
