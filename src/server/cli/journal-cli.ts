import { JOURNAL_RETENTION_MS, journalState, replayJournal } from '../../webhooks/journal-poller.js';
import { withCliRuntime } from './cli-redis.js';

/**
 * npm run journal -- --portal 4242 [--replay-since 2026-12-01T08:00:00Z]
 * Without --replay-since: where the account's Webhooks Journal reading stands (offset, lag, last
 * read, last error). With it: the journal is read again from its earliest entry (HubSpot keeps 3
 * days), queueing the changes made since that time that were never queued (what was queued once
 * is not queued again). The running workers do the reading. Uses the same configuration (env) as the app.
 */
export async function runJournalCli(argv: string[], env: NodeJS.ProcessEnv, out: (line: string) => void, now = Date.now): Promise<number> {
  const arg = (name: string) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
  const portalId = Number(arg('--portal'));
  const usage = 'usage: npm run journal -- --portal <HubSpot account id> [--replay-since <date and time, e.g. 2026-12-01T08:00:00Z>]';
  if (!Number.isInteger(portalId) || portalId <= 0) { out(usage); return 2; }
  const sinceText = arg('--replay-since');
  const since = sinceText === undefined ? undefined : Date.parse(sinceText);
  if (sinceText !== undefined && (!/^\d{4}-\d{2}-\d{2}/.test(sinceText) || Number.isNaN(since))) { out(`--replay-since: "${sinceText}" is not a date and time (like 2026-12-01T08:00:00Z)`); return 2; }
  if (since !== undefined && since < now() - JOURNAL_RETENTION_MS) out('note: HubSpot keeps the journal for 3 days; changes older than that cannot be replayed');
  if (since !== undefined && since > now()) { out(`--replay-since: ${sinceText} is in the future`); return 2; }
  return withCliRuntime(env, out, async (runtime) => {
    if (!runtime.config.journal) out('note: WEBHOOKS_JOURNAL is off for this configuration, so no worker reads the journal');
    const state = since === undefined ? await journalState(runtime.store, portalId) : await replayJournal(runtime.store, portalId, since);
    if (since !== undefined) out(`account ${portalId}: the journal is read again from its earliest entry; changes since ${new Date(since).toISOString()} that were never queued will be`);
    out(`account ${portalId}: subscriptions ${state.subscribed ? 'made' : 'not made yet'}; offset ${state.offset ?? 'none (earliest entry next)'}; lag ${state.lagSeconds ?? '?'} s; last read ${state.lastReadAt ?? 'never'}${state.lastError ? `; last error: ${state.lastError}` : ''}`);
    return 0;
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await runJournalCli(process.argv.slice(2), process.env, (l) => console.log(l));
}
