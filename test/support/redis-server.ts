import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** Polls `check` until it resolves (no test runner needed: the benchmarks start servers too). */
export async function until(check: () => Promise<unknown>, timeoutMs: number, intervalMs = 50): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try { await check(); return; } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}

/**
 * A redis-server of a test's own (the outage and reliability tests kill and restart it, which must
 * not disturb the Redis the other test files share). Resolves once it answers PING.
 */
export interface TestRedisServer {
  stop: () => Promise<void>;
  /** SIGSTOP: the server keeps its connections but answers nothing (a frozen host, a stuck network). */
  pause: () => void;
  resume: () => void;
}

export async function startRedisServer(port: number, args: string[] = ['--save', '', '--appendonly', 'no']): Promise<TestRedisServer> {
  // A directory of its own unless one is given: a replica's sync writes dump.rdb there, never into the repository.
  const dir = args.includes('--dir') ? [] : ['--dir', mkdtempSync(join(tmpdir(), 'portal-autopilot-redis-'))];
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--maxmemory-policy', 'noeviction', ...dir, ...args], { stdio: 'ignore' });
  await until(async () => {
    const c = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    c.on('error', () => undefined);
    try { await c.connect(); await c.ping(); } finally { c.disconnect(); }
  }, 20_000);
  return {
    /** SIGKILL: no goodbye, as a crash or an OOM kill. */
    stop: () => new Promise<void>((resolve) => { if (child.exitCode !== null || child.signalCode !== null) return resolve(); child.kill('SIGCONT'); child.once('exit', () => resolve()); child.kill('SIGKILL'); }),
    pause: () => { child.kill('SIGSTOP'); },
    resume: () => { child.kill('SIGCONT'); },
  };
}
