import { createServer } from 'node:net';
import { loadConfig } from '../../src/server/config.js';
import { connectSandboxPortal } from '../../src/server/portal-setup.js';
import { createRuntime, type RuntimeOptions } from '../../src/server/runtime.js';
import { HttpBrowser } from '../../src/sandbox/http-browser.js';
import { flushTestRedis, testKeyPrefix, testRedisUrl } from './redis.js';
import { expectContractKept, SANDBOX_PORTAL, SANDBOX_TOKEN, startSandbox } from './sandbox.js';
import { testLog } from './test-log.js';
import { TEST_APP_ID, TEST_SECRET } from './test-app.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address() as { port: number }; s.close(() => resolve(port)); });
  });
}

/**
 * The app on a real loopback address (the OIDC issuer must be what browsers reach), in production
 * mode on Redis, against the sandbox, with the customer portal connected as an admin would.
 */
export async function startPortalEnv(options: { host?: string; env?: Record<string, string>; runtime?: RuntimeOptions; portal?: Parameters<typeof connectSandboxPortal>[3]; sandbox?: import('../../src/sandbox/hubspot-sandbox.js').SandboxOptions } = {}) {
  await flushTestRedis();
  const sandbox = await startSandbox({ searchDelayMs: 0, ...options.sandbox });
  const port = await freePort();
  // localhost where a browser needs a domain (a passkey's relying party cannot be an IP address).
  const base = `http://${options.host ?? '127.0.0.1'}:${port}`;
  const config = loadConfig({
    PORT: String(port), PUBLIC_BASE_URL: base, REDIS_URL: testRedisUrl(), HUBSPOT_API_BASE_URL: sandbox.url, HUBSPOT_ACCESS_TOKEN: SANDBOX_TOKEN,
    HUBSPOT_CLIENT_SECRET: TEST_SECRET, HUBSPOT_APP_ID: TEST_APP_ID, HUBSPOT_PORTAL_ID: String(SANDBOX_PORTAL), HUBSPOT_ADMIN_USER_IDS: '1,7', REDIS_KEY_PREFIX: testKeyPrefix, LOG_LEVEL: 'silent', HUBSPOT_BATCH_WINDOW_MS: '20', ...options.env,
  });
  const app = createRuntime(config, { log: testLog, queuePrefix: `p${Math.random().toString(36).slice(2)}`, ...options.runtime });
  await app.start(port);
  sandbox.connectWebhooks({ targetUrl: `${base}/webhooks/hubspot`, clientSecret: TEST_SECRET, batchWindowMs: 10 });
  const client = await connectSandboxPortal(app, sandbox, SANDBOX_PORTAL, options.portal);
  return {
    sandbox, app, base, client, P: SANDBOX_PORTAL,
    settle: async () => { await sandbox.webhooks!.drain(); await app.queue.idle(20_000); },
    /** The newest set-password link mailed to an address (the outbox's mailbox stands in for the inbox). */
    latestLink: async (email: string) => {
      const mail = (await app.email.outbox.mailbox(SANDBOX_PORTAL)).find((m) => m.to === email);
      return mail ? /https?:\/\/\S+\/set-password\/[\w-]{43}/.exec(mail.text)?.[0] : undefined;
    },
    browser: () => new HttpBrowser(),
    stop: async () => { await app.stop(); expectContractKept(sandbox); await sandbox.stop(); },
  };
}
export type PortalEnv = Awaited<ReturnType<typeof startPortalEnv>>;
