import { Alert, Button, Input, StatusTag, Text, TextArea, Toggle } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { describe, expect, it, vi } from 'vitest';
import { defaultRuleSet } from '../../src/rules/default-rules.js';
import { RulesView, type RulesViewProps } from '../../src/extensions/rules-view.js';
import { TicketRulesView } from '../../src/extensions/ticket-rules-view.js';
import type { RuleRun } from '../../src/tickets/run-ticket-rules.js';

const two = { version: 1 as const, rules: [
  { ...defaultRuleSet.rules[0]!, id: 'a', name: 'First', position: 0 },
  { ...defaultRuleSet.rules[0]!, id: 'b', name: 'Second', position: 1, active: true },
] };
const props = (over: Partial<RulesViewProps> = {}): RulesViewProps => ({
  payload: { kind: 'ready', data: { version: 3, ruleSet: two } }, language: 'en', onSave: vi.fn(), onTest: vi.fn(), onRetry: vi.fn(), ...over,
});
function render(p: RulesViewProps) {
  const r = createRenderer('settings');
  r.render(<RulesView {...p} />);
  return { r, buttons: (label: string) => r.findAll(Button).filter((b) => b.text === label) };
}

describe('the rules section of the settings page', () => {
  it('activates and reorders rules, then saves the whole set against its version', async () => {
    const onSave = vi.fn().mockResolvedValue({ ok: true, version: 4 });
    const { r, buttons } = render(props({ onSave }));
    r.find(Toggle, { name: 'active-a' }).trigger('onChange', true as never);
    buttons('Move up')[1]!.trigger('onClick');
    expect(r.findAll(Toggle).map((x) => x.props.label)).toEqual(['Second (ticket.created)', 'First (ticket.created)']);
    buttons('Save rules')[0]!.trigger('onClick');
    await r.waitFor(() => expect(r.find(Alert).text).toBe('Rules saved (version 4).'));
    const [saved, version] = onSave.mock.calls[0]!;
    expect(version).toBe(3);
    expect(saved.rules.map((x: { id: string; position: number; active: boolean }) => [x.id, x.position, x.active])).toEqual([['b', 0, true], ['a', 1, true]]);
  });

  it('shows each problem the server found, and refuses to send text that is not JSON', async () => {
    const onSave = vi.fn().mockResolvedValue({ ok: false, message: 'x', problems: ['rules.0.conditions.conditions.0.operator: operator must be one of equals, …'] });
    const { r, buttons } = render(props({ onSave }));
    buttons('Save rules')[0]!.trigger('onClick');
    await r.waitFor(() => expect(r.find(Alert).text).toContain('rules.0.conditions.conditions.0.operator'));
    r.find(TextArea, { name: 'rulesJson' }).trigger('onChange', '{ not json' as never);
    expect(r.find(Alert).text).toMatch(/^This is not valid JSON/);
    expect(buttons('Save rules')[0]!.props.disabled).toBe(true);
  });

  it('tests the draft on a sample title and explains what fires and what is skipped', async () => {
    const evaluation = { trigger: 'ticket.created', fired: [], decisions: [
      { ruleId: 'b', name: 'Second', matched: true, fired: true, conditions: [], actions: [] },
      { ruleId: 'c', name: 'Third', matched: true, fired: false, note: 'skipped: rule "Second" matched first', conditions: [], actions: [] },
    ] };
    const onTest = vi.fn().mockResolvedValue({ ok: true, evaluation });
    const { r, buttons } = render(props({ onTest }));
    r.find(Input, { name: 'sampleTitle' }).trigger('onChange', '[Portal Credentials]' as never);
    buttons('Test')[0]!.trigger('onClick');
    await r.waitFor(() => expect(r.findAll(Text).map((x) => x.text)).toEqual(['Second: fires', 'Third: matches, skipped: rule "Second" matched first']));
    expect(onTest).toHaveBeenCalledWith('[Portal Credentials]', two);
  });
});

describe('the ticket card', () => {
  const run: RuleRun = {
    at: '2026-11-22T10:00:00Z', ticketId: '7', trigger: 'ticket.created', cause: 'event:1', snapshot: { title: '[Portal Credentials]' },
    decisions: [{ ruleId: 'portal-credentials', name: 'Portal credentials', matched: true, fired: true, conditions: [] }],
    actions: [{ ruleId: 'portal-credentials', index: 0, type: 'setProperty', status: 'failed', detail: 'transient: HubSpot answered 502' }],
  };

  it('shows the rules that ran and what they did, and retries a failed action', () => {
    const onRetryAction = vi.fn();
    const r = createRenderer('helpdesk.sidebar');
    r.render(<TicketRulesView runs={{ kind: 'ready', data: { runs: [run] } }} test={null} language="en" onTest={vi.fn()} onRetryAction={onRetryAction} onRetry={vi.fn()} />);
    expect(r.findAll(Text).map((x) => x.text)).toContain('Portal credentials: fires');
    expect(r.find(StatusTag).text).toBe('Portal credentials → setProperty: failed (transient: HubSpot answered 502)');
    r.findAll(Button).find((b) => b.text === 'Retry')!.trigger('onClick');
    expect(onRetryAction).toHaveBeenCalledWith('portal-credentials', 0);
  });

  it('tests the rules on this ticket in the agent\'s language', () => {
    const onTest = vi.fn();
    const r = createRenderer('crm.record.sidebar');
    const test = { trigger: 'ticket.created' as const, fired: [], decisions: [{ ruleId: 'x', name: 'Regel', matched: false, fired: false, conditions: [], actions: [] }] };
    r.render(<TicketRulesView runs={{ kind: 'ready', data: { runs: [] } }} test={test} language="de" onTest={onTest} onRetryAction={vi.fn()} onRetry={vi.fn()} />);
    expect(r.findAll(Text).map((x) => x.text)).toEqual(['Ticket-Regeln für dieses Ticket', 'Für dieses Ticket ist noch keine Regel gelaufen.', 'Regel: passt nicht']);
    r.findAll(Button).find((b) => b.text === 'Regeln an diesem Ticket testen')!.trigger('onClick');
    expect(onTest).toHaveBeenCalledOnce();
  });
});
