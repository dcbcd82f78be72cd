import { loadConfig } from '../../src/server/config.js';
import { createRuntime, type RuntimeOptions } from '../../src/server/runtime.js';
import { testLog } from './test-log.js';
import { testKeyPrefix } from './redis.js';

export const TEST_SECRET = 'test-client-secret-0123456789';
export const PUBLIC_URL = 'https://autopilot.test';
/** The app id HubSpot appends to every card request (`appId`) and puts in every webhook event. */
export const TEST_APP_ID = '77';

/** The real app on port 0: embedded, or against the worker's Redis database when `redisUrl` is given. */
export async function startTestApp(env: Record<string, string> = {}, options: RuntimeOptions = {}) {
  const config = loadConfig({
    HUBSPOT_CLIENT_SECRET: TEST_SECRET,
    HUBSPOT_ACCESS_TOKEN: 'test-static-token',
    LOG_LEVEL: 'silent',
    // HubSpot signs the public URL it called; the app sits behind a proxy on another address.
    PUBLIC_BASE_URL: PUBLIC_URL,
    HUBSPOT_APP_ID: TEST_APP_ID,
    // The private app's token belongs to the sandbox's account.
    HUBSPOT_PORTAL_ID: '4242',
    // HubSpot user 1 is an admin of the app (tests that check roles use other users).
    HUBSPOT_ADMIN_USER_IDS: '1',
    REDIS_KEY_PREFIX: testKeyPrefix,
    ...env,
  });
  const runtime = createRuntime(config, { log: testLog, queuePrefix: `t${Math.random().toString(36).slice(2)}`, ...options });
  await runtime.start(0);
  return runtime;
}
