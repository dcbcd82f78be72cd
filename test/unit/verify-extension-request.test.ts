import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Writable } from 'node:stream';
import express from 'express';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyExtensionRequest } from '../../src/server/routes/verify-extension-request.js';
import { signV3 } from '../../src/webhooks/sign-request.js';
import { rawRequest } from '../support/raw-http.js';

const secret = 'card-secret';
const publicBaseUrl = 'https://autopilot.example';
let logged: Record<string, unknown>[] = [];
const log = pino({ level: 'warn' }, new Writable({ write(chunk, _enc, done) { logged.push(JSON.parse(String(chunk)) as Record<string, unknown>); done(); } }));
let server: Server;
let base = '';

beforeAll(async () => {
  const app = express();
  app.use(express.raw({ type: '*/*' }));
  app.use('/api/extensions', verifyExtensionRequest({ clientSecret: secret, publicBaseUrl, appId: '77', isInstalled: async (id) => id === 4242, log }));
  const plain = express();
  plain.use(express.raw({ type: '*/*' }));
  plain.use('/api/extensions', verifyExtensionRequest({ clientSecret: secret, publicBaseUrl, isInstalled: async () => true, log }));
  plain.use((_req, res) => { res.json({ caller: res.locals.caller }); });
  app.use('/plain', plain);
  app.use((_req, res) => { res.json({ caller: res.locals.caller, json: res.locals.json ?? null }); });
  await new Promise<void>((r) => { server = app.listen(0, '127.0.0.1', () => r()); });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => { server.close(() => r()); }));
beforeEach(() => { logged = []; });

async function call(path: string, init: { method?: string; body?: string; sign?: boolean } = {}) {
  const method = init.method ?? 'GET';
  const body = init.body ?? '';
  const headers = init.sign === false ? {} : signV3(secret, method, `${publicBaseUrl}${path}`, body, Date.now());
  const res = await fetch(`${base}${path}`, { method, headers: { ...headers, 'content-type': 'application/json' }, body: body || undefined });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
const reasons = () => logged.map((l) => l.reason);

describe('card requests: who is calling', () => {
  it('reads the account, user id and email only from the signed parameters', async () => {
    const r = await call('/api/extensions/x?portalId=4242&userId=9&userEmail=agent%40acme.example&appId=77');
    expect(r).toEqual({ status: 200, body: { caller: { portalId: 4242, userId: 9, userEmail: 'agent@acme.example' }, json: null } });
  });

  it('refuses an unsigned request with 401, a message that tells nothing, and the reason in the log only', async () => {
    const r = await call('/api/extensions/x?portalId=4242&appId=77', { sign: false });
    expect(r).toEqual({ status: 401, body: { message: 'this request is not signed by HubSpot for this app' } });
    expect(logged).toEqual([expect.objectContaining({ msg: 'card request refused', reason: 'missing X-HubSpot-Signature-v3 header', uri: `${publicBaseUrl}/api/extensions/x?portalId=4242&appId=77` })]);
  });

  it('logs which identity parameter was given twice', async () => {
    expect((await call('/api/extensions/x?portalId=4242&portalId=1&userId=1&userId=2&appId=77')).status).toBe(401);
    expect(logged).toEqual([expect.objectContaining({ reason: 'identity parameter given more than once: portalId, userId', uri: `${publicBaseUrl}/api/extensions/x?portalId=4242&portalId=1&userId=1&userId=2&appId=77` })]);
  });

  it('refuses another app\'s id or none, naming both in the log', async () => {
    expect((await call('/api/extensions/x?portalId=4242&appId=78')).status).toBe(401);
    expect((await call('/api/extensions/x?portalId=4242')).status).toBe(401);
    expect(reasons()).toEqual(['appId 78 is not this app\'s (77)', 'appId (none) is not this app\'s (77)']);
    expect(logged[0]).toMatchObject({ uri: `${publicBaseUrl}/api/extensions/x?portalId=4242&appId=78` });
  });

  it('does not check the app id when none is configured', async () => {
    expect((await call('/plain/api/extensions/x?portalId=5&appId=123')).body).toEqual({ caller: { portalId: 5, userId: null, userEmail: null } });
  });

  it('answers 400 for a missing or inexact account id, and 403 (logged) for an account that has not installed', async () => {
    for (const p of ['', 'portalId=', 'portalId=0', 'portalId=12abc', 'portalId=abc12', 'portalId=0x11', 'portalId=1e3', 'portalId=4242.0', 'portalId=9007199254740993', 'portalId=12345678901234567']) {
      const r = await call(`/api/extensions/x?${p}${p ? '&' : ''}appId=77`);
      expect(r, p).toEqual({ status: 400, body: { message: 'portalId query parameter is missing or not a positive whole number' } });
    }
    expect(logged).toEqual([]);
    const r = await call('/api/extensions/x?portalId=4243&appId=77');
    expect(r).toEqual({ status: 403, body: { message: 'Portal Autopilot is not installed in this HubSpot account' } });
    expect(logged).toEqual([expect.objectContaining({ reason: 'account 4243 has not installed the app', portalId: 4243 })]);
  });

  it('reads an inexact user id as no user rather than another one', async () => {
    expect((await call('/api/extensions/x?portalId=4242&userId=9007199254740993&appId=77')).body).toMatchObject({ caller: { userId: null } });
    expect((await call('/api/extensions/x?portalId=4242&userId=x9&appId=77')).body).toMatchObject({ caller: { userId: null } });
  });

  it('refuses an absolute-form request line (the host is the caller\'s choice), saying so in the log', async () => {
    const status = await rawRequest(Number(new URL(base).port), 'GET', 'http://attacker.example/api/extensions/x?portalId=4242&appId=77');
    expect(status).toBe(401);
    expect(reasons()).toEqual(['request target is not a path (absolute-form request line)']);
  });

  it('passes a JSON body on and refuses one that is not JSON', async () => {
    expect((await call('/api/extensions/x?portalId=4242&appId=77', { method: 'POST', body: '{"a":1}' })).body).toMatchObject({ json: { a: 1 } });
    expect(await call('/api/extensions/x?portalId=4242&appId=77', { method: 'POST', body: '{"a":' })).toEqual({ status: 400, body: { message: 'body is not valid JSON' } });
  });
});
