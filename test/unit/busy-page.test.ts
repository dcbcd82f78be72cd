import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/logger.js';
import { pageDeadline, sendBusy } from '../../src/portal/pages/busy-page.js';

// A customer's page that waits on something that never answers (a Redis that stopped answering)
// gets "try again in a moment" in the customer's language within the page deadline.
const lines: Record<string, unknown>[] = [];
const log = createLogger('info', new Writable({ write(chunk, _e, done) { lines.push(JSON.parse(String(chunk)) as Record<string, unknown>); done(); } }));
const DEADLINE = 150;
let base = '';
let server: ReturnType<express.Express['listen']>;
let finishedLate = 0;
let busyThrew: Error | undefined;
let hangsSeen = 0;

beforeAll(async () => {
  const app = express();
  app.use('/portal', pageDeadline(log, DEADLINE));
  // Never answers: the deadline must.
  app.get('/portal/hangs', () => { hangsSeen++; });
  app.get('/portal/:portalId/set-password/:token', () => undefined);
  // Answers in time: the deadline must stay quiet afterwards.
  app.get('/portal/quick', (_req, res) => { res.type('text').send('done'); });
  // Answers itself after the deadline passed: nothing is sent twice.
  app.get('/portal/late', (req, res) => { setTimeout(() => { if (!res.headersSent) res.send('late'); else finishedLate++; }, DEADLINE + 100); });
  // sendBusy after the page began: it leaves the answer alone (and does not throw).
  app.get('/portal/started', (req, res) => { res.status(200).type('text').send('started'); try { sendBusy(req, res); } catch (err) { busyThrew = err as Error; } });
  // A page that began answering in time and finishes late: not a page left without an answer.
  app.get('/portal/slow-stream', (_req, res) => { res.type('text').write('part 1, '); setTimeout(() => res.end('part 2'), DEADLINE + 100); });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => { server.close(); });

describe('a customer page that is not answered in time', () => {
  it('is answered 503 "try again in a moment" with Retry-After, not cached, in the browser\'s language', async () => {
    const t0 = Date.now();
    const res = await fetch(`${base}/portal/hangs`, { headers: { 'accept-language': 'de-DE,de;q=0.9' } });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(DEADLINE - 5);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'self'; frame-ancestors 'none'");
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('<html lang="de">');
    expect(html).toContain('Bitte versuchen Sie es gleich noch einmal');
    expect(html).toContain('Der Anmeldedienst hat nicht rechtzeitig geantwortet.');
  });

  it('speaks the relying party\'s ui_locales first, then English', async () => {
    const it = await fetch(`${base}/portal/hangs?ui_locales=it`, { headers: { 'accept-language': 'de' } });
    expect(await it.text()).toContain('<html lang="it">');
    const en = await fetch(`${base}/portal/hangs`, { headers: { 'accept-language': 'fr' } });
    expect(await en.text()).toContain('Please try again in a moment');
  });

  it('reads ui_locales only when it is one value (a repeated parameter is not a language list)', async () => {
    const res = await fetch(`${base}/portal/hangs?ui_locales=it&ui_locales=es`, { headers: { 'accept-language': 'de' } });
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('<html lang="de">');
  });

  it('lets a page that began answering in time finish, without a busy page or a warning', async () => {
    lines.length = 0;
    const res = await fetch(`${base}/portal/slow-stream`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('part 1, part 2');
    expect(lines.filter((l) => l.msg === 'customer page not answered in time')).toEqual([]);
  });

  it('logs the page without a set-password token in it', async () => {
    lines.length = 0;
    const token = 'A'.repeat(43);
    await fetch(`${base}/portal/4242/set-password/${token}`);
    const line = lines.find((l) => l.msg === 'customer page not answered in time');
    expect(line).toMatchObject({ path: '/portal/4242/set-password/[token]', ms: DEADLINE, level: 40 });
    expect(JSON.stringify(lines)).not.toContain(token);
  });

  it('leaves a page answered in time alone, and logs nothing about it afterwards', async () => {
    lines.length = 0;
    const res = await fetch(`${base}/portal/quick`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('done');
    await new Promise((r) => setTimeout(r, DEADLINE + 50));
    expect(lines.filter((l) => l.msg === 'customer page not answered in time')).toEqual([]);
  });

  it('sends one answer only: a page that answers after the deadline does not send again, and sendBusy after an answer does nothing', async () => {
    const late = await fetch(`${base}/portal/late`);
    expect(late.status).toBe(503);
    // The page's own late answer comes, and finds the busy page already sent.
    await expect.poll(() => finishedLate, { timeout: 5000, interval: 20 }).toBe(1);
    const started = await fetch(`${base}/portal/started`);
    expect(started.status).toBe(200);
    expect(await started.text()).toBe('started');
    expect(busyThrew).toBeUndefined();
  });

  it('stops waiting when the browser goes away (no busy page is written to a closed connection)', async () => {
    lines.length = 0;
    const seenBefore = hangsSeen;
    const aborted = new AbortController();
    const pending = fetch(`${base}/portal/hangs`, { signal: aborted.signal }).catch((err: Error) => err.name);
    await expect.poll(() => hangsSeen, { timeout: 5000, interval: 5 }).toBeGreaterThan(seenBefore);
    aborted.abort();
    expect(await pending).toBe('AbortError');
    await new Promise((r) => setTimeout(r, DEADLINE + 50));
    expect(lines.filter((l) => l.msg === 'customer page not answered in time')).toEqual([]);
  });
});
