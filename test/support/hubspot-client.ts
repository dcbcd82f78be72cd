import { signV3 } from '../../src/webhooks/sign-request.js';
import { PUBLIC_URL, TEST_APP_ID, TEST_SECRET } from './test-app.js';

let nextEventId = 1;

/** A HubSpot webhook event as HubSpot sends it. */
export function event(overrides: Record<string, unknown> = {}) {
  return {
    eventId: nextEventId++, subscriptionId: 100, portalId: 4242, appId: 77, occurredAt: Date.now(),
    subscriptionType: 'conversation.creation', attemptNumber: 0, objectId: 9000 + nextEventId, changeSource: 'CONVERSATIONS',
    ...overrides,
  };
}

/** Sends like HubSpot: v3-signed over the public URL, to the app's real address. */
export async function deliver(appUrl: string, body: unknown, opts: { path?: string; secret?: string; timestamp?: number; headers?: Record<string, string>; raw?: string; method?: string; /** send the path as given, without the appId HubSpot appends */ exactPath?: boolean; /** the app's PUBLIC_BASE_URL, when it is not the test default */ publicUrl?: string } = {}) {
  const path = opts.exactPath ? opts.path! : withAppId(opts.path ?? '/webhooks/hubspot');
  const text = opts.raw ?? JSON.stringify(body);
  const method = opts.method ?? 'POST';
  const signed = signV3(opts.secret ?? TEST_SECRET, method, `${opts.publicUrl ?? PUBLIC_URL}${path}`, method === 'GET' ? '' : text, opts.timestamp ?? Date.now());
  const res = await fetch(`${appUrl}${path}`, {
    method, body: method === 'GET' ? undefined : text,
    headers: { 'content-type': 'application/json', ...signed, ...opts.headers },
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> | null };
}

/** hubspot.fetch appends the user and the app's id to every card request it signs (user 1 unless the test names one). */
function withAppId(path: string): string {
  if (!path.startsWith('/api/extensions')) return path;
  let out = path;
  if (!/[?&]userId=/.test(out)) out = `${out}${out.includes('?') ? '&' : '?'}userId=1`;
  if (!/[?&]appId=/.test(out)) out = `${out}&appId=${TEST_APP_ID}`;
  return out;
}
