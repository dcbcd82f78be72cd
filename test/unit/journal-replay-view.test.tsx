import { Alert, Button, Select, Text } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { describe, expect, it, vi } from 'vitest';
import { JournalReplayView } from '../../src/extensions/journal-replay-view.js';
import type { AccountStatus } from '../../src/extensions/status-card-view.js';

const NOW = Date.parse('2026-12-04T12:00:00Z');
const ready = (journal: AccountStatus['journal']) => ({ kind: 'ready' as const, data: { portalId: 42, installed: true, queue: { waiting: 0, active: 0 }, deadLetters: 0, journal } });
const reading = { lagSeconds: 1.6, lastReadAt: '2026-12-04T11:59:58Z', lastError: null };

describe('the settings page\'s webhooks journal section', () => {
  it('lets an admin read the last 6 hours again, and says from when', async () => {
    const r = createRenderer('settings');
    const onReplay = vi.fn(async (since: string) => ({ ok: true as const, replayingSince: since }));
    r.render(<JournalReplayView status={ready(reading)} language="en" readOnly={false} onReplay={onReplay} now={() => NOW} />);
    expect(r.findAll(Text).map((t) => t.text)).toContain('Events from HubSpot’s webhooks journal: 2 s behind');
    expect(r.find(Select).props.options.map((o: { label: string }) => o.label)).toEqual(['last hour', 'last 6 hours', 'last 24 hours', 'last 3 days (all HubSpot keeps)']);
    r.find(Select).trigger('onChange', 'sixHours' as never);
    r.find(Button).trigger('onClick');
    await vi.waitFor(() => expect(r.findAll(Alert)).toHaveLength(1));
    expect(onReplay).toHaveBeenCalledWith('2026-12-04T06:00:00.000Z');
    expect(r.find(Alert).text).toContain('The journal is read again from 2026-12-04 06:00 (UTC)');
  });

  it('says why a replay was refused, in the admin\'s language', async () => {
    const r = createRenderer('settings');
    r.render(<JournalReplayView status={ready(reading)} language="it" readOnly={false} onReplay={async () => ({ ok: false, message: 'HubSpot answered 503' })} now={() => NOW} />);
    r.find(Button).trigger('onClick');
    await vi.waitFor(() => expect(r.findAll(Alert)).toHaveLength(1));
    expect(r.find(Alert).text).toBe('Impossibile rileggere il journal: HubSpot answered 503');
  });

  it('shows a non-admin the lag only, and nothing where the app does not read the journal', () => {
    const r = createRenderer('settings');
    r.render(<JournalReplayView status={ready(reading)} language="en" readOnly onReplay={vi.fn()} />);
    expect(r.findAll(Button)).toHaveLength(0);
    expect(r.findAll(Select)).toHaveLength(0);
    r.render(<JournalReplayView status={ready(null)} language="en" readOnly={false} onReplay={vi.fn()} />);
    expect(r.findAll(Text)).toHaveLength(0);
  });
});
