import type { Logger } from 'pino';
import type { HubSpotGateway } from '../hubspot/gateway.js';
import type { Metrics } from '../platform/metrics.js';
import { withDeadline } from '../platform/with-deadline.js';
import type { EventQueue } from '../queue/event-queue.js';
import { caps, keys } from '../store/keys.js';
import { LockBusyError, type Store } from '../store/store.js';
import type { HubSpotEvent } from './event-schema.js';
import { JournalCallError, JournalFileTooLarge, JournalOffsetUnknown, type JournalClient } from './journal-client.js';
import { readJournalFile } from './journal-entry.js';
import type { Quarantine } from './quarantine.js';
import { allQueued, checkEvent, queueOnce } from './webhook-edge.js';

/** Where an account's journal reading stands (kept in Redis, so any worker can go on from it). */
export interface JournalState {
  /** The currentOffset of the last entry whose events are queued; null: start at the earliest entry. */
  offset: string | null;
  /** The journal subscriptions exist (made at install; made again by the reader when they failed then). */
  subscribed: boolean;
  /** A replay's start (ms): changes older than this are skipped while the journal is read again from its earliest entry. */
  since?: number;
  /** The newest incoming message of a thread turned into an event (ms), for the conversation side. */
  threadsAfter?: number;
  lagSeconds?: number;
  lastReadAt?: string;
  lastError?: string;
}

export interface JournalPollerDeps {
  client: JournalClient;
  store: Store;
  queue: EventQueue;
  quarantine: Quarantine;
  metrics: Metrics;
  log: Logger;
  /** The account's own token (thread list): conversations are no journal object type. */
  hubspot: HubSpotGateway;
  /** The accounts to read: every OAuth install, or the private app's one account. */
  accounts: () => Promise<number[]>;
  now?: () => number;
  /** Entries read per call (HubSpot's batch endpoints take a count). */
  batchSize?: number;
  /** How often each account's journal is looked at when it is caught up. */
  intervalMs?: number;
  /** Told each event this reader queued first, with how long after the change (ms): the benchmark's lag. */
  onQueued?: (event: HubSpotEvent, delayMs: number) => void;
}

/** HubSpot keeps an account's journal this long: a replay cannot start earlier. */
export const JOURNAL_RETENTION_MS = 3 * 24 * 3600_000;

/** The lease lapses this long after its holder stops renewing it (a dead worker's lease included). */
const LEASE_MS = 30_000;
/** A read cycle ends well within its lease, so two processes never read one account at once. */
const CYCLE_MS = 20_000;
const MAX_BACKOFF_MS = 60_000;
/** Accounts one process reads at once. */
const ACCOUNTS_AT_ONCE = 8;
/** Files fetched at once within a batch. */
const DOWNLOADS_AT_ONCE = 8;
/** Threads listed per call and pages per cycle, and how far back the very first read starts. */
const THREAD_PAGE = 500;
const THREAD_PAGES = 4;
const THREAD_MARGIN_MS = 5 * 60_000;
/** Each read lists again the last minute before the newest message seen (HubSpot's list may show a message late). */
const THREAD_OVERLAP_MS = 60_000;

export const journalState = async (store: Store, portalId: number): Promise<JournalState> => {
  const raw = await store.get(keys.journal(portalId));
  return raw ? (JSON.parse(raw) as JournalState) : { offset: null, subscribed: false };
};
const saveState = (store: Store, portalId: number, state: JournalState) => store.set(keys.journal(portalId), JSON.stringify(state));

/**
 * "Read the journal again from its earliest entry, queueing what changed since `since`": for an
 * operator (npm run journal -- --replay-since) and an admin (settings page). Changes already queued once (the
 * 48-hour dedupe marks) are not queued again; the ones HubSpot never delivered are.
 */
export async function replayJournal(store: Store, portalId: number, since: number): Promise<JournalState> {
  const state = { ...(await journalState(store, portalId)), offset: null, since, threadsAfter: since };
  await saveState(store, portalId, state);
  return state;
}

/** Install: the account's journal subscriptions are made now; when HubSpot fails, the reader makes them before its first read. */
export async function subscribeAtInstall(client: JournalClient, store: Store, portalId: number, log: Logger): Promise<void> {
  try {
    await client.subscribe(portalId);
    await saveState(store, portalId, { ...(await journalState(store, portalId)), subscribed: true });
  } catch (err) {
    log.warn({ portalId, reason: (err as Error).message }, 'journal subscriptions not made at install; the journal reader makes them');
  }
}

/** Uninstall: nothing the app kept for the account's journal is left. */
/**
 * Uninstall: the account leaves the readers' list, then, holding the account's lease (a read
 * cycle under way ends first: at most CYCLE_MS), its subscriptions go (`unsubscribe`) and what was
 * kept for it. A cycle that starts later finds the account no longer installed and reads nothing,
 * so no reader makes the subscriptions again for an account that left.
 */
export async function stopJournal(store: Store, portalId: number, unsubscribe: () => Promise<void>, wait: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms))): Promise<void> {
  await store.removeFromList(keys.installedAccounts(), String(portalId));
  const giveUpAt = Date.now() + LEASE_MS;
  for (;;) {
    try {
      return await store.withLock(keys.journalLease(portalId), LEASE_MS, async () => { await unsubscribe(); await store.del(keys.journal(portalId)); });
    } catch (err) {
      if (!(err instanceof LockBusyError) || Date.now() > giveUpAt) throw err;
      await wait(200);
    }
  }
}

/** Install: the account is read from now on (once in the list, whatever how often it installs). */
export async function rememberInstall(store: Store, portalId: number): Promise<void> {
  await store.removeFromList(keys.installedAccounts(), String(portalId));
  await store.pushCapped(keys.installedAccounts(), String(portalId), caps.installedAccounts);
}

export const installedAccounts = async (store: Store): Promise<number[]> => (await store.range(keys.installedAccounts(), 0, -1)).map(Number).filter((n) => Number.isSafeInteger(n) && n > 0);

/**
 * One reader per account across every worker process: a lease in Redis (SET NX PX) that lapses
 * when its holder dies. A cycle reads the account's local journal from its stored offset, turns
 * each entry into the webhook edge's internal events, queues them under the edge's dedupe keys
 * (an event that came both ways is queued once) and only then moves the offset; a failure before
 * that leaves the offset where it was, so the same entries are read again. 429, 5xx and no answer
 * back off per account (doubling to a minute, or HubSpot's Retry-After).
 */
export class JournalPoller {
  private readonly now: () => number;
  private readonly backoff = new Map<number, { until: number; ms: number }>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(private readonly d: JournalPollerDeps) { this.now = d.now ?? Date.now; }

  start(): void {
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      this.running = this.pollAll().finally(() => { if (!this.stopped) this.timer = setTimeout(tick, this.d.intervalMs ?? 2000); });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One look at every account (those backing off wait their turn). */
  async pollAll(): Promise<void> {
    let accounts: number[];
    try { accounts = await this.d.accounts(); } catch (err) { this.d.log.warn({ reason: (err as Error).message }, 'journal: the installed accounts could not be read'); return; }
    const due = accounts.filter((portalId) => (this.backoff.get(portalId)?.until ?? 0) <= this.now());
    // A few accounts at a time per process: many installs must not open hundreds of reads at once.
    for (let i = 0; i < due.length && !this.stopped; i += ACCOUNTS_AT_ONCE) await Promise.all(due.slice(i, i + ACCOUNTS_AT_ONCE).map((portalId) => this.pollAccount(portalId)));
  }

  /** Reads one account's journal until it is caught up or the cycle's time is spent; false when another process holds the lease. */
  async pollAccount(portalId: number): Promise<boolean> {
    try {
      await this.d.store.withLock(keys.journalLease(portalId), LEASE_MS, () => withDeadline(this.cycle(portalId), CYCLE_MS, () => new JournalCallError(`journal read for account ${portalId} took longer than ${CYCLE_MS / 1000} s`)));
      this.backoff.delete(portalId);
      return true;
    } catch (err) {
      if (err instanceof LockBusyError) { this.d.metrics.journalReads.inc({ outcome: 'busy' }); return false; }
      this.d.metrics.journalReads.inc({ outcome: 'failed' });
      const previous = this.backoff.get(portalId)?.ms ?? 500;
      const ms = err instanceof JournalCallError && err.retryAfterMs ? err.retryAfterMs : Math.min(MAX_BACKOFF_MS, previous * 2);
      this.backoff.set(portalId, { until: this.now() + ms, ms });
      this.d.log.warn({ portalId, reason: (err as Error).message, retryInMs: ms }, 'journal read failed; the offset stays, the same entries are read again');
      await this.note(portalId, { lastError: (err as Error).message.slice(0, 300) }).catch(() => undefined);
      return true;
    }
  }

  private async note(portalId: number, patch: Partial<JournalState>): Promise<void> {
    await saveState(this.d.store, portalId, { ...(await journalState(this.d.store, portalId)), ...patch });
  }

  private async cycle(portalId: number): Promise<void> {
    // Uninstalled since the list was read (uninstall waits for this lease): nothing to read, nothing to make.
    if (!(await this.d.accounts()).includes(portalId)) return;
    const state = await journalState(this.d.store, portalId);
    if (!state.subscribed) {
      await this.d.client.subscribe(portalId);
      state.subscribed = true;
      await saveState(this.d.store, portalId, state);
      this.d.log.info({ portalId }, 'journal subscriptions made');
    }
    const until = this.now() + CYCLE_MS / 2;
    let newest: number | undefined;
    for (;;) {
      const batch = await this.readBatch(portalId, state);
      if (batch.newest !== undefined) newest = Math.max(newest ?? 0, batch.newest);
      if (!batch.full || this.now() > until) break;
    }
    await this.readThreads(portalId, state);
    // Caught up: nothing waits to be read. Otherwise, how old the newest change this cycle queued was.
    state.lagSeconds = newest === undefined ? 0 : Math.max(0, (this.now() - newest) / 1000);
    state.lastReadAt = new Date(this.now()).toISOString();
    delete state.lastError;
    await saveState(this.d.store, portalId, state);
    this.d.metrics.journalLag.set({ portal: String(portalId) }, state.lagSeconds);
  }

  /** One batch: its files read, their events queued, then the offset moved past them. */
  private async readBatch(portalId: number, state: JournalState): Promise<{ full: boolean; newest?: number }> {
    const size = this.d.batchSize ?? 100;
    let pointers;
    try {
      pointers = await this.d.client.next(portalId, state.offset, size);
    } catch (err) {
      // An offset the journal no longer has (older than its 3 days): read again from the earliest entry; what was queued is not queued twice.
      if (!(err instanceof JournalOffsetUnknown)) throw err;
      this.d.log.warn({ portalId, offset: state.offset, reason: err.message }, 'journal offset no longer known; reading from the earliest entry');
      state.offset = null;
      return { full: true };
    }
    if (!pointers.length) { this.d.metrics.journalReads.inc({ outcome: 'empty' }); return { full: false }; }
    const texts: (string | JournalFileTooLarge)[] = new Array(pointers.length);
    for (let i = 0; i < pointers.length; i += DOWNLOADS_AT_ONCE) {
      await Promise.all(pointers.slice(i, i + DOWNLOADS_AT_ONCE).map(async (p, j) => {
        texts[i + j] = await this.d.client.download(p.url).catch((err: unknown) => { if (err instanceof JournalFileTooLarge) return err; throw err; });
      }));
    }
    const events: HubSpotEvent[] = [];
    const invalid: { index: number; reason: string; portalId: number | null; raw: string }[] = [];
    pointers.forEach((p, i) => {
      const text = texts[i]!;
      if (text instanceof JournalFileTooLarge) { invalid.push({ index: i, reason: `journal entry ${p.currentOffset}: ${text.message}`, portalId, raw: p.url }); return; }
      const read = readJournalFile(text, p.currentOffset);
      // Each account reads its own journal: an entry naming another account is refused, never queued for it.
      for (const e of read.events) {
        if (e.portalId === portalId) events.push(e);
        else invalid.push({ index: i, reason: `journal entry ${p.currentOffset}: names account ${e.portalId}, read for ${portalId}`, portalId, raw: JSON.stringify(e).slice(0, 16 * 1024) });
      }
      // Whatever an entry says, it came from this account's local journal.
      invalid.push(...read.invalid.map((x) => ({ ...x, index: i, portalId })));
    });
    const wanted = state.since === undefined ? events : events.filter((e) => e.occurredAt >= state.since!);
    if (invalid.length) await this.d.quarantine.add(invalid);
    await this.queue(wanted);
    state.offset = pointers[pointers.length - 1]!.currentOffset;
    // Saved at once: a later failure in this cycle starts after what is queued.
    await saveState(this.d.store, portalId, state);
    this.d.metrics.journalReads.inc({ outcome: 'read' });
    return { full: pointers.length >= size, newest: wanted.length ? Math.max(...wanted.map((e) => e.occurredAt)) : undefined };
  }

  /** Queued under the edge's dedupe keys; an event another path claimed but has not queued yet keeps the offset here. */
  private async queue(events: HubSpotEvent[]): Promise<void> {
    if (!events.length) return;
    const { fresh, others } = await queueOnce(this.d.store, this.d.queue, events);
    if (!(await allQueued(this.d.store, others))) throw new JournalCallError('some events are still being queued by a webhook delivery; reading these entries again');
    const now = this.now();
    for (const j of fresh) {
      this.d.metrics.journalDelay.observe(Math.max(0, (now - j.event.occurredAt) / 1000));
      this.d.onQueued?.(j.event, now - j.event.occurredAt);
    }
    const queued = new Set(fresh.map((j) => j.event));
    for (const e of events) this.d.metrics.webhookEvents.inc({ outcome: queued.has(e) ? 'queued' : 'duplicate', subscription_type: e.subscriptionType, known: 'true' });
  }

  /**
   * Conversations are no journal object type (the 2026-03 subscriptions name CRM objects), so the
   * conversation side of an install is read from HubSpot's thread list by latest message: every
   * thread with an incoming message since a little before the newest one seen becomes the
   * conversation.newMessage event a webhook would have brought. The overlap (a message listed late,
   * two in the same millisecond either side of a read) costs nothing: a thread and its message time
   * make one dedupe key, so it is queued once, and the inbound handler reads each thread once.
   */
  private async readThreads(portalId: number, state: JournalState): Promise<void> {
    const after = state.threadsAfter ?? this.now() - THREAD_MARGIN_MS;
    const from = after - THREAD_OVERLAP_MS;
    const events: HubSpotEvent[] = [];
    let newest = after;
    let page: string | undefined;
    for (let pages = 0; pages < THREAD_PAGES; pages++) {
      const res = await this.d.hubspot.request<{ results: { id: string; latestMessageReceivedTimestamp?: string }[]; paging?: { next?: { after?: string } } }>(portalId, 'conversations.threads.list', {
        method: 'GET', path: '/conversations/v3/conversations/threads',
        qs: { sort: 'latestMessageTimestamp', latestMessageTimestampAfter: new Date(from).toISOString(), limit: String(THREAD_PAGE), ...(page ? { after: page } : {}) },
      });
      for (const t of res.results) {
        const at = t.latestMessageReceivedTimestamp ? Date.parse(t.latestMessageReceivedTimestamp) : NaN;
        if (!(at >= from)) continue;
        const checked = checkEvent({ eventId: at, subscriptionId: 1, portalId, occurredAt: at, subscriptionType: 'conversation.newMessage', attemptNumber: 0, objectId: t.id, changeSource: 'CONVERSATIONS', messageType: 'MESSAGE', changeFlag: 'NEW_INCOMING' });
        if (checked.ok) events.push(checked.event);
        newest = Math.max(newest, at);
      }
      page = res.paging?.next?.after;
      if (!page) break;
    }
    await this.queue(events);
    state.threadsAfter = newest;
  }
}
