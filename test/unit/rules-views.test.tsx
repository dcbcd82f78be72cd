import { Alert, Button, Input, Select, StatusTag, Text, TextArea, Toggle } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { describe, expect, it, vi } from 'vitest';
import { defaultRuleSet } from '../../src/rules/default-rules.js';
import { ruleFields, ruleOperators } from '../../src/rules/rule-schema.js';
import { RulesView, type RulesViewProps } from '../../src/extensions/rules-view.js';
import { TicketRulesView } from '../../src/extensions/ticket-rules-view.js';
import type { RuleRun } from '../../src/tickets/run-ticket-rules.js';

const two = { version: 1 as const, rules: [
  { ...defaultRuleSet.rules[0]!, id: 'a', name: 'First', position: 0 },
  { ...defaultRuleSet.rules[0]!, id: 'b', name: 'Second', position: 1, active: true },
] };
const templates = [{ name: 'portal-credentials', subject: 'Your access to our customer portal', text: 'Hello {[Contact First Name]}, you can now follow your requests.' }];
const props = (over: Partial<RulesViewProps> = {}): RulesViewProps => ({
  payload: { kind: 'ready', data: { version: 3, ruleSet: two, lastFired: { b: '2026-12-01T09:30:00.000Z' } } }, language: 'en', templates,
  onSave: vi.fn().mockResolvedValue({ ok: true, version: 4 }), onTest: vi.fn(), onDryRun: vi.fn(),
  onLoadProperties: vi.fn().mockResolvedValue({ ok: true, properties: [{ name: 'hs_ticket_priority', label: 'Priority' }, { name: 'hs_ticket_category', label: 'Category' }] }),
  onRetry: vi.fn(), ...over,
});
function render(p: RulesViewProps) {
  const r = createRenderer('settings');
  r.render(<RulesView {...p} />);
  const button = (label: string) => {
    const found = r.findAll(Button).find((b) => b.text === label);
    if (!found) throw new Error(`no button "${label}" among ${r.findAll(Button).map((b) => b.text).join(' | ')}`);
    return found;
  };
  // One helper for every kind of field: what the tests read is its props and what they do is trigger.
  const field = (kind: typeof Input | typeof Select | typeof TextArea | typeof Toggle, name: string) => r.find(kind as typeof Input, { name }) as unknown as { props: Record<string, unknown>; trigger: (event: string, value: never) => void };
  return { r, button, field };
}

describe('the rule builder: the article\'s rule by clicks alone', () => {
  it('builds "[Portal Credentials] → access and credentials" with no JSON, saves it, and finds it the same after a reload', async () => {
    const onSave = vi.fn().mockResolvedValue({ ok: true, version: 1 });
    const { r, button, field } = render(props({ onSave, payload: { kind: 'ready', data: { version: 0, ruleSet: { version: 1, rules: [] } } } }));
    expect(r.findAll(Text).map((x) => x.text)).toContain('No rules yet. Create one, or import the shipped rules as JSON under “Advanced”.');
    button('New rule').trigger('onClick');
    field(Input, 'rule.name').trigger('onChange', 'Portal credentials' as never);
    expect(field(Select, 'rule.trigger').props.value).toBe('ticket.created');
    field(Toggle, 'rule.active').trigger('onChange', true as never);
    field(Toggle, 'rule.ignoreFlow').trigger('onChange', true as never);
    field(Select, 'rule.conditions.conditions.0.field').trigger('onChange', 'title' as never);
    field(Select, 'rule.conditions.conditions.0.operator').trigger('onChange', 'anyOf' as never);
    field(TextArea, 'rule.conditions.conditions.0.values').trigger('onChange', '[Portal Credentials]\n[Portal-Anmeldedaten]\n[Credenziali del Portale]\n[Credenciales del Portal]\n' as never);
    field(Select, 'rule.actions.0.type').trigger('onChange', 'grantPortalAccess' as never);
    button('Add an action').trigger('onClick');
    field(Select, 'rule.actions.1.type').trigger('onChange', 'sendPortalCredentials' as never);
    button('Save rule').trigger('onClick');
    await r.waitFor(() => expect(onSave).toHaveBeenCalled());
    const [saved, version] = onSave.mock.calls[0]!;
    expect(version).toBe(0);
    const shipped = defaultRuleSet.rules[0]!;
    expect(saved).toEqual({ version: 1, rules: [{
      id: 'new-rule', name: 'Portal credentials', description: '', position: 0, active: true, ignoreFlow: true, trigger: 'ticket.created',
      conditions: shipped.conditions, actions: shipped.actions,
    }] });
    // Back on the list after the save, then the page reloads what the server has.
    await r.waitFor(() => expect(r.findAll(Text).map((x) => x.text)).toContain('Portal credentials'));
    const again = render(props({ payload: { kind: 'ready', data: { version: 1, ruleSet: saved } } }));
    expect(again.field(Toggle, 'rules.new-rule.active').props.checked).toBe(true);
    expect(again.field(Toggle, 'rules.new-rule.ignoreFlow').props.checked).toBe(true);
    again.button('Edit Portal credentials').trigger('onClick');
    expect(again.field(Input, 'rule.name').props.value).toBe('Portal credentials');
    expect(again.field(Select, 'rule.conditions.conditions.0.operator').props.value).toBe('anyOf');
    expect(again.field(TextArea, 'rule.conditions.conditions.0.values').props.value).toBe('[Portal Credentials]\n[Portal-Anmeldedaten]\n[Credenziali del Portale]\n[Credenciales del Portal]');
    expect([0, 1].map((i) => again.field(Select, `rule.actions.${i}.type`).props.value)).toEqual(['grantPortalAccess', 'sendPortalCredentials']);
  });

  it('offers every operator the engine has, with a value, a list or nothing as each needs', () => {
    const { button, field, r } = render(props());
    button('New rule').trigger('onClick');
    const options = field(Select, 'rule.conditions.conditions.0.operator').props.options as { value: string; label: string }[];
    expect(options.map((o) => o.value)).toEqual([...ruleOperators]);
    expect(options.find((o) => o.value === 'matchesRegex')!.label).toBe('matches the pattern (RE2 regular expression)');
    field(Select, 'rule.conditions.conditions.0.operator').trigger('onChange', 'isEmpty' as never);
    expect(r.findAll(Input).map((x) => x.props.name)).not.toContain('rule.conditions.conditions.0.value');
    expect((field(Select, 'rule.conditions.conditions.0.field').props.options as unknown[]).length).toBe(ruleFields.length);
  });

  it('builds a group of conditions (any of them) inside a rule that needs all', async () => {
    const onSave = vi.fn().mockResolvedValue({ ok: true, version: 4 });
    const { button, field, r } = render(props({ onSave }));
    button('New rule').trigger('onClick');
    field(Input, 'rule.conditions.conditions.0.value').trigger('onChange', 'Invoice' as never);
    field(Select, 'rule.conditions.conditions.0.operator').trigger('onChange', 'contains' as never);
    button('Add a group (all or any of its own conditions)').trigger('onClick');
    field(Select, 'rule.conditions.conditions.1.conditions.0.field').trigger('onChange', 'priority' as never);
    field(Input, 'rule.conditions.conditions.1.conditions.0.value').trigger('onChange', 'HIGH' as never);
    r.findAll(Button).filter((b) => b.text === 'Add a condition')[0]!.trigger('onClick');
    field(Select, 'rule.conditions.conditions.1.conditions.1.field').trigger('onChange', 'requesterDomain' as never);
    field(Input, 'rule.conditions.conditions.1.conditions.1.value').trigger('onChange', 'acme.example' as never);
    button('Save rule').trigger('onClick');
    await r.waitFor(() => expect(onSave).toHaveBeenCalled());
    expect(onSave.mock.calls[0]![0].rules[2].conditions).toEqual({ match: 'all', conditions: [
      { field: 'title', operator: 'contains', value: 'Invoice', caseSensitive: false },
      { match: 'any', conditions: [
        { field: 'priority', operator: 'equals', value: 'HIGH', caseSensitive: false },
        { field: 'requesterDomain', operator: 'equals', value: 'acme.example', caseSensitive: false },
      ] },
    ] });
  });

  it('shows each refusal at the field that caused it, with the engine\'s reason (the regex cost cap), keeping what was typed', async () => {
    const onSave = vi.fn().mockResolvedValue({ ok: false, message: 'x', problems: [
      'rules.2.conditions.conditions.0.value: regular expression is too costly: 2408 steps per character of the title, at most 500 (bounded repetitions such as {1,100} multiply the steps; simplify it)',
      'rules.2.actions.0.property: must be a HubSpot property name',
    ] });
    const { button, field, r } = render(props({ onSave }));
    button('New rule').trigger('onClick');
    field(Select, 'rule.conditions.conditions.0.operator').trigger('onChange', 'matchesRegex' as never);
    field(Input, 'rule.conditions.conditions.0.value').trigger('onChange', '(a{1,100}){1,100}' as never);
    field(Select, 'rule.actions.0.type').trigger('onChange', 'setProperty' as never);
    button('Save rule').trigger('onClick');
    await r.waitFor(() => expect(field(Input, 'rule.conditions.conditions.0.value').props.error).toBe(true));
    expect(field(Input, 'rule.conditions.conditions.0.value').props.validationMessage).toMatch(/^regular expression is too costly: 2408 steps/);
    expect(field(Input, 'rule.conditions.conditions.0.value').props.value).toBe('(a{1,100}){1,100}');
    await r.waitFor(() => expect(field(Select, 'rule.actions.0.property').props.validationMessage).toBe('must be a HubSpot property name'));
  });

  it('picks the property to set from the account\'s ticket properties by label, and says when they cannot be loaded', async () => {
    const onLoadProperties = vi.fn().mockResolvedValueOnce({ ok: false, message: 'HubSpot answered 503' })
      .mockResolvedValue({ ok: true, properties: [{ name: 'hs_ticket_priority', label: 'Priority' }] });
    const onSave = vi.fn().mockResolvedValue({ ok: true, version: 4 });
    const { button, field, r } = render(props({ onLoadProperties, onSave, language: 'de' }));
    button('Neue Regel').trigger('onClick');
    field(Select, 'rule.actions.0.type').trigger('onChange', 'setProperty' as never);
    await r.waitFor(() => expect(r.find(Alert).text).toContain('Die Ticketeigenschaften konnten nicht geladen werden: HubSpot answered 503'));
    button('Erneut versuchen').trigger('onClick');
    await r.waitFor(() => expect((field(Select, 'rule.actions.0.property').props.options as { label: string }[]).map((o) => o.label)).toEqual(['Priority']));
    field(Select, 'rule.actions.0.property').trigger('onChange', 'hs_ticket_priority' as never);
    field(Input, 'rule.actions.0.value').trigger('onChange', 'HIGH' as never);
    button('Regel speichern').trigger('onClick');
    await r.waitFor(() => expect(onSave.mock.calls[0]![0].rules[2].actions).toEqual([{ type: 'setProperty', property: 'hs_ticket_priority', value: 'HIGH' }]));
  });

  it('builds an addNote action with its own text field', async () => {
    const onSave = vi.fn().mockResolvedValue({ ok: true, version: 4 });
    const { button, field, r } = render(props({ onSave }));
    button('New rule').trigger('onClick');
    field(Select, 'rule.actions.0.type').trigger('onChange', 'addNote' as never);
    field(TextArea, 'rule.actions.0.body').trigger('onChange', 'Check the invoice first' as never);
    button('Save rule').trigger('onClick');
    await r.waitFor(() => expect(onSave.mock.calls[0]![0].rules[2].actions).toEqual([{ type: 'addNote', body: 'Check the invoice first' }]));
  });

  it('previews the template a sendEmail action sends', () => {
    const { button, r } = render(props());
    button('New rule').trigger('onClick');
    expect(r.findAll(Text).map((x) => x.text)).toContain('Preview: “Your access to our customer portal” — Hello {[Contact First Name]}, you can now follow your requests.');
  });

  it('tests the rule being built on a sample ticket and says which conditions decided', async () => {
    const evaluation = { trigger: 'ticket.created', fired: [], decisions: [
      { ruleId: 'new-rule', name: 'New rule', matched: true, fired: true, actions: [], conditions: [{ field: 'title', operator: 'equals', expected: 'Help', actual: 'help', held: true }] },
    ] };
    const onTest = vi.fn().mockResolvedValue({ ok: true, evaluation });
    const { button, field, r } = render(props({ onTest }));
    button('New rule').trigger('onClick');
    field(Input, 'rule.conditions.conditions.0.value').trigger('onChange', 'Help' as never);
    field(Input, 'sample.title').trigger('onChange', 'help' as never);
    field(Input, 'sample.requesterEmail').trigger('onChange', 'ada@acme.example' as never);
    button('Test on the sample').trigger('onClick');
    await r.waitFor(() => expect(r.findAll(Text).map((x) => x.text)).toContain('It would fire.'));
    expect(r.findAll(Text).map((x) => x.text)).toContain('Ticket title is Help: holds (the ticket has “help”)');
    const [sample, draft] = onTest.mock.calls[0]!;
    expect(sample).toEqual({ title: 'help', pipeline: '', stage: '', priority: '', requesterEmail: 'ada@acme.example' });
    expect(draft.rules.map((x: { id: string }) => x.id)).toEqual(['a', 'b', 'new-rule']);
  });
});

describe('the rules list', () => {
  it('names each rule with its trigger, position and when it last fired; switches and reorders save at once against the version', async () => {
    const onSave = vi.fn().mockResolvedValueOnce({ ok: true, version: 4 }).mockResolvedValueOnce({ ok: true, version: 5 });
    const { r, button, field } = render(props({ onSave }));
    const texts = r.findAll(Text).map((x) => x.text);
    expect(texts).toContain('A ticket is created · Position 1 · Has not fired yet');
    expect(texts).toContain('A ticket is created · Position 2 · Last fired 2026-12-01 09:30 UTC');
    field(Toggle, 'rules.a.active').trigger('onChange', true as never);
    await r.waitFor(() => expect(r.find(Alert).text).toBe('Saved (version 4).'));
    expect(onSave.mock.calls[0]![1]).toBe(3);
    r.findAll(Button).filter((b) => b.text === 'Move up')[1]!.trigger('onClick');
    await r.waitFor(() => expect(onSave).toHaveBeenCalledTimes(2));
    expect(onSave.mock.calls[1]![1]).toBe(4);
    expect(onSave.mock.calls[1]![0].rules.map((x: { id: string; position: number; active: boolean }) => [x.id, x.position, x.active])).toEqual([['b', 0, true], ['a', 1, true]]);
    expect(button('Edit Second')).toBeDefined();
  });

  it('duplicates a rule (inactive, at the end) and deletes one only after a confirmation', async () => {
    const onSave = vi.fn().mockResolvedValue({ ok: true, version: 4 });
    const { r, button } = render(props({ onSave }));
    button('Duplicate Second').trigger('onClick');
    await r.waitFor(() => expect(onSave).toHaveBeenCalledTimes(1));
    expect(onSave.mock.calls[0]![0].rules.at(-1)).toMatchObject({ id: 'copy-of-second', name: 'Copy of Second', active: false, position: 2 });
    button('Delete First').trigger('onClick');
    expect(onSave).toHaveBeenCalledTimes(1);
    expect(r.find(Alert).text).toContain('Delete the rule “First”? Tickets keep what it did.');
    button('Yes, delete').trigger('onClick');
    await r.waitFor(() => expect(onSave).toHaveBeenCalledTimes(2));
    expect(onSave.mock.calls[1]![0].rules.map((x: { id: string; position: number }) => [x.id, x.position])).toEqual([['b', 0], ['copy-of-second', 1]]);
  });

  it('says when someone else saved meanwhile, and keeps the list as it was', async () => {
    const onSave = vi.fn().mockResolvedValue({ ok: false, message: 'rules are at version 5', problems: [], conflict: true });
    const { r, field } = render(props({ onSave }));
    field(Toggle, 'rules.a.active').trigger('onChange', true as never);
    await r.waitFor(() => expect(r.find(Alert).text).toBe('Someone else changed the rules meanwhile. Reload to see their version, then make your change again.'));
    expect(field(Toggle, 'rules.a.active').props.checked).toBe(false);
  });

  it('runs the rules over the newest tickets: how many they fire on, which, and the conditions that decided', async () => {
    const onDryRun = vi.fn().mockResolvedValue({ ok: true, result: {
      trigger: 'ticket.created', tickets: 200, fired: 12, byRule: [], notRead: ['requesterDomain'],
      sample: [{ ticketId: '77', title: '[Portal Credentials]', rules: [{ ruleId: 'b', name: 'Second', conditions: [{ field: 'title', operator: 'anyOf', expected: ['[Portal Credentials]'], actual: '[Portal Credentials]', held: true }] }] }],
    } });
    const { r, button } = render(props({ onDryRun }));
    button('Dry run over the newest tickets').trigger('onClick');
    await r.waitFor(() => expect(r.findAll(Text).map((x) => x.text)).toContain('Fires on 12 of 200 tickets.'));
    const texts = r.findAll(Text).map((x) => x.text);
    expect(texts).toContain('Ticket 77 “[Portal Credentials]”: Second');
    expect(texts).toContain('Ticket title is any of [Portal Credentials]: holds (the ticket has “[Portal Credentials]”)');
    expect(texts).toContain("Requester and company are not read in a dry run: conditions on Requester's email domain saw an empty value.");
    expect(onDryRun).toHaveBeenCalledWith(two);
  });

  it('keeps JSON import and export as an advanced option, refusing text that is not JSON', async () => {
    const onSave = vi.fn().mockResolvedValue({ ok: true, version: 4 });
    const { r, button, field } = render(props({ onSave }));
    expect(JSON.parse(String(field(TextArea, 'rulesJson').props.value))).toEqual(two);
    field(TextArea, 'rulesJson').trigger('onChange', '{ not json' as never);
    expect(r.find(Alert).text).toMatch(/^This is not valid JSON/);
    expect(button('Save this JSON as the rules').props.disabled).toBe(true);
    field(TextArea, 'rulesJson').trigger('onChange', JSON.stringify(defaultRuleSet) as never);
    button('Save this JSON as the rules').trigger('onClick');
    await r.waitFor(() => expect(onSave).toHaveBeenCalledWith(defaultRuleSet, 3));
  });

  it('shows someone who is not an admin the rules without a way to change them', () => {
    const { r } = render(props({ readOnly: true }));
    expect(r.findAll(Button).map((b) => b.text)).toEqual(['Dry run over the newest tickets']);
    expect(r.findAll(Toggle).every((x) => x.props.readOnly === true)).toBe(true);
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
    expect(r.find(StatusTag).text).toBe('Portal credentials → Set a ticket property: failed (transient: HubSpot answered 502)');
    r.findAll(Button).find((b) => b.text === 'Retry')!.trigger('onClick');
    expect(onRetryAction).toHaveBeenCalledWith('portal-credentials', 0);
  });

  it('says in the agent\'s language what each action did, a queued email by whether it went out, a skip by its reason', () => {
    const r = createRenderer('helpdesk.sidebar');
    const later: RuleRun = { ...run, decisions: [{ ruleId: 'portal-credentials', name: 'Portal-Zugang', matched: true, fired: true, noteCode: 'ignore-flow', conditions: [] }], actions: [
      { ruleId: 'portal-credentials', index: 0, type: 'grantPortalAccess', status: 'done', detail: 'portal access for contact 5' },
      { ruleId: 'portal-credentials', index: 1, type: 'sendPortalCredentials', status: 'queued', detail: 'portal credentials to contact 5', email: { cause: 'rule:1:portal-credentials:1', template: 'portal-credentials' }, delivered: { state: 'sent', at: '2026-12-01T10:00:00Z' } },
      { ruleId: 'portal-credentials', index: 2, type: 'sendEmail', status: 'skipped', detail: 'the ticket has no requester contact', code: 'no-requester' },
    ] };
    r.render(<TicketRulesView runs={{ kind: 'ready', data: { runs: [later] } }} test={null} language="de" onTest={vi.fn()} onRetryAction={vi.fn()} onRetry={vi.fn()} />);
    expect(r.findAll(Text).map((x) => x.text)).toContain('Portal-Zugang: greift (Ignore Flow: unabhängig von der Reihenfolge)');
    expect(r.findAll(StatusTag).map((x) => x.text)).toEqual([
      'Portal-Zugang → Der anfragenden Person Zugang zum Kundenportal geben: erledigt',
      'Portal-Zugang → Der anfragenden Person ihre Portal-Zugangsdaten senden: gesendet',
      'Portal-Zugang → E-Mail an die anfragende Person senden: übersprungen (das Ticket hat keinen anfragenden Kontakt)',
    ]);
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
