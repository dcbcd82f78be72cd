import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const MAX_SIGNATURE_AGE_MS = 5 * 60_000;

export type SignatureResult = { ok: true } | { ok: false; reason: string };

// HubSpot signs the URI with these characters decoded (developers.hubspot.com/docs/apps/
// developer-platform/build-apps/authentication/request-validation, "Validate the v3 request
// signature"); a proxy or client that leaves them encoded would otherwise fail validation.
const DECODED: Record<string, string> = {
  '%3A': ':', '%2F': '/', '%3F': '?', '%40': '@', '%21': '!', '%24': '$',
  '%27': "'", '%28': '(', '%29': ')', '%2A': '*', '%2C': ',', '%3B': ';',
};

export function decodeSignedUri(uri: string): string {
  return uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => DECODED[m.toUpperCase()] ?? m);
}

function sameText(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  // timingSafeEqual throws on a length mismatch; the length itself is not secret.
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * v3: Base64 HMAC-SHA256 over method + URI + body + timestamp, keyed by the client secret.
 * HubSpot's request-validation page decodes a list of characters in the URI first; its own Node
 * SDK (`@hubspot/api-client` Signature.isValid) hashes the URI as it is. Both are HubSpot's word
 * and both are HMACs with our secret, so either form proves the request is HubSpot's.
 */
export function verifyV3(
  secret: string, method: string, uri: string, body: string,
  signature: string | undefined, timestamp: string | undefined, now: number,
): SignatureResult {
  if (!signature) return { ok: false, reason: 'missing X-HubSpot-Signature-v3 header' };
  if (!timestamp || !/^\d+$/.test(timestamp)) return { ok: false, reason: 'missing or malformed X-HubSpot-Request-Timestamp header' };
  const age = now - Number(timestamp);
  if (Math.abs(age) > MAX_SIGNATURE_AGE_MS) return { ok: false, reason: `stale request: timestamp is ${Math.round(age / 1000)} s away from now (limit 300 s)` };
  const sign = (u: string) => createHmac('sha256', secret).update(`${method}${u}${body}${timestamp}`).digest('base64');
  const decoded = sameText(sign(decodeSignedUri(uri)), signature);
  const raw = sameText(sign(uri), signature);
  return decoded || raw ? { ok: true } : { ok: false, reason: 'signature v3 does not match' };
}

/** v1: hex SHA-256 of secret + body. v2: hex SHA-256 of secret + method + URI + body. */
export function verifyLegacy(
  version: 'v1' | 'v2', secret: string, method: string, uri: string, body: string, signature: string | undefined,
): SignatureResult {
  if (!signature) return { ok: false, reason: 'missing X-HubSpot-Signature header' };
  const source = version === 'v1' ? secret + body : secret + method + uri + body;
  const expected = createHash('sha256').update(source).digest('hex');
  return sameText(expected, signature) ? { ok: true } : { ok: false, reason: `signature ${version} does not match` };
}

export interface SignedRequest {
  method: string;
  uri: string;
  body: string;
  header: (name: string) => string | undefined;
}

/**
 * v3, which HubSpot sends with every request. The older versions carry no timestamp (a captured
 * request would replay forever) and are accepted only when an operator explicitly allows them.
 */
export function verifyRequest(secret: string, req: SignedRequest, now: number, options: { allowLegacy?: boolean } = {}): SignatureResult {
  const v3 = req.header('x-hubspot-signature-v3');
  if (v3 !== undefined) return verifyV3(secret, req.method, req.uri, req.body, v3, req.header('x-hubspot-request-timestamp'), now);
  if (!options.allowLegacy) return { ok: false, reason: 'missing X-HubSpot-Signature-v3 header (signature v1/v2 are not accepted)' };
  const version = req.header('x-hubspot-signature-version');
  if (version === 'v1' || version === 'v2') return verifyLegacy(version, secret, req.method, req.uri, req.body, req.header('x-hubspot-signature'));
  return { ok: false, reason: 'no HubSpot signature: expected X-HubSpot-Signature-v3 (or X-HubSpot-Signature with X-HubSpot-Signature-Version v1/v2)' };
}
