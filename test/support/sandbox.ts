import { expect } from 'vitest';
import { HubSpotSandbox, type SandboxOptions } from '../../src/sandbox/hubspot-sandbox.js';

export const SANDBOX_PORTAL = 4242;
export const SANDBOX_TOKEN = 'sandbox-test-token';

export async function startSandbox(options: SandboxOptions = {}) {
  const sandbox = new HubSpotSandbox(options);
  sandbox.addAccount(SANDBOX_PORTAL, SANDBOX_TOKEN);
  await sandbox.start();
  expect(sandbox.validatesContract, 'spec/hubspot-openapi holds the specs the sandbox checks against').toBe(true);
  return sandbox;
}

/** Every request the app sent and every answer the sandbox gave fit HubSpot's official specs. */
export function expectContractKept(sandbox: HubSpotSandbox): void {
  expect(sandbox.violations).toEqual([]);
}

export async function hs(sandbox: HubSpotSandbox, method: string, path: string, body?: unknown, token = SANDBOX_TOKEN) {
  const res = await fetch(`${sandbox.url}${path}`, {
    method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

/**
 * The app in production mode (the worker's Redis database) against a fresh sandbox whose webhooks
 * reach it, signed for the app's public URL as HubSpot would behind a proxy.
 */
export async function startAppWithSandbox(sandboxOptions: SandboxOptions = {}, runtimeOptions: import('../../src/server/runtime.js').RuntimeOptions = {}) {
  const { flushTestRedis, testRedisUrl } = await import('./redis.js');
  const { PUBLIC_URL, startTestApp, TEST_SECRET } = await import('./test-app.js');
  await flushTestRedis();
  const sandbox = await startSandbox(sandboxOptions);
  const app = await startTestApp({ REDIS_URL: testRedisUrl(), HUBSPOT_API_BASE_URL: sandbox.url, HUBSPOT_ACCESS_TOKEN: SANDBOX_TOKEN }, runtimeOptions);
  sandbox.connectWebhooks({ targetUrl: `${app.url}/webhooks/hubspot`, clientSecret: TEST_SECRET, batchWindowMs: 10, signAs: `${PUBLIC_URL}/webhooks/hubspot` });
  return {
    sandbox, app,
    /** Waits until HubSpot has delivered everything and the app has processed it. */
    settle: async () => { await sandbox.webhooks!.drain(); await app.queue.idle(20_000); },
    stop: async () => { await app.stop(); expectContractKept(sandbox); await sandbox.stop(); },
  };
}

/**
 * Runs `act` (something that makes HubSpot send webhooks), lets them arrive, then delivers each of
 * them twice more, signed afresh, as HubSpot's retries would; resolves with what `act` returned once
 * the app has processed everything.
 */
export async function withEveryWebhookThreeTimes<T>(env: { app: { url?: string; queue: { idle: (ms?: number) => Promise<void> } }; settle: () => Promise<void> }, act: () => T): Promise<T> {
  const { PUBLIC_URL, TEST_SECRET } = await import('./test-app.js');
  const { signV3 } = await import('../../src/webhooks/sign-request.js');
  const bodies: string[] = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    if (String(input).endsWith('/webhooks/hubspot') && typeof init?.body === 'string') bodies.push(init.body);
    return realFetch(input, init);
  }) as typeof fetch;
  let result: T;
  try {
    result = act();
    await env.settle();
  } finally { globalThis.fetch = realFetch; }
  for (const body of [...bodies, ...bodies]) {
    await realFetch(`${env.app.url}/webhooks/hubspot`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...signV3(TEST_SECRET, 'POST', `${PUBLIC_URL}/webhooks/hubspot`, body, Date.now()) } });
  }
  await env.app.queue.idle(20_000);
  return result;
}
