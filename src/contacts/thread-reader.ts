import type { HubSpotGateway } from '../hubspot/gateway.js';
import { Coalescer } from '../hubspot/coalescer.js';

/** What the inbound flow reads of a thread. */
export interface Thread { id: string; spam?: boolean; createdAt: string }

/** One thread's read: the thread, or the error its own read ended in (the batch's other threads go on). */
export type ThreadRead = { thread: Thread } | { error: unknown };

/** HubSpot's clock and ours may disagree by this much. */
const CLOCK_MARGIN_MS = 5 * 60_000;
/** Events older than this are read one by one: listing everything active since then would cost more pages than it saves. */
const LIST_SPAN_MS = 10 * 60_000;
/** Pages of the thread list read at most per batch (500 threads each). */
const MAX_PAGES = 2;
const PAGE = 500;

interface ThreadPage { results: Thread[]; paging?: { next?: { after?: string } } }

/**
 * The threads of an account's conversation events that arrive close together are read with one
 * call: HubSpot's thread list sorted by latest message (`sort=latestMessageTimestamp`, which needs
 * `latestMessageTimestampAfter`, as HubSpot's reference for GET /conversations/v3/conversations/threads
 * says), from a little before the oldest event. A thread that list does not hold (an old event, a
 * thread HubSpot leaves out of lists, a list that has not caught up yet, more threads than its
 * pages) is read on its own, as is every thread when the list fails, so what each job gets is
 * always the thread as HubSpot has it; the list only saves calls.
 */
export function threadReader(hubspot: HubSpotGateway, o = { windowMs: 150, maxBatch: PAGE }) {
  return new Coalescer<{ threadId: string; occurredAt: number }, ThreadRead>(async (portalId, inputs) => {
    const wanted = new Set(inputs.map((i) => i.threadId));
    const found = new Map<string, Thread>();
    const recent = inputs.filter((i) => Date.now() - i.occurredAt < LIST_SPAN_MS);
    // One thread costs one read either way.
    if (new Set(recent.map((i) => i.threadId)).size > 1) {
      const since = new Date(Math.min(...recent.map((i) => i.occurredAt)) - CLOCK_MARGIN_MS).toISOString();
      try {
        let after: string | undefined;
        for (let page = 0; page < MAX_PAGES && found.size < wanted.size; page++) {
          const res = await hubspot.request<ThreadPage>(portalId, 'conversations.threads.list', {
            method: 'GET', path: '/conversations/v3/conversations/threads',
            qs: { sort: 'latestMessageTimestamp', latestMessageTimestampAfter: since, limit: String(PAGE), ...(after ? { after } : {}) },
          });
          for (const t of res.results) if (wanted.has(t.id)) found.set(t.id, t);
          after = res.paging?.next?.after;
          if (!after) break;
        }
      } catch {
        // The list is a saving, never a condition: every thread it did not give is read on its own below.
      }
    }
    const own = new Map<string, ThreadRead>();
    await Promise.all([...wanted].filter((id) => !found.has(id)).map(async (id) => {
      try {
        own.set(id, { thread: await hubspot.request<Thread>(portalId, 'conversations.threads.get', { method: 'GET', path: `/conversations/v3/conversations/threads/${id}` }) });
      } catch (error) {
        own.set(id, { error });
      }
    }));
    return inputs.map((i) => {
      const t = found.get(i.threadId);
      return t ? { thread: t } : own.get(i.threadId)!;
    });
  }, o);
}
