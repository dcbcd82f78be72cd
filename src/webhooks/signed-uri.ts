/**
 * The URI HubSpot signed: always our own public address plus the request's path and query.
 * Node accepts a request line in absolute form (`GET http://attacker.example/path`), and
 * `new URL(req.originalUrl, base)` would then take the attacker's host: such a target, or
 * anything else that is not a plain path, gives null and the request is refused.
 */
export function signedUri(publicBaseUrl: string, requestTarget: string): string | null {
  if (!requestTarget.startsWith('/') || requestTarget.startsWith('//')) return null;
  return `${publicBaseUrl.replace(/\/$/, '')}${requestTarget}`;
}
