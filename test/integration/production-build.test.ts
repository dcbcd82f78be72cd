import { execFileSync, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { freePort } from '../support/portal-env.js';

const root = resolve(import.meta.dirname, '../..');

describe('the production build (npm run build, then npm start)', () => {
  it('starts from dist/ and answers /healthz, then stops on SIGTERM with exit 0', async () => {
    // The dev and test runs go through tsx; production runs the compiled files, which once could
    // not find a file the source tree has (the app's scopes): only a run of the build shows that.
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
    const port = await freePort();
    const child = spawn(process.execPath, ['dist/server/main.js'], {
      cwd: root, stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH, HUBSPOT_ACCESS_TOKEN: 'pat-test-token', HUBSPOT_CLIENT_SECRET: 'a-client-secret', HUBSPOT_PORTAL_ID: '4242', PUBLIC_BASE_URL: 'https://autopilot.test', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', NODE_ENV: 'production' },
    });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      await vi.waitFor(async () => expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).toEqual({ ok: true }), { timeout: 20_000, interval: 200 });
    } catch (err) {
      child.kill('SIGKILL');
      throw new Error(`the build did not start: ${output.slice(0, 2000)}`, { cause: err });
    }
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 90_000);
});
