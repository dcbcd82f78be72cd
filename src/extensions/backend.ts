import { hubspot } from '@hubspot/ui-extensions';

/** Our backend, as listed in app-hsmeta.json permittedUrls.fetch. */
export const BACKEND_URL = 'https://autopilot.example.com';

/**
 * The one hubspot.fetch client. HubSpot appends the account and the user (`portalId`, `userId`,
 * `userEmail`, `appId`) to the URL and signs it (v3); the card never adds them itself, and the
 * backend refuses a request where any of them appears twice.
 */
export async function callBackend<T>(path: string, init: { method?: 'GET' | 'PUT' | 'POST' | 'DELETE'; body?: unknown } = {}): Promise<T> {
  const url = new URL(`/api/extensions${path}`, BACKEND_URL);
  // hubspot.fetch gives up after 15 s; 12 s leaves room to show our own message.
  const res = await hubspot.fetch(url.toString(), { method: init.method ?? 'GET', body: init.body as Record<string, unknown> | undefined, timeout: 12_000 });
  const body = (await res.json().catch(() => ({}))) as T & { message?: string };
  if (!res.ok) throw Object.assign(new Error(body.message ?? `HTTP ${res.status}`), { status: res.status, body });
  return body;
}
