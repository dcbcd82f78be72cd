import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Signature } from '@hubspot/api-client';
import { decodeSignedUri, verifyLegacy, verifyRequest, verifyV3 } from '../../src/webhooks/verify-signature.js';

const secret = 'client-secret-for-tests';
const now = 1_790_000_000_000;
const body = '[{"eventId":1}]';
const uri = 'https://app.example.com/webhooks/hubspot';
const v3 = (method: string, u: string, b: string, ts: number) =>
  createHmac('sha256', secret).update(`${method}${u}${b}${ts}`).digest('base64');

describe('HubSpot request signatures', () => {
  it('accepts a v3 signature HubSpot made for this method, URI, body and timestamp', () => {
    expect(verifyV3(secret, 'POST', uri, body, v3('POST', uri, body, now), String(now), now)).toEqual({ ok: true });
  });

  it('refuses a tampered body', () => {
    const r = verifyV3(secret, 'POST', uri, body.replace('1', '2'), v3('POST', uri, body, now), String(now), now);
    expect(r).toEqual({ ok: false, reason: 'signature v3 does not match' });
  });

  it('refuses a signature made with another secret, and one of another length', () => {
    const other = createHmac('sha256', 'other').update(`POST${uri}${body}${now}`).digest('base64');
    expect(verifyV3(secret, 'POST', uri, body, other, String(now), now).ok).toBe(false);
    expect(verifyV3(secret, 'POST', uri, body, 'short', String(now), now).ok).toBe(false);
  });

  it('refuses a timestamp older than 5 minutes, naming the age', () => {
    const ts = now - 5 * 60_000 - 1000;
    const r = verifyV3(secret, 'POST', uri, body, v3('POST', uri, body, ts), String(ts), now);
    expect(r).toEqual({ ok: false, reason: expect.stringContaining('stale request') });
  });

  it('accepts a timestamp 4 minutes old', () => {
    const ts = now - 4 * 60_000;
    expect(verifyV3(secret, 'POST', uri, body, v3('POST', uri, body, ts), String(ts), now).ok).toBe(true);
  });

  it('refuses a missing signature or timestamp with a message naming the header', () => {
    expect(verifyV3(secret, 'POST', uri, body, undefined, String(now), now)).toEqual({ ok: false, reason: 'missing X-HubSpot-Signature-v3 header' });
    expect(verifyV3(secret, 'POST', uri, body, 'x', undefined, now)).toEqual({ ok: false, reason: expect.stringContaining('X-HubSpot-Request-Timestamp') });
  });

  it('decodes the characters HubSpot decodes before signing, and only those', () => {
    expect(decodeSignedUri('https://a.example/x%3Fy%2Fz?e=a%40b.c%3Bd%2a%20')).toBe('https://a.example/x?y/z?e=a@b.c;d*%20');
  });

  it('accepts a URI whose query carries encoded characters, as HubSpot signs it decoded', () => {
    const sent = 'https://app.example.com/webhooks/hubspot?user=a%40b.com&list=1%2C2';
    const signed = 'https://app.example.com/webhooks/hubspot?user=a@b.com&list=1,2';
    expect(verifyV3(secret, 'POST', sent, body, v3('POST', signed, body, now), String(now), now).ok).toBe(true);
  });

  it('refuses v1 and v2 signatures unless an operator allows them, and then checks them as X-HubSpot-Signature-Version says', () => {
    const s1 = createHash('sha256').update(secret + body).digest('hex');
    const s2 = createHash('sha256').update(secret + 'POST' + uri + body).digest('hex');
    expect(verifyLegacy('v1', secret, 'POST', uri, body, s1).ok).toBe(true);
    expect(verifyLegacy('v2', secret, 'POST', uri, body, s2).ok).toBe(true);
    expect(verifyLegacy('v2', secret, 'POST', uri, body, s1).ok).toBe(false);
    const headers: Record<string, string> = { 'x-hubspot-signature-version': 'v1', 'x-hubspot-signature': s1 };
    expect(verifyRequest(secret, { method: 'POST', uri, body, header: (n) => headers[n] }, now)).toEqual({ ok: false, reason: 'missing X-HubSpot-Signature-v3 header (signature v1/v2 are not accepted)' });
    expect(verifyRequest(secret, { method: 'POST', uri, body, header: (n) => headers[n] }, now, { allowLegacy: true }).ok).toBe(true);
  });

  it('refuses a request with no signature header at all', () => {
    expect(verifyRequest(secret, { method: 'POST', uri, body, header: () => undefined }, now)).toEqual({ ok: false, reason: expect.stringContaining('missing X-HubSpot-Signature-v3') });
    expect(verifyRequest(secret, { method: 'POST', uri, body, header: () => undefined }, now, { allowLegacy: true })).toEqual({ ok: false, reason: expect.stringContaining('no HubSpot signature') });
  });

  it('accepts a v3 signature made by HubSpot\'s own SDK over a URI with encoded characters, as well as the decoded form', () => {
    const encoded = 'https://autopilot.test/webhooks/hubspot?from=a%40b.example&x=%3A';
    const timestamp = String(now);
    // @hubspot/api-client's Signature.getSignature hashes the URI exactly as given.
    const bySdk = Signature.getSignature('POST', 'v3', { signature: '', clientSecret: secret, requestBody: body, url: encoded, timestamp: Number(timestamp) });
    expect(verifyV3(secret, 'POST', encoded, body, bySdk, timestamp, now)).toEqual({ ok: true });
    const decodedForm = v3('POST', decodeSignedUri(encoded), body, now);
    expect(verifyV3(secret, 'POST', encoded, body, decodedForm, timestamp, now)).toEqual({ ok: true });
    expect(verifyV3(secret, 'POST', encoded.replace('a%40b', 'c%40d'), body, bySdk, timestamp, now).ok).toBe(false);
  });

  it('refuses a timestamp more than 5 minutes in the future, as in the past', () => {
    const future = now + 5 * 60_000 + 1000;
    expect(verifyV3(secret, 'POST', uri, body, v3('POST', uri, body, future), String(future), now)).toEqual({ ok: false, reason: expect.stringContaining('stale request') });
    const soon = now + 4 * 60_000;
    expect(verifyV3(secret, 'POST', uri, body, v3('POST', uri, body, soon), String(soon), now)).toEqual({ ok: true });
  });

  it('signs test requests exactly as HubSpot\'s own SDK does', async () => {
    const { signV3 } = await import('../../src/webhooks/sign-request.js');
    const mine = signV3(secret, 'POST', uri, body, now)['x-hubspot-signature-v3'];
    expect(mine).toBe(Signature.getSignature('POST', 'v3', { signature: '', clientSecret: secret, requestBody: body, url: uri, timestamp: now }));
  });

  it('decodes each of the twelve characters HubSpot lists, in either case', () => {
    const encoded = '%3A%2F%3F%40%21%24%27%28%29%2A%2C%3B';
    expect(decodeSignedUri(encoded)).toBe(":/?@!$'()*,;");
    expect(decodeSignedUri(encoded.toLowerCase())).toBe(":/?@!$'()*,;");
    expect(decodeSignedUri('%41%25%3G')).toBe('%41%25%3G');
  });

  it('accepts exactly 5 minutes of age, and says how many seconds away a stale request is', () => {
    const edge = now - 5 * 60_000;
    expect(verifyV3(secret, 'POST', uri, body, v3('POST', uri, body, edge), String(edge), now)).toEqual({ ok: true });
    const ts = now - 301_000;
    expect(verifyV3(secret, 'POST', uri, body, v3('POST', uri, body, ts), String(ts), now)).toEqual({ ok: false, reason: 'stale request: timestamp is 301 s away from now (limit 300 s)' });
  });

  it('refuses a timestamp that is not only digits, even when the signature covers it', () => {
    for (const ts of [`${now}x`, `x${now}`, `${now}.5`, '']) {
      const sig = createHmac('sha256', secret).update(`POST${uri}${body}${ts}`).digest('base64');
      expect(verifyV3(secret, 'POST', uri, body, sig, ts, now), ts).toEqual({ ok: false, reason: 'missing or malformed X-HubSpot-Request-Timestamp header' });
    }
  });

  it('names the version whose legacy signature does not match, and a missing legacy header', () => {
    expect(verifyLegacy('v1', secret, 'POST', uri, body, 'nope')).toEqual({ ok: false, reason: 'signature v1 does not match' });
    expect(verifyLegacy('v2', secret, 'POST', uri, body, 'nope')).toEqual({ ok: false, reason: 'signature v2 does not match' });
    expect(verifyLegacy('v1', secret, 'POST', uri, body, undefined)).toEqual({ ok: false, reason: 'missing X-HubSpot-Signature header' });
  });

  it('checks a v2 signature (method and URI included) when legacy signatures are allowed', () => {
    const s2 = createHash('sha256').update(secret + 'POST' + uri + body).digest('hex');
    const headers: Record<string, string> = { 'x-hubspot-signature-version': 'v2', 'x-hubspot-signature': s2 };
    expect(verifyRequest(secret, { method: 'POST', uri, body, header: (n) => headers[n] }, now, { allowLegacy: true })).toEqual({ ok: true });
    expect(verifyRequest(secret, { method: 'GET', uri, body, header: (n) => headers[n] }, now, { allowLegacy: true })).toEqual({ ok: false, reason: 'signature v2 does not match' });
    const v9: Record<string, string> = { 'x-hubspot-signature-version': 'v9', 'x-hubspot-signature': s2 };
    expect(verifyRequest(secret, { method: 'POST', uri, body, header: (n) => v9[n] }, now, { allowLegacy: true }).ok).toBe(false);
  });

  it('hashes text as UTF-8 (a body with non-ASCII characters)', () => {
    const b = '[{"name":"Zoë Müller 東京"}]';
    const sig = createHmac('sha256', secret).update(Buffer.from(`POST${uri}${b}${now}`, 'utf8')).digest('base64');
    expect(verifyV3(secret, 'POST', uri, b, sig, String(now), now)).toEqual({ ok: true });
    const s1 = createHash('sha256').update(Buffer.from(secret + b, 'utf8')).digest('hex');
    expect(verifyLegacy('v1', secret, 'POST', uri, b, s1)).toEqual({ ok: true });
  });
});
