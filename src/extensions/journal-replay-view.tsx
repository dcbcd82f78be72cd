import { useState } from 'react';
import { Alert, Button, Flex, Heading, Select, Text } from '@hubspot/ui-extensions';
import { t, type Language } from '../i18n/messages.js';
import { JournalLines, type AccountStatus } from './status-card-view.js';
import type { Loadable } from './load-states.js';

/** How far back an admin can replay: HubSpot keeps the journal for 3 days. */
export const REPLAY_SPANS = { hour: 3600_000, sixHours: 6 * 3600_000, day: 24 * 3600_000, threeDays: 3 * 24 * 3600_000 - 60_000 } as const;
export type ReplaySpan = keyof typeof REPLAY_SPANS;

export type ReplayOutcome = { ok: true; replayingSince: string } | { ok: false; message: string };

export interface JournalReplayViewProps {
  status: Loadable<AccountStatus>;
  language: Language;
  readOnly: boolean;
  /** Asks the app to read the journal again from this time (ISO). */
  onReplay: (since: string) => Promise<ReplayOutcome>;
  now?: () => number;
}

/**
 * The settings page's "events from HubSpot's webhooks journal": how far behind the reading is, and
 * for an admin "replay the last hour / 6 hours / day / 3 days" (what was queued is not queued twice).
 * Shown only where the app reads the journal (marketplace installs, or a private app that turned it on).
 */
export function JournalReplayView({ status, language, readOnly, onReplay, now = Date.now }: JournalReplayViewProps) {
  const [span, setSpan] = useState<ReplaySpan>('hour');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<ReplayOutcome | null>(null);
  if (status.kind !== 'ready' || !status.data.journal) return null;
  const replay = async () => {
    setBusy(true);
    setOutcome(await onReplay(new Date(now() - REPLAY_SPANS[span]).toISOString()));
    setBusy(false);
  };
  return (
    <Flex direction="column" gap="xs">
      <Heading>{t(language, 'journal.title')}</Heading>
      <JournalLines journal={status.data.journal} language={language} title="journal.title" />
      {!readOnly && (
        <>
          <Text>{t(language, 'journal.replay.help')}</Text>
          <Select
            name="journal.replaySince" label={t(language, 'journal.replay.since')} value={span}
            options={(Object.keys(REPLAY_SPANS) as ReplaySpan[]).map((s) => ({ value: s, label: t(language, `journal.replay.${s}`) }))}
            onChange={(v) => setSpan(v as ReplaySpan)}
          />
          <Button disabled={busy} onClick={() => void replay()}>{t(language, 'journal.replay.button')}</Button>
        </>
      )}
      {outcome?.ok ? <Alert title={t(language, 'journal.title')} variant="success">{t(language, 'journal.replay.started', { since: outcome.replayingSince.replace('T', ' ').slice(0, 16) })}</Alert> : null}
      {outcome && !outcome.ok ? <Alert title={t(language, 'journal.title')} variant="danger">{t(language, 'journal.replay.failed', { reason: outcome.message })}</Alert> : null}
    </Flex>
  );
}
