import { Alert, Toggle } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { describe, expect, it, vi } from 'vitest';
import { PrimaryContactsView } from '../../src/extensions/primary-contacts-view.js';

const contacts = [{ contactId: '5', email: 'pat@globex.example', name: 'Pat Primary', primary: false }, { contactId: '6', email: 'sam@globex.example', name: null, primary: true }];

describe('the company card\'s primary contacts', () => {
  it('switches a contact to primary and back, keeping the switch as it was when the server refuses, with the reason', async () => {
    const onSet = vi.fn().mockResolvedValueOnce({ ok: true }).mockResolvedValueOnce({ ok: false, message: 'only an admin of Portal Autopilot can change primary contacts in this account' });
    const r = createRenderer('crm.record.sidebar');
    r.render(<PrimaryContactsView contacts={{ kind: 'ready', data: { contacts } }} language="en" onSet={onSet} onRetry={vi.fn()} />);
    expect(r.findAll(Toggle).map((x) => [x.props.label, x.props.checked])).toEqual([['Pat Primary (pat@globex.example): primary contact', false], ['sam@globex.example: primary contact', true]]);
    r.find(Toggle, { name: 'primary-5' }).trigger('onChange', true as never);
    await r.waitFor(() => expect(onSet).toHaveBeenCalledWith('5', true));
    expect(r.find(Toggle, { name: 'primary-5' }).props.checked).toBe(true);
    r.find(Toggle, { name: 'primary-6' }).trigger('onChange', false as never);
    await r.waitFor(() => expect(r.find(Alert).text).toContain('only an admin of Portal Autopilot can change primary contacts'));
    expect(r.find(Toggle, { name: 'primary-6' }).props.checked).toBe(true);
  });

  it('says when the company has no contacts, in the agent\'s language', () => {
    const r = createRenderer('crm.record.sidebar');
    r.render(<PrimaryContactsView contacts={{ kind: 'ready', data: { contacts: [] } }} language="it" onSet={vi.fn()} onRetry={vi.fn()} />);
    expect(r.findAll(Toggle)).toHaveLength(0);
  });
});
