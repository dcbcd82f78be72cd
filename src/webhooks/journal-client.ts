import { z } from 'zod';
import { PermanentError, TransientError } from '../queue/errors.js';
import { MAX_JOURNAL_FILE_BYTES } from './journal-entry.js';

/**
 * The scopes of the client-credentials token the journal needs (HubSpot's guide,
 * developers.hubspot.com/docs/api-reference/latest/webhooks-journal/guide, "Authentication and
 * scopes"; the spec's security names them webhooks-journal-data-access, -subscription-read and
 * -subscription-management). The objects' own scopes (crm.objects.contacts.read, ...) are the
 * install's, asked for in app-hsmeta.json.
 */
export const JOURNAL_SCOPES = ['developer.webhooks_journal.read', 'developer.webhooks_journal.subscriptions.read', 'developer.webhooks_journal.subscriptions.write'] as const;

const VERSION = '2026-03';
/** Every call and every download has an answer within this, or it fails (and the poller tries again later). */
const CALL_TIMEOUT_MS = 10_000;

/** What the journal watches for an account: the changes our webhooks component subscribes to. */
export const JOURNAL_SUBSCRIPTIONS = [
  { subscriptionType: 'OBJECT', objectTypeId: '0-1', actions: ['CREATE', 'DELETE'], objectIds: [], properties: [] },
  { subscriptionType: 'GDPR_PRIVACY_DELETION', objectTypeId: '0-1', actions: ['GDPR_DELETE'] },
  { subscriptionType: 'OBJECT', objectTypeId: '0-2', actions: ['CREATE', 'UPDATE', 'DELETE'], objectIds: [], properties: ['domain', 'hs_additional_domains', 'lifecyclestage'] },
  { subscriptionType: 'OBJECT', objectTypeId: '0-5', actions: ['CREATE', 'UPDATE'], objectIds: [], properties: ['subject'] },
] as const;

const tokenAnswer = z.object({ access_token: z.string().min(1), expires_in: z.number().int().positive() });
const entryPointers = z.object({
  results: z.array(z.object({ currentOffset: z.string().min(1).max(64), url: z.string().url().max(4096), expiresAt: z.string().optional() })).max(1000),
});
export type EntryPointer = z.infer<typeof entryPointers>['results'][number];

export interface JournalClientOptions { baseUrl: string; clientId: string; clientSecret: string; now?: () => number }

/** A failed journal call: transient ones (429, 5xx, no answer) carry how long to wait, as HubSpot's Retry-After says. */
export class JournalCallError extends TransientError {
  constructor(message: string, readonly retryAfterMs?: number) { super(message); this.name = 'JournalCallError'; }
}

/** HubSpot has no such offset (it is older than the journal's 3 days, or was never its): read again from the earliest entry. */
export class JournalOffsetUnknown extends PermanentError {
  constructor(offset: string) { super(`the journal has no offset ${offset} (older than its 3 days?)`); this.name = 'JournalOffsetUnknown'; }
}

/** A journal file over the size the app reads: its entry is quarantined, the journal goes on. */
export class JournalFileTooLarge extends PermanentError {
  constructor(readonly bytes: number) { super(`file is ${bytes} bytes, more than ${MAX_JOURNAL_FILE_BYTES}`); this.name = 'JournalFileTooLarge'; }
}

/**
 * HubSpot's Webhooks Journal with the app's client-credentials token (one token for the app, not
 * per account): subscriptions per install, the local journal read per install from an offset,
 * and each entry's file fetched from its pre-signed URL without our Authorization header.
 */
export class JournalClient {
  private token?: { value: string; until: number };
  private readonly now: () => number;

  constructor(private readonly o: JournalClientOptions) { this.now = o.now ?? Date.now; }

  /** Creates the account's journal subscriptions (an upsert: installing again changes nothing). */
  async subscribe(portalId: number): Promise<number[]> {
    const ids: number[] = [];
    for (const s of JOURNAL_SUBSCRIPTIONS) {
      const answer = await this.call<{ id: number }>('POST', `/webhooks-journal/subscriptions/${VERSION}`, { ...s, portalId });
      ids.push(answer.id);
    }
    return ids;
  }

  /** Deletes every journal subscription of the account (uninstall). */
  async unsubscribe(portalId: number): Promise<void> {
    await this.call('DELETE', `/webhooks-journal/subscriptions/${VERSION}/portals/${portalId}`);
  }

  /**
   * Up to `count` entries of the account's local journal after `offset` (from its earliest entry
   * when there is none yet). An offset HubSpot no longer has (older than the journal's 3 days, 404)
   * is a PermanentError: the caller starts again from the earliest entry.
   */
  async next(portalId: number, offset: string | null, count: number): Promise<EntryPointer[]> {
    const path = offset === null
      ? `/webhooks-journal/journal-local/${VERSION}/batch/earliest/${count}`
      : `/webhooks-journal/journal-local/${VERSION}/batch/${encodeURIComponent(offset)}/next/${count}`;
    const answer = await this.call<unknown>('GET', path, undefined, { installPortalId: String(portalId) }, { on404: () => { if (offset === null) return null; throw new JournalOffsetUnknown(offset); } });
    if (answer === null) return [];
    const parsed = entryPointers.safeParse(answer);
    if (!parsed.success) throw new PermanentError('the journal\'s answer lacks results with currentOffset and url');
    return parsed.data.results;
  }

  /** An entry's file: fetched without our token (the URL is pre-signed), bounded in size and time. */
  async download(url: string): Promise<string> {
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
    } catch (err) {
      throw new JournalCallError(`journal file unreachable (${failureKind(err)})`);
    }
    // A link that expired (403) is not the entry's fault: the batch is read again for fresh links.
    if (!res.ok) { await res.arrayBuffer().catch(() => undefined); throw new JournalCallError(`journal file answered ${res.status}${res.status < 500 && res.status !== 429 ? ' (its link may have expired)' : ''}`, retryAfter(res)); }
    const length = Number(res.headers.get('content-length') ?? 0);
    if (length > MAX_JOURNAL_FILE_BYTES) { await res.body?.cancel(); throw new JournalFileTooLarge(length); }
    return res.text();
  }

  private async accessToken(): Promise<string> {
    if (this.token && this.token.until > this.now()) return this.token.value;
    let res: Response;
    try {
      res = await fetch(`${this.o.baseUrl}/oauth/v3/token`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: this.o.clientId, client_secret: this.o.clientSecret, scope: JOURNAL_SCOPES.join(' ') }),
        signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
      });
    } catch (err) {
      // Only the kind of failure: a client's error text may repeat the request, and this one holds the client secret.
      throw new JournalCallError(`HubSpot token endpoint unreachable (${failureKind(err)})`);
    }
    const body: unknown = await res.json().catch(() => ({}));
    if (res.status === 429 || res.status >= 500) throw new JournalCallError(`HubSpot token endpoint answered ${res.status}`, retryAfter(res));
    const parsed = tokenAnswer.safeParse(body);
    if (!res.ok || !parsed.success) throw new PermanentError(`HubSpot refused the app's client-credentials token (${res.status}): ${(body as { message?: string }).message ?? 'no access_token'}; the app needs the scopes ${JOURNAL_SCOPES.join(', ')}`);
    // A minute early, so a token never expires between our check and HubSpot's.
    this.token = { value: parsed.data.access_token, until: this.now() + Math.max(0, parsed.data.expires_in - 60) * 1000 };
    return this.token.value;
  }

  private async call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, qs?: Record<string, string>, o: { on404?: () => null } = {}): Promise<T> {
    const url = new URL(`${this.o.baseUrl}${path}`);
    for (const [k, v] of Object.entries(qs ?? {})) url.searchParams.set(k, v);
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${await this.accessToken()}`, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
      });
    } catch (err) {
      if (err instanceof JournalCallError || err instanceof PermanentError) throw err;
      throw new JournalCallError(`HubSpot's journal (${method} ${path}) did not answer (${failureKind(err)})`);
    }
    const text = await res.text().catch(() => '');
    if (res.status === 401) this.token = undefined;
    if (res.status === 429 || res.status >= 500 || res.status === 401) throw new JournalCallError(`HubSpot's journal answered ${res.status} to ${method} ${path}`, retryAfter(res));
    if (res.status === 404 && o.on404) return o.on404() as T;
    if (!res.ok) throw new PermanentError(`HubSpot's journal refused ${method} ${path} (${res.status}): ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

/** What kind of failure a fetch met (ECONNREFUSED, TimeoutError...), never its text. */
function failureKind(err: unknown): string {
  const e = err as Error & { cause?: { code?: unknown } };
  return typeof e.cause?.code === 'string' ? e.cause.code : e.name || 'Error';
}

/** HubSpot's Retry-After (seconds), bounded to a minute. */
function retryAfter(res: Response): number | undefined {
  const s = Number(res.headers.get('retry-after'));
  return Number.isFinite(s) && s > 0 ? Math.min(60, s) * 1000 : undefined;
}
