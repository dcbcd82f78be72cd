/**
 * npm run bench:signin — full OpenID Connect sign-ins per second through the app's provider,
 * browserless: a relying party (openid-client) starts an authorization request with PKCE, an HTTP
 * client follows the redirects to our sign-in page, posts email and password (argon2id check
 * included), follows the code back, and the relying party exchanges and verifies it. Beside it,
 * measured in the same run and shape: the same flow against a bare oidc-provider whose login
 * interaction finishes at once (no page, no password, memory storage), and the honest baseline: a
 * bare oidc-provider whose login page verifies the same argon2id hash with the same parameters
 * (the goal: the app at 0.9x of it or better). And the time per hash.
 * Production mode: Redis store and rate limiter. 5 alternating rounds, medians.
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import express from 'express';
import Provider from 'oidc-provider';
import * as oidc from 'openid-client';
import { pino } from 'pino';
import { HttpBrowser } from '../src/sandbox/http-browser.js';
import { OWASP_ARGON2ID, PasswordHasher } from '../src/portal/password-hasher.js';
import { SIGN_IN_LIMITS } from '../src/portal/sign-in-limiter.js';
import { loadConfig } from '../src/server/config.js';
import { createRuntime } from '../src/server/runtime.js';
import { dropKeys } from './bench-support.js';

const ROUNDS = 5;
const FLOWS = 150;
const CONCURRENCY = 8;
const ACCOUNTS = 40;
const PORTAL = 4242;
const PASSWORD = 'analytical engine 1843';
const REDIRECT = 'http://127.0.0.1:9/callback';

const freePort = () => new Promise<number>((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address() as { port: number }; s.close(() => resolve(port)); }); });
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };

/** One sign-in as HubSpot's portal and a customer's browser would do it; returns the ID token's subject. */
async function flow(config: oidc.Configuration, login: (b: HttpBrowser) => Promise<void>): Promise<string> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid email profile', state, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
  const b = new HttpBrowser();
  b.stopAt = (u) => u.href.startsWith(REDIRECT);
  await b.get(url.href);
  if (!b.url.startsWith(REDIRECT)) await login(b);
  if (!b.url.startsWith(REDIRECT)) throw new Error(`sign-in did not come back: ${b.status} ${b.url} ${b.text().slice(0, 200)}`);
  const tokens = await oidc.authorizationCodeGrant(config, new URL(b.url), { pkceCodeVerifier: verifier, expectedState: state });
  return tokens.claims()!.sub;
}

/** Flows per second, and the process's CPU time per flow (every thread: the event loop, argon2's, the client's share). */
async function run(n: number, one: (i: number) => Promise<unknown>): Promise<{ rate: number; cpuMs: number }> {
  let next = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => { while (next < n) await one(next++); }));
  const cpu = process.cpuUsage(cpu0);
  return { rate: n / ((performance.now() - t0) / 1000), cpuMs: (cpu.user + cpu.system) / 1000 / n };
}

// --- the app, production mode ---
// A key prefix of this run's own: the Redis may serve other runs and tools (whose keys another
// TOKEN_ENCRYPTION_KEY may have encrypted); only this prefix is read, and removed at the end.
const SIGNIN_REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/14';
const SIGNIN_PREFIX = `bench-signin-${process.pid}-${Date.now().toString(36)}:`;
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const config = loadConfig({
  PORT: String(port), PUBLIC_BASE_URL: base, REDIS_URL: SIGNIN_REDIS, REDIS_KEY_PREFIX: SIGNIN_PREFIX, HUBSPOT_API_BASE_URL: 'http://127.0.0.1:9',
  HUBSPOT_ACCESS_TOKEN: 'bench-token', HUBSPOT_PORTAL_ID: String(PORTAL), HUBSPOT_CLIENT_SECRET: 'bench-client-secret-0123456789', LOG_LEVEL: 'silent',
});
// All of the benchmark's traffic comes from one address: the per-IP limit is lifted, the per-account one kept.
const app = createRuntime(config, { log: pino({ level: 'silent' }), queuePrefix: `${SIGNIN_PREFIX}bull`, signInLimits: { ...SIGN_IN_LIMITS, perIp: { points: 1_000_000, duration: 60 } } });
await app.start(port);
const hasher = app.portal.hasher;
const passwordHash = await hasher.hash(PASSWORD);
for (let i = 0; i < ACCOUNTS; i++) {
  await app.portal.accounts.save({ portalId: PORTAL, contactId: String(1000 + i), email: `user${i}@acme.example`, name: `User ${i}`, state: 'active', passwordHash, grantedAt: new Date().toISOString() });
}
const client = await app.portal.clients.save(PORTAL, [REDIRECT]);
const appRp = await oidc.discovery(new URL(app.portal.issuer), client.clientId, client.clientSecret, undefined, { execute: [oidc.allowInsecureRequests] });
const appFlow = (i: number) => flow(appRp, (b) => b.submit({ email: `user${i % ACCOUNTS}@acme.example`, password: PASSWORD }).then(() => undefined));

/** A bare oidc-provider on a port of its own (memory storage, one client, grant implied); its login interaction is the caller's. */
async function bareProvider(clientId: string) {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}/oidc`;
  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: `${clientId}-secret-0123456789`, redirect_uris: [REDIRECT], grant_types: ['authorization_code'], response_types: ['code'] }],
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub, email: `${sub}@acme.example` }) }),
    claims: { openid: ['sub'], email: ['email'] },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: async (_ctx, i) => `/interaction/${i.uid}` },
    loadExistingGrant: async (ctx) => {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  const relyingParty = () => oidc.discovery(new URL(issuer), clientId, `${clientId}-secret-0123456789`, undefined, { execute: [oidc.allowInsecureRequests] });
  return { port, provider, relyingParty };
}

// --- the baseline: bare oidc-provider, login finished at once ---
const { port: barePort, provider: bare, relyingParty: bareRelyingParty } = await bareProvider('bare');
const bareApp = express();
bareApp.get('/interaction/:uid', async (req, res) => { await bare.interactionFinished(req, res, { login: { accountId: 'bench-user' } }, { mergeWithLastSubmission: false }); });
bareApp.use('/oidc', bare.callback());
const bareServer = bareApp.listen(barePort, '127.0.0.1');
const bareRp = await bareRelyingParty();
const bareFlow = () => flow(bareRp, async () => undefined);

// --- the honest baseline: a bare oidc-provider whose login page checks the same argon2id hash ---
// A form page, a POST that verifies the password with the app's own hasher and parameters, then
// the interaction finished; memory storage, no limiter, no templates, no translations.
const { port: checkedPort, provider: checked, relyingParty: checkedRelyingParty } = await bareProvider('checked');
const checkedApp = express();
checkedApp.get('/interaction/:uid', (req, res) => {
  res.type('html').send(`<form method="post" action="/interaction/${encodeURIComponent(req.params.uid)}"><input name="email"><input name="password" type="password"><button>Sign in</button></form>`);
});
checkedApp.post('/interaction/:uid', express.urlencoded({ extended: false }), async (req, res) => {
  const email = String(req.body?.email ?? '');
  if (!/^user\d+@acme\.example$/.test(email) || !(await hasher.verify(passwordHash, String(req.body?.password ?? '')))) { res.status(401).send('wrong email or password'); return; }
  await checked.interactionFinished(req, res, { login: { accountId: email.split('@')[0]! } }, { mergeWithLastSubmission: false });
});
checkedApp.use('/oidc', checked.callback());
const checkedServer = checkedApp.listen(checkedPort, '127.0.0.1');
const checkedRp = await checkedRelyingParty();
const checkedFlow = (i: number) => flow(checkedRp, (b) => b.submit({ email: `user${i % ACCOUNTS}@acme.example`, password: PASSWORD }).then(() => undefined));

// Warm-up, and a check that both flows really sign someone in.
if ((await appFlow(0)) !== `${PORTAL}-1000`) throw new Error('the app\'s flow did not sign user0 in');
if ((await bareFlow()) !== 'bench-user') throw new Error('the bare flow did not sign in');
if ((await checkedFlow(0)) !== 'user0') throw new Error('the bare flow with the password check did not sign user0 in');

const rounds = [];
for (let round = 0; round < ROUNDS; round++) {
  const bareRun = await run(FLOWS, () => bareFlow());
  const checkedRun = await run(FLOWS, (i) => checkedFlow(i));
  const appRun = await run(FLOWS, (i) => appFlow(i + round * FLOWS));
  rounds.push({
    appFlowsPerSecond: Number(appRun.rate.toFixed(1)), bareWithArgon2FlowsPerSecond: Number(checkedRun.rate.toFixed(1)), bareFlowsPerSecond: Number(bareRun.rate.toFixed(1)),
    appCpuMsPerFlow: Number(appRun.cpuMs.toFixed(2)), bareWithArgon2CpuMsPerFlow: Number(checkedRun.cpuMs.toFixed(2)),
  });
  console.log(`round ${round + 1}: ${JSON.stringify(rounds.at(-1))}`);
}

const hashMs: number[] = [];
const verifyMs: number[] = [];
for (let i = 0; i < 20; i++) {
  let t0 = performance.now(); const h = await new PasswordHasher().hash(PASSWORD); hashMs.push(performance.now() - t0);
  t0 = performance.now(); await hasher.verify(h, PASSWORD); verifyMs.push(performance.now() - t0);
}

const summary = {
  date: new Date().toISOString(), command: 'npm run bench:signin', node: process.version,
  setup: { rounds: ROUNDS, flowsPerRound: FLOWS, concurrency: CONCURRENCY, accounts: ACCOUNTS, store: 'redis', hash: { algorithm: 'argon2id', ...OWASP_ARGON2ID } },
  median: {
    appFlowsPerSecond: median(rounds.map((r) => r.appFlowsPerSecond)),
    bareFlowsPerSecond: median(rounds.map((r) => r.bareFlowsPerSecond)),
    bareWithArgon2FlowsPerSecond: median(rounds.map((r) => r.bareWithArgon2FlowsPerSecond)),
    appToBareWithArgon2: Number(median(rounds.map((r) => r.appFlowsPerSecond / r.bareWithArgon2FlowsPerSecond)).toFixed(3)),
    appToBare: Number(median(rounds.map((r) => r.appFlowsPerSecond / r.bareFlowsPerSecond)).toFixed(3)),
    // CPU time of this process per flow (Redis's own is not in it), app against the argon2id baseline.
    appCpuMsPerFlow: median(rounds.map((r) => r.appCpuMsPerFlow)),
    bareWithArgon2CpuMsPerFlow: median(rounds.map((r) => r.bareWithArgon2CpuMsPerFlow)),
    hashMs: Number(median(hashMs).toFixed(1)),
    verifyMs: Number(median(verifyMs).toFixed(1)),
  },
  rounds,
};
writeFileSync(new URL('./results/signin.json', import.meta.url), `${JSON.stringify(summary, null, 2)}\n`);
console.log(JSON.stringify(summary.median, null, 2));
bareServer.close();
checkedServer.close();
await app.stop();
await dropKeys(SIGNIN_REDIS, SIGNIN_PREFIX);
process.exit(0);
