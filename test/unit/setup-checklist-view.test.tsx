import { Alert, Button, Heading, StatusTag, Text } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { describe, expect, it, vi } from 'vitest';
import { SetupChecklistView, type SetupChecklistViewProps } from '../../src/extensions/setup-checklist-view.js';
import type { SetupChecklist } from '../../src/settings/setup-steps.js';

const checklist: SetupChecklist = {
  done: 3, total: 9, steps: [
    { id: 'provisioning', state: 'done' },
    { id: 'portalUrl', state: 'done', vars: { url: 'https://support.acme.example' } },
    { id: 'accessList', state: 'missing' },
    { id: 'sso', state: 'waiting', vars: { issuer: 'https://app.example/oidc', clientId: 'hs-4242-abc', redirectUri: 'https://support.acme.example/_hcms/oauth/callback' } },
    { id: 'defaultCompany', state: 'missing' },
    { id: 'email', state: 'missing', vars: { why: 'outbox' } },
    { id: 'onboarding', state: 'missing' },
    { id: 'credentialsRule', state: 'done' },
    { id: 'supportContacts', state: 'missing', vars: { count: 2 }, companies: [{ id: '1', label: 'Acme' }, { id: '2', label: 'Globex' }] },
  ],
};

const render = (over: Partial<SetupChecklistViewProps> = {}) => {
  const r = createRenderer('settings');
  const props: SetupChecklistViewProps = { checklist: { kind: 'ready', data: checklist }, language: 'en', readOnly: false, onAction: vi.fn().mockResolvedValue({ ok: true }), onRetry: vi.fn(), ...over };
  r.render(<SetupChecklistView {...props} />);
  return { r, props };
};

describe('the setup checklist at the top of the settings page', () => {
  it('says how far the setup is, each step with its state, what is missing and the values to paste', () => {
    const { r } = render();
    expect(r.find(Heading).text).toBe('Setup: 3 of 9 steps done');
    expect(r.findAll(StatusTag).map((s) => [s.text, s.props.variant])).toEqual([
      ['Done', 'success'], ['Done', 'success'], ['To do', 'warning'], ['Waiting', 'info'], ['To do', 'warning'], ['To do', 'warning'], ['To do', 'warning'], ['Done', 'success'], ['To do', 'warning'],
    ]);
    const texts = r.findAll(Text).map((x) => x.text);
    expect(texts).toContain('Waiting for the first sign-in. On HubSpot\'s SSO screen: issuer https://app.example/oidc, client id hs-4242-abc, redirect URI https://support.acme.example/_hcms/oauth/callback (the secret is under “Single sign-on” below).');
    expect(texts).toContain('2 customer companies have none (add one on each company\'s card): Acme, Globex');
    expect(texts).toContain("Emails stay in the app's outbox and reach no one: choose HubSpot transactional email or your SMTP server below.");
    // A button for each step that has one and is not done (no test email while nothing can be sent).
    expect(r.findAll(Button).map((b) => b.text)).toEqual(['Create the access list', 'Create an “Unassigned” company and use it', 'Turn it on']);
  });

  it('does what a button says, reloads, and says why when it did not work', async () => {
    const onAction = vi.fn().mockResolvedValueOnce({ ok: true }).mockResolvedValueOnce({ ok: false, message: 'set the customer portal\'s address first' });
    const { r, props } = render({ onAction });
    r.findAll(Button).find((b) => b.text === 'Create the access list')!.trigger('onClick');
    await r.waitFor(() => expect(props.onRetry).toHaveBeenCalledTimes(1));
    expect(onAction).toHaveBeenCalledWith('provisioning');
    r.findAll(Button).find((b) => b.text === 'Turn it on')!.trigger('onClick');
    await r.waitFor(() => expect(r.find(Alert).text).toBe('That did not work: set the customer portal\'s address first'));
  });

  it('offers the test email once delivery is configured, in the admin\'s language', () => {
    const ready: SetupChecklist = { ...checklist, steps: checklist.steps.map((s) => (s.id === 'email' ? { ...s, vars: { why: 'test' } } : s)) };
    const { r } = render({ checklist: { kind: 'ready', data: ready }, language: 'it' });
    expect(r.find(Heading).text).toBe('Configurazione: 3 di 9 passaggi completati');
    expect(r.findAll(Button).map((b) => b.text)).toContain('Inviami un’email di prova');
  });

  it('shows no buttons to someone who is not an admin of the app', () => {
    const { r } = render({ readOnly: true });
    expect(r.findAll(Button)).toHaveLength(0);
  });
});
