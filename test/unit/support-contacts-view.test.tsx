import { Alert, Button, Form, Input, Text } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { describe, expect, it, vi } from 'vitest';
import { SupportContactsView, type SupportContactsViewProps, type SupportData } from '../../src/extensions/support-contacts-view.js';

const data = (over: Partial<SupportData> = {}) => ({ kind: 'ready' as const, data: {
  companyName: 'Acme', isCustomer: true, needsOne: false, canEdit: true, history: [],
  contacts: [{ kind: 'contact' as const, contactId: '7', email: 'grace@acme.example', name: 'Grace Hopper' }], ...over,
} });
const props = (over: Partial<SupportContactsViewProps> = {}): SupportContactsViewProps => ({
  data: data(), language: 'en', onRetry: vi.fn(),
  onSearch: vi.fn().mockResolvedValue({ results: [{ kind: 'user', userId: '42', email: 'lin@support.example', name: 'Lin Agent' }] }),
  onSave: vi.fn().mockResolvedValue({ ok: true }), ...over,
});
function render(p: SupportContactsViewProps) {
  const r = createRenderer('crm.record.sidebar');
  r.render(<SupportContactsView {...p} />);
  const button = (label: string) => r.findAll(Button).find((b) => b.text === label);
  return { r, button, texts: () => r.findAll(Text).map((x) => x.text) };
}

describe('the company card\'s support contacts', () => {
  it('adds a user found by a debounced search, and saves the list', async () => {
    const p = props();
    const { r, button } = render(p);
    r.find(Input, { name: 'supportSearch' }).trigger('onInput', 'lin' as never);
    await r.waitFor(() => expect(button('Add Lin Agent <lin@support.example> (HubSpot user)')).toBeDefined(), { timeoutInMs: 2000 });
    expect(p.onSearch).toHaveBeenCalledOnce();
    button('Add Lin Agent <lin@support.example> (HubSpot user)')!.trigger('onClick');
    button('Save support contacts')!.trigger('onClick');
    await r.waitFor(() => expect(r.find(Alert).text).toBe('Support contacts saved.'));
    expect(p.onSave).toHaveBeenCalledWith([
      { kind: 'contact', contactId: '7', email: 'grace@acme.example', name: 'Grace Hopper' },
      { kind: 'user', userId: '42', email: 'lin@support.example', name: 'Lin Agent' },
    ]);
  });

  it('adds a typed address on Enter, and refuses an invalid one naming it', async () => {
    const p = props({ onSave: vi.fn().mockResolvedValue({ ok: true }) });
    const { r, button, texts } = render(p);
    r.find(Input, { name: 'supportSearch' }).trigger('onInput', 'ops@@acme' as never);
    r.find(Form).trigger('onSubmit');
    await r.waitFor(() => expect(r.find(Alert).text).toBe('invalid email address: ops@@acme'));
    r.find(Input, { name: 'supportSearch' }).trigger('onInput', 'ops@acme.example' as never);
    r.find(Form).trigger('onSubmit');
    await r.waitFor(() => expect(texts()).toContain('ops@acme.example <ops@acme.example> (address)'));
    expect(button('Save support contacts')).toBeDefined();
  });

  it('removes only after a confirmation, and warns when a customer is left without one', async () => {
    const p = props();
    const { r, button } = render(p);
    button('× Remove grace@acme.example')!.trigger('onClick');
    expect(r.find(Alert).text).toBe('Remove grace@acme.example from the support contacts?');
    button('Yes, remove')!.trigger('onClick');
    await r.waitFor(() => expect(r.findAll(Alert).map((a) => a.text)).toContain('This customer has no support contact: issue reports reach no one. Add at least one.'));
    // The server refuses the save (a customer keeps at least one): its message is shown.
    const refusing = props({ onSave: vi.fn().mockResolvedValue({ ok: false, message: 'Acme is a customer: it must keep at least one support contact' }) });
    const again = render(refusing);
    again.button('× Remove grace@acme.example')!.trigger('onClick');
    again.button('Yes, remove')!.trigger('onClick');
    again.button('Save support contacts')!.trigger('onClick');
    await again.r.waitFor(() => expect(again.r.findAll(Alert).map((a) => a.text)).toContain('Acme is a customer: it must keep at least one support contact'));
  });

  it('is read-only for a user without the right (in German)', () => {
    const { r, texts } = render(props({ language: 'de', data: data({ canEdit: false }) }));
    expect(texts()).toContain('Nur ein Admin von Portal Autopilot kann die Support-Ansprechpartner hier ändern.');
    expect(r.findAll(Button)).toHaveLength(0);
    expect(r.findAll(Input)).toHaveLength(0);
  });

  it('says when HubSpot users were left out of a search for a scope the install lacks, and what the admin does, still offering the contacts', async () => {
    const p = props({ onSearch: vi.fn().mockResolvedValue({ results: [{ kind: 'contact', contactId: '9', email: 'lin@acme.example', name: 'Lin' }], usersUnsearched: { reason: 'missing-scope', scopes: ['crm.objects.users.read'] } }) });
    const { r, button } = render(p);
    r.find(Input, { name: 'supportSearch' }).trigger('onInput', 'lin' as never);
    await r.waitFor(() => expect(r.findAll(Alert).map((a) => a.text)).toContain("HubSpot users are left out of this search: the app lacks HubSpot's crm.objects.users.read scope. An admin of your HubSpot account adds it (private app: in the app's Auth settings, then upload the project again; marketplace install: install the app again from its install link)."), { timeoutInMs: 2000 });
    expect(button('Add Lin <lin@acme.example> (contact)')).toBeDefined();
  });

  it('says when the search failed, in the agent\'s language', async () => {
    const p = props({ language: 'es', onSearch: vi.fn().mockRejectedValue(new Error('HubSpot no responde')) });
    const { r } = render(p);
    r.find(Input, { name: 'supportSearch' }).trigger('onInput', 'lin' as never);
    await r.waitFor(() => expect(r.findAll(Alert).map((a) => a.text)).toContain('No se han podido buscar los usuarios de HubSpot ahora mismo (HubSpot no responde); solo se muestran contactos. Escribe de nuevo para reintentarlo.'), { timeoutInMs: 2000 });
  });
});
