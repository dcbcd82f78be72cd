import { createHmac } from 'node:crypto';
import { decodeSignedUri } from './verify-signature.js';

/** What HubSpot does when it calls us (v3 over the URI with its listed characters decoded); used by the sandbox, tests and benchmarks. */
export function signV3(secret: string, method: string, uri: string, body: string, timestamp: number): Record<string, string> {
  const signature = createHmac('sha256', secret).update(`${method}${decodeSignedUri(uri)}${body}${timestamp}`, 'utf8').digest('base64');
  return { 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': String(timestamp) };
}
