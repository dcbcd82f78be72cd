import { createHmac } from 'node:crypto';

/** What HubSpot does when it calls us; used by the sandbox, tests and benchmarks. */
export function signV3(secret: string, method: string, uri: string, body: string, timestamp: number): Record<string, string> {
  const signature = createHmac('sha256', secret).update(`${method}${uri}${body}${timestamp}`, 'utf8').digest('base64');
  return { 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': String(timestamp) };
}
