import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubSpotSandbox } from '../../src/sandbox/hubspot-sandbox.js';
import { runBackfillCli } from '../../src/server/cli/backfill-cli.js';
import { deliver } from '../support/hubspot-client.js';
import { testRedisUrl } from '../support/redis.js';
import { SANDBOX_PORTAL, SANDBOX_TOKEN, startAppWithSandbox } from '../support/sandbox.js';
import { TEST_SECRET } from '../support/test-app.js';

let sandbox: HubSpotSandbox;
let app: Awaited<ReturnType<typeof startAppWithSandbox>>['app'];
let env: Awaited<ReturnType<typeof startAppWithSandbox>>;
const P = SANDBOX_PORTAL;
let acme: string;
let acmeCopy: string;

beforeAll(async () => {
  env = await startAppWithSandbox({ searchDelayMs: 0 }, { batchWindowMs: 20 });
  ({ sandbox, app } = env);
  acme = sandbox.seed(P, 'companies', { name: 'Acme', domain: 'acme.example', hs_additional_domains: 'acme.test' }).id;
  await new Promise((r) => setTimeout(r, 5));
  acmeCopy = sandbox.seed(P, 'companies', { name: 'Acme (duplicate)', domain: 'acme.test' }).id;
  for (const email of ['old1@acme.example', 'old2@eu.acme.example', 'old3@acme.test', 'someone@gmail.com', 'x@unknown.example']) sandbox.seed(P, 'contacts', { email });
});
afterAll(async () => { await env.stop(); });

const api = (path: string, method = 'GET', body?: unknown) =>
  deliver(app.url!, body, { method, path: `/api/extensions${path}${path.includes('?') ? '&' : '?'}portalId=${P}`, raw: body === undefined ? '' : JSON.stringify(body) });
const companyOf = (email: string) => {
  const c = sandbox.account(P).objects.contacts!.all().find((x) => x.properties.email === email)!;
  return sandbox.account(P).associationsOf('contacts', c.id, 'companies').map((a) => a.toObjectId);
};

describe('backfill of existing contacts', () => {
  it('plans in a dry run without changing anything, then files the planned contacts when applied', async () => {
    expect((await api('/backfill', 'POST', { mode: 'dry-run' })).status).toBe(202);
    await app.queue.idle(20_000);
    const dry = (await api('/backfill')).body!;
    expect(dry).toMatchObject({ state: 'done', mode: 'dry-run', scanned: 5, planned: 3, applied: 0 });
    expect((dry.sample as { email: string; companyId: string }[]).map((s) => [s.email, s.companyId]).sort())
      .toEqual([['old1@acme.example', acme], ['old2@eu.acme.example', acme], ['old3@acme.test', acme]]);
    expect(companyOf('old1@acme.example')).toEqual([]);

    expect((await api('/backfill', 'POST', { mode: 'apply' })).status).toBe(202);
    await app.queue.idle(20_000);
    expect((await api('/backfill')).body).toMatchObject({ state: 'done', applied: 3 });
    expect(companyOf('old2@eu.acme.example')).toEqual([acme]);
    expect(companyOf('someone@gmail.com')).toEqual([]);
  });

  it('refuses a bad request naming the field', async () => {
    expect(await api('/backfill', 'POST', { mode: 'everything' })).toEqual({ status: 400, body: { message: 'mode: mode must be "dry-run" or "apply"' } });
  });

  it('runs from the command line with the app\'s configuration, as a dry run by default', async () => {
    const lines: string[] = [];
    const env = { REDIS_URL: testRedisUrl(), HUBSPOT_API_BASE_URL: sandbox.url, HUBSPOT_ACCESS_TOKEN: SANDBOX_TOKEN, HUBSPOT_CLIENT_SECRET: TEST_SECRET };
    expect(await runBackfillCli(['--portal', String(P)], env, (l) => lines.push(l))).toBe(0);
    expect(lines.at(-1)).toBe('dry run: nothing changed; run again with --apply to file 0 contact(s)');
    expect(await runBackfillCli([], env, (l) => lines.push(l))).toBe(2);
  });
});

describe('the default company', () => {
  it('is created as "Unassigned" when the admin asks, saved in settings, and not twice', async () => {
    const res = await api('/default-company', 'POST', {});
    expect(res.status).toBe(201);
    const id = res.body!.companyId as string;
    expect(sandbox.account(P).objects.companies!.get(id)?.properties.name).toBe('Unassigned');
    expect((await app.settings.read(P)).settings.inbound.defaultCompanyId).toBe(id);
    expect(await api('/default-company', 'POST', {})).toEqual({ status: 409, body: { message: `the default company is already ${id}` } });
  });
});

describe('card data', () => {
  it('explains why a contact is filed where it is, with the conflict', async () => {
    const c = sandbox.account(P).objects.contacts!.all().find((x) => x.properties.email === 'old3@acme.test')!;
    const res = await api(`/contacts/${c.id}/filing`);
    expect(res.body).toMatchObject({ email: 'old3@acme.test', recorded: false, companyId: acme, matchedDomain: 'acme.test', reason: 'domain', conflictsWith: [acmeCopy] });
    const free = sandbox.account(P).objects.contacts!.all().find((x) => x.properties.email === 'someone@gmail.com')!;
    expect((await api(`/contacts/${free.id}/filing`)).body).toMatchObject({ reason: 'free-mail', companyId: null });
  });

  it('lists a company\'s domains with their contacts and the other companies claiming them', async () => {
    const res = await api(`/companies/${acme}/domains`);
    expect(res.body).toEqual({ companyId: acme, domains: [
      { domain: 'acme.example', contacts: 1, alsoOwnedBy: [] },
      { domain: 'acme.test', contacts: 1, alsoOwnedBy: [expect.objectContaining({ id: acmeCopy, name: 'Acme (duplicate)' })] },
    ] });
  });
});
