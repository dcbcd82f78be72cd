import { hubspot } from '@hubspot/ui-extensions';

/** Our backend, as listed in app-hsmeta.json permittedUrls.fetch. */
export const BACKEND_URL = 'https://autopilot.example.com';

export interface Caller { portalId: number; userId?: number; userEmail?: string }

/**
 * The one hubspot.fetch client. HubSpot signs the request (v3) over the full URL, so the account
 * and user we send as query parameters are covered by the signature the backend checks.
 */
export async function callBackend<T>(caller: Caller, path: string, init: { method?: 'GET' | 'PUT' | 'POST' | 'DELETE'; body?: unknown } = {}): Promise<T> {
  const url = new URL(`/api/extensions${path}`, BACKEND_URL);
  url.searchParams.set('portalId', String(caller.portalId));
  if (caller.userId) url.searchParams.set('userId', String(caller.userId));
  if (caller.userEmail) url.searchParams.set('userEmail', caller.userEmail);
  // hubspot.fetch gives up after 15 s; 12 s leaves room to show our own message.
  const res = await hubspot.fetch(url.toString(), { method: init.method ?? 'GET', body: init.body as Record<string, unknown> | undefined, timeout: 12_000 });
  const body = (await res.json().catch(() => ({}))) as T & { message?: string };
  if (!res.ok) throw Object.assign(new Error(body.message ?? `HTTP ${res.status}`), { status: res.status, body });
  return body;
}
