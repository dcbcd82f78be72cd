import { createHmac } from 'node:crypto';

/**
 * How HubSpot signs a request it sends (developers.hubspot.com, "Validating requests", v3): Base64
 * HMAC-SHA256, keyed by the app's client secret, over method + URI + body + timestamp, with the
 * URI as HubSpot called it. The sandbox's own copy, written from that page: it shares no code
 * with the app's verifier, so a mistake in one is not agreed with by the other.
 */
export function hubspotSignatureHeaders(clientSecret: string, method: string, uri: string, body: string, timestamp: number): Record<string, string> {
  const source = `${method}${uri}${body}${timestamp}`;
  return {
    'X-HubSpot-Signature-v3': createHmac('sha256', clientSecret).update(source, 'utf8').digest('base64'),
    'X-HubSpot-Request-Timestamp': String(timestamp),
  };
}
