import { Alert, Button, Input, Select, Text, TextArea, Toggle } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { describe, expect, it, vi } from 'vitest';
import { SettingsView, type SettingsPayload } from '../../src/extensions/settings-view.js';

const payload: SettingsPayload = {
  version: 3,
  settings: {
    defaultLanguage: 'en', internalDomains: ['acme.example'],
    inbound: { freeMailAdditions: [], ignoredSenders: ['no-reply'], autoReplySubjects: ['out of office'], matchSubdomains: true, defaultCompanyId: null, stripPlusAddresses: false },
  },
  provisioning: { steps: [{ name: 'contact property group "Portal Autopilot"', ok: false, detail: 'HubSpot answered 403: missing scope' }] },
};

describe('the settings page', () => {
  it('saves the edited settings against the version it loaded and confirms the new version', async () => {
    const onSave = vi.fn().mockResolvedValue({ ok: true, version: 4 });
    const r = createRenderer('settings');
    r.render(<SettingsView payload={{ kind: 'ready', data: payload }} language="en" onSave={onSave} onRetry={() => {}} />);
    r.find(Select).trigger('onChange', 'es' as never);
    r.find(TextArea, { name: 'internalDomains' }).trigger('onChange', 'acme.example\nacme.test' as never);
    r.find(Toggle, { name: 'matchSubdomains' }).trigger('onChange', false as never);
    r.find(TextArea, { name: 'freeMailAdditions' }).trigger('onChange', 'partner-mail.example' as never);
    r.find(Input, { name: 'defaultCompanyId' }).trigger('onChange', ' 9001 ' as never);
    r.find(Button).trigger('onClick');
    await r.waitFor(() => expect(r.find(Alert).text).toBe('Settings saved (version 4).'));
    expect(onSave).toHaveBeenCalledWith({
      defaultLanguage: 'es', internalDomains: ['acme.example', 'acme.test'],
      inbound: { ...payload.settings.inbound, matchSubdomains: false, freeMailAdditions: ['partner-mail.example'], defaultCompanyId: '9001' },
    }, 3);
  });

  it('shows the server\'s reason when a save is refused, and a conflict in plain words', async () => {
    const onSave = vi.fn()
      .mockResolvedValueOnce({ ok: false, message: 'settings.internalDomains.0: is not a domain name' })
      .mockResolvedValueOnce({ ok: false, message: 'x', conflict: true });
    const r = createRenderer('settings');
    r.render(<SettingsView payload={{ kind: 'ready', data: payload }} language="en" onSave={onSave} onRetry={() => {}} />);
    r.find(Button).trigger('onClick');
    await r.waitFor(() => expect(r.find(Alert).text).toContain('is not a domain name'));
    r.find(Button).trigger('onClick');
    await r.waitFor(() => expect(r.find(Alert).text).toContain('Someone else changed the settings'));
  });

  it('shows each setup step and why one failed', () => {
    const r = createRenderer('settings');
    r.render(<SettingsView payload={{ kind: 'ready', data: payload }} language="es" onSave={vi.fn()} onRetry={() => {}} />);
    expect(r.findAll(Text).map((t) => t.text)).toContain('contact property group "Portal Autopilot": Error: HubSpot answered 403: missing scope');
  });
});
