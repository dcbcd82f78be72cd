import { Alert, Button, Input, LoadingSpinner, SearchInput, Select, Text, TextArea, Toggle } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { describe, expect, it, vi } from 'vitest';
import type { BackfillStatus } from '../../src/companies/backfill.js';
import { settingsSchema } from '../../src/settings/settings-schema.js';
import { SettingsView, type SettingsPayload, type SettingsViewProps } from '../../src/extensions/settings-view.js';

const payload: SettingsPayload = {
  version: 3,
  settings: {
    defaultLanguage: 'en', internalDomains: ['acme.example'],
    inbound: { freeMailAdditions: [], ignoredSenders: ['no-reply'], autoReplySubjects: ['out of office'], matchSubdomains: true, defaultCompanyId: null, stripPlusAddresses: false },
    email: { transport: 'outbox', hubspotEmailIds: {}, smtp: null, maxPerRecipientPerHour: 5 },
    portal: { accessListId: '1001', onboardNewContacts: false, portalUrl: null, linkExpiryHours: 24, passwordMode: 'link', selfRegistration: false, emailCode: false, passkeys: false },
    access: { adminUserIds: [] },
    supportContacts: { reports: 'every', customerProperty: 'lifecyclestage', customerValue: 'customer', editors: 'everyone', maxPerCompany: 25, maxReportsPerRecipientPerHour: 60 },
    rules: { auditRetentionDays: 30, maxActionsPerTicketPerHour: 20 },
  },
  provisioning: { steps: [{ name: 'contact property group "Portal Autopilot"', ok: false, detail: 'HubSpot answered 403: missing scope' }] },
};

const props = (over: Partial<SettingsViewProps> = {}): SettingsViewProps => ({
  payload: { kind: 'ready', data: payload }, language: 'en', onSave: vi.fn(), onRetry: vi.fn(),
  onCreateDefaultCompany: vi.fn(), backfill: null, onBackfill: vi.fn(), onSmtpPassword: vi.fn().mockResolvedValue({ ok: true }),
  onSearch: vi.fn().mockResolvedValue({ ok: true, results: [] }),
  onLoadCompanyProperties: vi.fn().mockResolvedValue({ ok: true, properties: [{ name: 'lifecyclestage', label: 'Lifecycle stage' }, { name: 'type', label: 'Type' }] }), ...over,
});

function render(p: SettingsViewProps) {
  const r = createRenderer('settings');
  r.render(<SettingsView {...p} />);
  const button = (label: string) => r.findAll(Button).find((b) => b.text === label)!;
  return { r, button };
}

describe('the settings page', () => {
  it('saves the edited settings against the version it loaded and confirms the new version', async () => {
    const onSave = vi.fn().mockResolvedValue({ ok: true, version: 4 });
    const { r, button } = render(props({ onSave }));
    r.find(Select, { name: 'defaultLanguage' }).trigger('onChange', 'es' as never);
    r.find(TextArea, { name: 'internalDomains' }).trigger('onChange', 'acme.example\nacme.test' as never);
    r.find(Toggle, { name: 'inbound.matchSubdomains' }).trigger('onChange', false as never);
    r.find(TextArea, { name: 'inbound.freeMailAdditions' }).trigger('onChange', 'partner-mail.example' as never);
    r.find(Toggle, { name: 'portal.onboardNewContacts' }).trigger('onChange', true as never);
    r.find(Input, { name: 'portal.portalUrl' }).trigger('onChange', ' https://support.acme.example ' as never);
    r.find(Select, { name: 'portal.passwordMode' }).trigger('onChange', 'temporary' as never);
    r.find(Select, { name: 'supportContacts.editors' }).trigger('onChange', 'admins' as never);
    button('Save').trigger('onClick');
    await r.waitFor(() => expect(r.find(Alert).text).toBe('Settings saved (version 4).'));
    expect(onSave).toHaveBeenCalledWith({
      defaultLanguage: 'es', internalDomains: ['acme.example', 'acme.test'],
      inbound: { ...payload.settings.inbound, matchSubdomains: false, freeMailAdditions: ['partner-mail.example'] },
      email: payload.settings.email,
      portal: { ...payload.settings.portal, onboardNewContacts: true, portalUrl: 'https://support.acme.example', passwordMode: 'temporary' },
      access: { adminUserIds: [] },
      supportContacts: { ...payload.settings.supportContacts, editors: 'admins' },
      rules: payload.settings.rules,
    }, 3);
  });

  it('shows the server\'s reason when a save is refused, and a conflict in plain words', async () => {
    const onSave = vi.fn()
      .mockResolvedValueOnce({ ok: false, message: 'settings.internalDomains.0: is not a domain name' })
      .mockResolvedValueOnce({ ok: false, message: 'x', conflict: true });
    const { r, button } = render(props({ onSave }));
    button('Save').trigger('onClick');
    await r.waitFor(() => expect(r.find(Alert).text).toContain('is not a domain name'));
    button('Save').trigger('onClick');
    await r.waitFor(() => expect(r.find(Alert).text).toContain('Someone else changed the settings'));
  });

  it('creates the "Unassigned" company on request and uses it as the default', async () => {
    const onCreateDefaultCompany = vi.fn().mockResolvedValue({ companyId: '777', version: 4 });
    const onSave = vi.fn().mockResolvedValue({ ok: true, version: 5 });
    const { r, button } = render(props({ onCreateDefaultCompany, onSave }));
    button('Create an “Unassigned” company and use it').trigger('onClick');
    await r.waitFor(() => expect(r.findAll(Text).map((x) => x.text)).toEqual(expect.arrayContaining(['Unassigned', 'id 777'])));
    expect(r.findAll(Button).map((b) => b.text)).not.toContain('Create an “Unassigned” company and use it');
    button('Save').trigger('onClick');
    await r.waitFor(() => expect(onSave).toHaveBeenCalledWith(expect.objectContaining({ inbound: expect.objectContaining({ defaultCompanyId: '777' }) }), 4));
  });

  it('runs the account-wide backfill as a dry run first, then offers to apply what it found', () => {
    const onBackfill = vi.fn();
    const done: BackfillStatus = { mode: 'dry-run', companyId: null, state: 'done', scanned: 900, planned: 42, applied: 0, sample: [], startedAt: '' };
    const first = render(props({ onBackfill }));
    first.button('Find existing contacts a company owns the domain of').trigger('onClick');
    expect(onBackfill).toHaveBeenLastCalledWith('dry-run');
    const after = render(props({ onBackfill, backfill: done }));
    expect(after.r.findAll(Text).map((t) => t.text)).toContain('42 existing contacts without a company would be filed here.');
    after.button('File 42 contacts under their companies').trigger('onClick');
    expect(onBackfill).toHaveBeenLastCalledWith('apply');
  });

  it('switches delivery to SMTP, stores the password apart and saves the server settings without it', async () => {
    const onSave = vi.fn().mockResolvedValue({ ok: true, version: 4 });
    const onSmtpPassword = vi.fn().mockResolvedValue({ ok: true });
    const { r, button } = render(props({ onSave, onSmtpPassword }));
    r.find(Select, { name: 'email.transport' }).trigger('onChange', 'smtp' as never);
    r.find(Input, { name: 'email.smtp.host' }).trigger('onChange', 'mail.acme.example' as never);
    r.find(Input, { name: 'email.smtp.port' }).trigger('onChange', '2525' as never);
    r.find(Input, { name: 'email.smtp.from' }).trigger('onChange', 'Support <support@acme.example>' as never);
    r.find(Input, { name: 'smtpPassword' }).trigger('onChange', 'hunter2' as never);
    button('Save').trigger('onClick');
    await r.waitFor(() => expect(onSave).toHaveBeenCalled());
    expect(onSmtpPassword).toHaveBeenCalledWith('hunter2');
    const saved = onSave.mock.calls[0]![0];
    expect(saved.email).toEqual({ transport: 'smtp', hubspotEmailIds: {}, maxPerRecipientPerHour: 5, smtp: { host: 'mail.acme.example', port: 2525, secure: false, user: '', from: 'Support <support@acme.example>' } });
    expect(JSON.stringify(saved)).not.toContain('hunter2');
  });

  it('asks for a HubSpot email id per template when delivery goes through HubSpot', async () => {
    const onSave = vi.fn().mockResolvedValue({ ok: true, version: 4 });
    const { r, button } = render(props({ onSave }));
    r.find(Select, { name: 'email.transport' }).trigger('onChange', 'hubspot' as never);
    r.find(Input, { name: 'email.hubspotEmailIds.portal-credentials' }).trigger('onChange', '4711' as never);
    button('Save').trigger('onClick');
    await r.waitFor(() => expect(onSave.mock.calls[0]![0].email).toMatchObject({ transport: 'hubspot', hubspotEmailIds: { 'portal-credentials': 4711 } }));
  });

  it('turns on the sign-in by email code with a toggle, and then asks for the HubSpot email of the code too', async () => {
    const onSave = vi.fn().mockResolvedValue({ ok: true, version: 4 });
    const { r, button } = render(props({ onSave }));
    r.find(Select, { name: 'email.transport' }).trigger('onChange', 'hubspot' as never);
    expect(r.maybeFind(Input, { name: 'email.hubspotEmailIds.portal-sign-in-code' })).toBeNull();
    r.find(Toggle, { name: 'portal.emailCode' }).trigger('onChange', true as never);
    r.find(Input, { name: 'email.hubspotEmailIds.portal-sign-in-code' }).trigger('onChange', '4712' as never);
    button('Save').trigger('onClick');
    await r.waitFor(() => expect(onSave).toHaveBeenCalled());
    expect(onSave.mock.calls[0]![0]).toMatchObject({ portal: { emailCode: true }, email: { hubspotEmailIds: { 'portal-sign-in-code': 4712 } } });
  });

  it('turns passkeys on with the code by email they fall back to, and turning the code off turns passkeys off', async () => {
    const onSave = vi.fn().mockResolvedValue({ ok: true, version: 4 });
    const { r, button } = render(props({ onSave, language: 'de' }));
    expect(r.find(Toggle, { name: 'portal.passkeys' }).props.label).toBe('Anmeldung mit einem Passkey erlauben (Fingerabdruck, Gesicht oder Bildschirmsperre des Geräts)');
    r.find(Toggle, { name: 'portal.passkeys' }).trigger('onChange', true as never);
    expect(r.find(Toggle, { name: 'portal.emailCode' }).props.checked).toBe(true);
    button('Speichern').trigger('onClick');
    await r.waitFor(() => expect(onSave).toHaveBeenCalledTimes(1));
    expect(onSave.mock.calls[0]![0]).toMatchObject({ portal: { emailCode: true, passkeys: true } });
    r.find(Toggle, { name: 'portal.emailCode' }).trigger('onChange', false as never);
    expect(r.find(Toggle, { name: 'portal.passkeys' }).props.checked).toBe(false);
  });

  it('shows each setup step and why one failed', () => {
    const { r } = render(props({ language: 'es' }));
    expect(r.findAll(Text).map((t) => t.text)).toContain('contact property group "Portal Autopilot": Error: HubSpot answered 403: missing scope');
  });
});

/** Every leaf of the settings schema, by path (lists and maps are leaves). */
function schemaLeaves(value: unknown, path: string[] = []): string[] {
  if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length) {
    return Object.entries(value).flatMap(([k, v]) => schemaLeaves(v, [...path, k]));
  }
  return [path.join('.')];
}

describe('HubSpot records chosen by name', () => {
  const named: SettingsPayload = {
    ...payload,
    settings: { ...payload.settings, inbound: { ...payload.settings.inbound, defaultCompanyId: '501' }, access: { adminUserIds: [71] } },
    names: { defaultCompany: { id: '501', label: 'Unassigned' }, accessList: { id: '1001', label: 'Portal Autopilot – portal access' }, admins: [{ id: '71', label: 'Grace Hopper', detail: 'grace@acme.example' }] },
  };

  it('shows what is chosen by its name, the id in grey beside it', () => {
    const { r } = render(props({ payload: { kind: 'ready', data: named } }));
    const texts = r.findAll(Text).map((x) => x.text);
    expect(texts).toEqual(expect.arrayContaining(['Unassigned', 'Portal Autopilot – portal access', 'Grace Hopper', 'grace@acme.example · id 71', 'id 501']));
    expect(r.findAll(Text).find((x) => x.text === 'id 501')?.props.variant).toBe('microcopy');
  });

  it('searches companies as the admin types, chooses one by name and saves its id', async () => {
    let answer!: (v: unknown) => void;
    const onSearch = vi.fn().mockReturnValue(new Promise((resolve) => { answer = resolve; }));
    const onSave = vi.fn().mockResolvedValue({ ok: true, version: 4 });
    const { r, button } = render(props({ onSearch, onSave }));
    r.find(SearchInput, { name: 'inbound.defaultCompanyId' }).trigger('onInput', 'acm' as never);
    await r.waitFor(() => expect(r.find(LoadingSpinner).props.label).toBe('Searching HubSpot…'));
    expect(onSearch).toHaveBeenCalledWith('companies', 'acm');
    answer({ ok: true, results: [{ id: '9001', label: 'Acme Corporation', detail: 'acme.example' }] });
    await r.waitFor(() => expect(r.findAll(Button).map((b) => b.text)).toContain('Choose Acme Corporation (acme.example)'));
    button('Choose Acme Corporation (acme.example)').trigger('onClick');
    expect(r.findAll(Text).map((x) => x.text)).toContain('Acme Corporation');
    button('Save').trigger('onClick');
    await r.waitFor(() => expect(onSave).toHaveBeenCalled());
    expect(onSave.mock.calls[0]![0].inbound.defaultCompanyId).toBe('9001');
  });

  it('says when nothing matches, and when HubSpot could not be searched offers to search again', async () => {
    const onSearch = vi.fn()
      .mockResolvedValueOnce({ ok: true, results: [] })
      .mockResolvedValueOnce({ ok: false, message: 'HubSpot answered 503' })
      .mockResolvedValueOnce({ ok: true, results: [{ id: '2002', label: 'Support customers', detail: '12' }] });
    const { r, button } = render(props({ onSearch, language: 'de' }));
    r.find(SearchInput, { name: 'portal.accessListId' }).trigger('onInput', 'zzz' as never);
    await r.waitFor(() => expect(r.findAll(Text).map((x) => x.text)).toContain('Nichts in HubSpot passt zu „zzz“.'));
    r.find(SearchInput, { name: 'portal.accessListId' }).trigger('onInput', 'portal' as never);
    await r.waitFor(() => expect(r.find(Alert).text).toContain('HubSpot konnte nicht durchsucht werden: HubSpot answered 503'));
    expect(onSearch).toHaveBeenLastCalledWith('lists', 'portal');
    button('Erneut suchen').trigger('onClick');
    await r.waitFor(() => expect(r.findAll(Button).map((b) => b.text)).toContain('Support customers (12) wählen'));
  });

  it('adds and removes admins by name, keeping the ones already there', async () => {
    const onSearch = vi.fn().mockResolvedValue({ ok: true, results: [{ id: '71', label: 'Grace Hopper', detail: 'grace@acme.example' }, { id: '72', label: 'Ada Lovelace', detail: 'ada@acme.example' }] });
    const onSave = vi.fn().mockResolvedValue({ ok: true, version: 4 });
    const { r, button } = render(props({ onSearch, onSave, payload: { kind: 'ready', data: named } }));
    r.find(SearchInput, { name: 'access.adminUserIds' }).trigger('onInput', 'a' as never);
    // Grace is an admin already: only Ada is offered.
    await r.waitFor(() => expect(r.findAll(Button).map((b) => b.text)).toContain('Choose Ada Lovelace (ada@acme.example)'));
    expect(r.findAll(Button).map((b) => b.text)).not.toContain('Choose Grace Hopper (grace@acme.example)');
    button('Choose Ada Lovelace (ada@acme.example)').trigger('onClick');
    button('Remove Grace Hopper').trigger('onClick');
    button('Save').trigger('onClick');
    await r.waitFor(() => expect(onSave).toHaveBeenCalled());
    expect(onSave.mock.calls[0]![0].access.adminUserIds).toEqual([72]);
  });

  it('shows no search to someone who is not an admin, and the admins by name', () => {
    const { r } = render(props({ payload: { kind: 'ready', data: { ...named, you: { userId: 9, admin: false } } } }));
    expect(r.findAll(SearchInput)).toHaveLength(0);
    expect(r.findAll(Text).map((x) => x.text)).toContain('Grace Hopper');
    expect(r.findAll(Button).map((b) => b.text).filter((x) => x?.startsWith('Remove'))).toEqual([]);
  });
});

describe('every setting has a field', () => {
  it('renders a field for each key of the settings schema (SMTP and HubSpot delivery included) and saves what each one changes', async () => {
    // The schema's defaults, with an SMTP server so its keys are there too.
    const leaves = schemaLeaves(settingsSchema.parse({ email: { smtp: { host: 'h', port: 1, from: 'a@b' } } }));
    expect(leaves.length).toBeGreaterThan(25);
    const names = new Set<string>();
    for (const transport of ['smtp', 'hubspot'] as const) {
      const r = createRenderer('settings');
      r.render(<SettingsView {...props({ payload: { kind: 'ready', data: { ...payload, settings: { ...payload.settings, email: { ...payload.settings.email, transport } } } } })} />);
      for (const kind of [Input, TextArea, Toggle, Select, SearchInput] as const) for (const field of r.findAll(kind as typeof Input)) names.add(String(field.props.name));
    }
    const missing = leaves.filter((leaf) => !names.has(leaf) && ![...names].some((n) => n.startsWith(`${leaf}.`)));
    expect(missing).toEqual([]);
  });

  it('saves the fields that had none before (auto-reply subjects, plus addresses, caps, the customer property, rule limits)', async () => {
    const onSave = vi.fn().mockResolvedValue({ ok: true, version: 4 });
    const { r, button } = render(props({ onSave }));
    r.find(TextArea, { name: 'inbound.autoReplySubjects' }).trigger('onChange', 'Out of office\n Abwesenheitsnotiz \n' as never);
    r.find(Toggle, { name: 'inbound.stripPlusAddresses' }).trigger('onChange', true as never);
    r.find(Input, { name: 'email.maxPerRecipientPerHour' }).trigger('onChange', '8' as never);
    await r.waitFor(() => expect((r.find(Select, { name: 'supportContacts.customerProperty' }).props.options as { label: string }[]).map((o) => o.label)).toEqual(['Lifecycle stage', 'Type']));
    r.find(Select, { name: 'supportContacts.customerProperty' }).trigger('onChange', 'type' as never);
    r.find(Input, { name: 'supportContacts.customerValue' }).trigger('onChange', 'CUSTOMER' as never);
    r.find(Input, { name: 'supportContacts.maxPerCompany' }).trigger('onChange', '10' as never);
    r.find(Input, { name: 'supportContacts.maxReportsPerRecipientPerHour' }).trigger('onChange', '30' as never);
    r.find(Input, { name: 'rules.auditRetentionDays' }).trigger('onChange', '90' as never);
    r.find(Input, { name: 'rules.maxActionsPerTicketPerHour' }).trigger('onChange', '5' as never);
    button('Save').trigger('onClick');
    await r.waitFor(() => expect(onSave).toHaveBeenCalled());
    const saved = onSave.mock.calls[0]![0];
    expect(saved.inbound).toMatchObject({ autoReplySubjects: ['Out of office', 'Abwesenheitsnotiz'], stripPlusAddresses: true });
    expect(saved.email.maxPerRecipientPerHour).toBe(8);
    expect(saved.supportContacts).toEqual({ ...payload.settings.supportContacts, customerProperty: 'type', customerValue: 'CUSTOMER', maxPerCompany: 10, maxReportsPerRecipientPerHour: 30 });
    expect(saved.rules).toEqual({ auditRetentionDays: 90, maxActionsPerTicketPerHour: 5 });
    // What the page sends is what the server accepts.
    expect(settingsSchema.safeParse(saved).success).toBe(true);
  });
});

describe('the settings page for someone who is not an admin of the app', () => {
  it('says so and offers no save', () => {
    const r = createRenderer('settings');
    r.render(<SettingsView {...props({ payload: { kind: 'ready', data: { ...payload, you: { userId: 2, admin: false } } } })} />);
    expect(r.findAll(Alert).map((a) => a.text)).toContain('You can see these settings; only an admin of Portal Autopilot (the user who installed it, or one listed here) can change them.');
    expect(r.findAll(Button).find((b) => b.text === 'Save')!.props.disabled).toBe(true);
  });
});
