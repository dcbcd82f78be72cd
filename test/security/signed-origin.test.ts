import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signV3 } from '../../src/webhooks/sign-request.js';
import { rawRequest } from '../support/raw-http.js';
import { startTestApp, TEST_SECRET } from '../support/test-app.js';

type App = Awaited<ReturnType<typeof startTestApp>>;
let app: App;
beforeAll(async () => { app = await startTestApp(); });
afterAll(async () => { await app.stop(); });

describe('the signed URI is always our public URL plus the request path', () => {
  const port = () => Number(new URL(app.url!).port);

  it('refuses a card request whose absolute-form request line names another host it was signed for', async () => {
    const target = 'http://attacker.example/api/extensions/settings?userId=1&portalId=4242&appId=77';
    const status = await rawRequest(port(), 'GET', target, signV3(TEST_SECRET, 'GET', target, '', Date.now()));
    expect(status).toBe(401);
  });

  it('refuses a webhook whose absolute-form request line names another host it was signed for', async () => {
    const target = 'http://attacker.example/webhooks/hubspot';
    const body = '[]';
    const status = await rawRequest(port(), 'POST', target, signV3(TEST_SECRET, 'POST', target, body, Date.now()), body);
    expect(status).toBe(401);
  });

  it('accepts the same card request in origin form, signed over the public URL', async () => {
    const target = '/api/extensions/settings?userId=1&portalId=4242&appId=77';
    const status = await rawRequest(port(), 'GET', target, signV3(TEST_SECRET, 'GET', `https://autopilot.test${target}`, '', Date.now()));
    expect(status).toBe(200);
  });
});

describe('the card API takes v3 signatures only', () => {
  it('refuses a card GET signed v1 (the same signature for every GET, so it would replay forever)', async () => {
    const { createHash } = await import('node:crypto');
    const path = '/api/extensions/settings?userId=1&portalId=4242&appId=77';
    const v1 = createHash('sha256').update(TEST_SECRET).digest('hex');
    const res = await fetch(`${app.url}${path}`, { headers: { 'x-hubspot-signature': v1, 'x-hubspot-signature-version': 'v1' } });
    expect(res.status).toBe(401);
  });

  it('refuses a webhook signed v1 unless the operator turned legacy signatures on', async () => {
    const { createHash } = await import('node:crypto');
    const body = JSON.stringify([{ eventId: 1, subscriptionId: 1, portalId: 4242, occurredAt: Date.now(), subscriptionType: 'contact.creation', attemptNumber: 0, objectId: 5 }]);
    const v1 = createHash('sha256').update(TEST_SECRET + body).digest('hex');
    const res = await fetch(`${app.url}/webhooks/hubspot`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-hubspot-signature': v1, 'x-hubspot-signature-version': 'v1' } });
    expect(res.status).toBe(401);
  });
});
