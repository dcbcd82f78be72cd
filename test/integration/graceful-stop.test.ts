import { describe, expect, it, vi } from 'vitest';
import { deliver, event } from '../support/hubspot-client.js';
import { flushTestRedis, testRedisUrl } from '../support/redis.js';
import { startTestApp } from '../support/test-app.js';

describe.each([['embedded', {}], ['production', { REDIS_URL: testRedisUrl() }]] as const)('stopping the app (%s mode)', (_mode, env) => {
  it('lets a running job finish before it stops, and then takes no more requests', async () => {
    if ('REDIS_URL' in env) await flushTestRedis();
    let release!: () => void;
    let jobStarted!: () => void;
    const running = new Promise<void>((r) => { jobStarted = r; });
    const finished: number[] = [];
    const app = await startTestApp(env, {
      handlers: {
        'conversation.creation': async (e) => {
          jobStarted();
          await new Promise<void>((r) => { release = r; });
          finished.push(e.eventId);
        },
      },
    });
    const url = app.url!;
    const sent = event();
    expect((await deliver(url, [sent])).status).toBe(200);
    await running;

    let stopped = false;
    const stopping = app.stop().then(() => { stopped = true; });
    // It stops taking requests at once, but does not finish while the job runs.
    await expect.poll(() => fetch(`${url}/healthz`).then(() => 'serving', () => 'closed'), { timeout: 5000 }).toBe('closed');
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(finished).toEqual([sent.eventId]);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});

describe('the process on SIGTERM', () => {
  it('stops taking requests, finishes, and exits 0', async () => {
    const { spawn } = await import('node:child_process');
    const { resolve } = await import('node:path');
    const { TEST_SECRET } = await import('../support/test-app.js');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
      cwd: resolve(import.meta.dirname, '../..'),
      env: { ...process.env, PORT: '0', REDIS_URL: '', HUBSPOT_CLIENT_SECRET: TEST_SECRET, HUBSPOT_ACCESS_TOKEN: 't', HUBSPOT_PORTAL_ID: '1', LOG_LEVEL: 'info' },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    await vi.waitFor(() => { if (!out.includes('portal autopilot started')) throw new Error('not started yet'); }, { timeout: 20_000, interval: 100 });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('"msg":"draining"');
  }, 30_000);
});
