import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/logger.js';
import { deliver, event } from '../support/hubspot-client.js';
import { PUBLIC_URL, startTestApp, TEST_SECRET } from '../support/test-app.js';

const lines: string[] = [];
const sink = new Writable({ write(chunk, _e, done) { lines.push(String(chunk)); done(); } });
let app: Awaited<ReturnType<typeof startTestApp>>;
beforeAll(async () => { app = await startTestApp({ LOG_LEVEL: 'info' }, { log: createLogger('info', sink) }); });
afterAll(async () => { await app.stop(); });

describe('what an operator is told', () => {
  it('logs once at start the URL webhook signatures are checked against', () => {
    const started = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'HubSpot signatures are checked against these URLs');
    expect(started).toMatchObject({ webhookUrl: `${PUBLIC_URL}/webhooks/hubspot`, cardApi: `${PUBLIC_URL}/api/extensions` });
  });

  it('says which URL and signature version a refused webhook was checked with, once a minute at most, never the secret', async () => {
    const before = lines.length;
    for (let i = 0; i < 3; i++) expect((await deliver(app.url!, [event()], { secret: 'a-wrong-secret-0000000' })).status).toBe(401);
    const refused = lines.slice(before).filter((l) => l.includes('webhook refused'));
    expect(refused).toHaveLength(1);
    expect(JSON.parse(refused[0]!)).toMatchObject({ uri: `${PUBLIC_URL}/webhooks/hubspot`, version: 'v3', reason: 'signature v3 does not match' });
    expect(lines.join('')).not.toContain(TEST_SECRET);
  });

  it('ends a start without Redis with one line naming REDIS_URL and exit code 69, not a stack trace', async () => {
    const root = resolve(import.meta.dirname, '../..');
    const run = promisify(execFile);
    const result = await run('npx', ['tsx', 'src/server/main.ts'], {
      cwd: root, timeout: 30_000,
      env: { ...process.env, REDIS_URL: 'redis://127.0.0.1:1', REDIS_WAIT_MS: '300', HUBSPOT_CLIENT_SECRET: TEST_SECRET, HUBSPOT_ACCESS_TOKEN: 't', HUBSPOT_PORTAL_ID: '1', LOG_LEVEL: 'silent' },
    }).then(() => ({ code: 0, stderr: '' }), (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }));
    expect(result.code).toBe(69);
    expect(result.stderr).toContain('Portal Autopilot cannot start: Redis at REDIS_URL (redis://127.0.0.1:1) did not answer');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('exits 78 naming every wrong setting', async () => {
    const root = resolve(import.meta.dirname, '../..');
    const result = await promisify(execFile)('npx', ['tsx', 'src/server/main.ts'], { cwd: root, timeout: 30_000, env: { ...process.env, REDIS_URL: 'mysql://x', HUBSPOT_CLIENT_SECRET: '' } })
      .then(() => ({ code: 0, stderr: '' }), (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }));
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('REDIS_URL must look like redis://');
    expect(result.stderr).toContain('HUBSPOT_CLIENT_SECRET');
  });
});
