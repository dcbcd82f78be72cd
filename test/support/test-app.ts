import { loadConfig } from '../../src/server/config.js';
import { createRuntime, type RuntimeOptions } from '../../src/server/runtime.js';
import { silentLog } from './silent-log.js';

export const TEST_SECRET = 'test-client-secret-0123456789';
export const PUBLIC_URL = 'https://autopilot.test';

/** The real app on port 0: embedded, or against the worker's Redis database when `redisUrl` is given. */
export async function startTestApp(env: Record<string, string> = {}, options: RuntimeOptions = {}) {
  const config = loadConfig({
    HUBSPOT_CLIENT_SECRET: TEST_SECRET,
    HUBSPOT_ACCESS_TOKEN: 'test-static-token',
    LOG_LEVEL: 'silent',
    // HubSpot signs the public URL it called; the app sits behind a proxy on another address.
    PUBLIC_BASE_URL: PUBLIC_URL,
    ...env,
  });
  const runtime = createRuntime(config, { log: silentLog, queuePrefix: `t${Math.random().toString(36).slice(2)}`, ...options });
  await runtime.start(0);
  return runtime;
}
