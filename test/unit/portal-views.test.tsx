import { Alert, Button, Input, StatusTag, Text } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { describe, expect, it, vi } from 'vitest';
import { CompanyPortalView, type CompanyPortalViewProps } from '../../src/extensions/company-portal-view.js';
import { OidcClientView, type OidcClientViewProps } from '../../src/extensions/oidc-client-view.js';
import { PortalAccessView, type ContactPortal, type PortalAccessViewProps } from '../../src/extensions/portal-access-view.js';

const contact = (over: Partial<ContactPortal> = {}) => ({ kind: 'ready' as const, data: { access: 'none' as const, email: 'ada@acme.example', lastSignInAt: null, lastCredentialsEmail: null, ...over } });
const contactProps = (over: Partial<PortalAccessViewProps> = {}): PortalAccessViewProps => ({
  portal: contact(), language: 'en', onRetry: vi.fn(), onGrant: vi.fn().mockResolvedValue({ ok: true }), onRevoke: vi.fn().mockResolvedValue({ ok: true }),
  onPreview: vi.fn().mockResolvedValue({ to: 'ada@acme.example', subject: 'Your access to our customer portal', text: 'Hello Ada, choose your password here: [a one-time link]' }),
  onSend: vi.fn().mockResolvedValue({ ok: true }), onReset: vi.fn().mockResolvedValue({ ok: true }), ...over,
});

function renderContact(p: PortalAccessViewProps) {
  const r = createRenderer('crm.record.sidebar');
  r.render(<PortalAccessView {...p} />);
  const button = (label: string) => r.findAll(Button).find((b) => b.text === label);
  const labels = () => r.findAll(Button).map((b) => b.text);
  return { r, button, labels };
}

describe('the contact card\'s customer portal section', () => {
  it('offers access to a contact without it, and says so when it is granted', async () => {
    const p = contactProps();
    const { r, button, labels } = renderContact(p);
    expect(r.find(StatusTag).text).toBe('No portal access');
    expect(labels()).toEqual(['Grant access']);
    button('Grant access')!.trigger('onClick');
    await r.waitFor(() => expect(r.find(Alert).text).toBe('Invited: no password chosen yet'));
    expect(p.onGrant).toHaveBeenCalledOnce();
    expect(p.onRetry).toHaveBeenCalled();
  });

  it('shows the email first and sends only when the agent confirms it (in German)', async () => {
    const p = contactProps({ language: 'de', portal: contact({ access: 'active', lastSignInAt: '2026-11-20T09:30:00Z', lastCredentialsEmail: { cause: 'x', template: 'portal-credentials', contactId: '1', to: 'ada@acme.example', state: 'sent', at: '2026-11-19T08:00:00Z' } }) });
    const { r, button } = renderContact(p);
    expect(r.find(StatusTag).text).toBe('Portalzugang aktiv');
    expect(r.findAll(Text).map((t) => t.text)).toEqual(expect.arrayContaining([expect.stringMatching(/^Letzte Anmeldung: 20\.11\.2026/), expect.stringMatching(/^Letzte Zugangsdaten-E-Mail: 19\.11\.2026.*\(gesendet\)$/)]));
    button('Zugangsdaten senden…')!.trigger('onClick');
    await r.waitFor(() => expect(r.findAll(Text).map((t) => t.text)).toContain('Your access to our customer portal'));
    expect(p.onSend).not.toHaveBeenCalled();
    button('E-Mail senden')!.trigger('onClick');
    await r.waitFor(() => expect(r.find(Alert).text).toBe('Die Zugangsdaten-E-Mail an ada@acme.example ist unterwegs.'));
    expect(p.onSend).toHaveBeenCalledOnce();
  });

  it('revokes only after the agent confirms, and shows why an action failed', async () => {
    const p = contactProps({ portal: contact({ access: 'invited' }), onRevoke: vi.fn().mockResolvedValue({ ok: false, reason: 'HubSpot answered 403' }) });
    const { r, button, labels } = renderContact(p);
    expect(labels()).toEqual(['Send credentials…', 'Revoke access']);
    button('Revoke access')!.trigger('onClick');
    expect(r.find(Alert).text).toBe('Revoke portal access? The contact is signed out and any open link stops working.');
    expect(p.onRevoke).not.toHaveBeenCalled();
    button('Yes, revoke')!.trigger('onClick');
    await r.waitFor(() => expect(r.find(Alert).text).toBe('That did not work: HubSpot answered 403'));
    expect(p.onRevoke).toHaveBeenCalledOnce();
  });

  it('resets the password of an active contact by emailing a new link', async () => {
    const p = contactProps({ portal: contact({ access: 'active' }) });
    const { r, button } = renderContact(p);
    button('Reset password')!.trigger('onClick');
    await r.waitFor(() => expect(r.find(Alert).text).toBe('A new link to choose a password is on its way to ada@acme.example.'));
    expect(p.onReset).toHaveBeenCalledOnce();
  });
});

describe('the company card\'s customer portal section', () => {
  const props = (over: Partial<CompanyPortalViewProps> = {}): CompanyPortalViewProps => ({
    portal: { kind: 'ready', data: { contacts: 5, withAccess: 3, withoutAccess: ['11', '12'], truncated: false, selfRegistered: [] } }, language: 'en', onRetry: vi.fn(),
    onGrantAll: vi.fn().mockResolvedValue({ queued: 2 }), ...over,
  });

  it('counts the contacts with access and grants the rest only after showing how many will be emailed', async () => {
    const p = props();
    const r = createRenderer('crm.record.sidebar');
    r.render(<CompanyPortalView {...p} />);
    expect(r.findAll(Text).map((t) => t.text)).toContain('3 of 5 contacts have portal access');
    r.findAll(Button).find((b) => b.text === 'Grant access to all (2)…')!.trigger('onClick');
    expect(r.find(Alert).text).toBe('Give 2 contacts portal access and email each of them their credentials?');
    expect(p.onGrantAll).not.toHaveBeenCalled();
    r.findAll(Button).find((b) => b.text === 'Yes, grant and send 2')!.trigger('onClick');
    await r.waitFor(() => expect(r.find(Alert).text).toBe('Access and credentials are on their way to 2 contacts.'));
    expect(p.onGrantAll).toHaveBeenCalledWith(2);
  });

  it('says when every contact already has access (in Spanish)', () => {
    const r = createRenderer('crm.record.sidebar');
    r.render(<CompanyPortalView {...props({ language: 'es', portal: { kind: 'ready', data: { contacts: 2, withAccess: 2, withoutAccess: [], truncated: false, selfRegistered: [] } } })} />);
    expect(r.findAll(Text).map((t) => t.text)).toContain('Todos los contactos de esta empresa tienen acceso al portal.');
    expect(r.findAll(Button)).toHaveLength(0);
  });

  it('lists who asked for access on the sign-in page, by name and address, and nothing of the kind when nobody did', () => {
    const r = createRenderer('crm.record.sidebar');
    r.render(<CompanyPortalView {...props({ portal: { kind: 'ready', data: { contacts: 2, withAccess: 2, withoutAccess: [], truncated: false, selfRegistered: [
      { contactId: '9', email: 'mae@acme.example', name: 'Mae Jemison', at: '2026-12-02T09:00:00Z' }, { contactId: '10', email: 'sally@acme.example', name: null, at: '2026-12-01T08:00:00Z' },
    ] } } })} />);
    const texts = r.findAll(Text).map((t) => t.text);
    expect(texts).toContain('Asked for access on the sign-in page (2)');
    expect(texts).toEqual(expect.arrayContaining(['Mae Jemison <mae@acme.example>, on 2026-12-02', 'sally@acme.example, on 2026-12-01']));
    const none = createRenderer('crm.record.sidebar');
    none.render(<CompanyPortalView {...props()} />);
    expect(none.findAll(Text).map((t) => t.text).some((t) => t?.startsWith('Asked for access'))).toBe(false);
  });
});

describe('the settings page\'s single sign-on section', () => {
  const props = (over: Partial<OidcClientViewProps> = {}): OidcClientViewProps => ({
    client: { kind: 'ready', data: { issuer: 'https://autopilot.example.com/oidc', discovery: 'https://autopilot.example.com/oidc/.well-known/openid-configuration', client: null } },
    language: 'en', onRetry: vi.fn(), onSave: vi.fn().mockResolvedValue({ ok: true, payload: {} }), onSignOutAll: vi.fn().mockResolvedValue({ ok: true }), ...over,
  });

  it('asks for HubSpot\'s redirect URI when there is no client yet, and saves it', async () => {
    const p = props();
    const r = createRenderer('settings');
    r.render(<OidcClientView {...p} />);
    expect(r.findAll(Text).map((t) => t.text)).toEqual(['Issuer URL: https://autopilot.example.com/oidc', 'No client yet: paste the redirect URI HubSpot shows, then save.']);
    r.find(Input, { name: 'redirectUri' }).trigger('onChange', 'https://support.acme.example/_hcms/oidc/callback' as never);
    r.findAll(Button).find((b) => b.text === 'Save the client')!.trigger('onClick');
    await r.waitFor(() => expect(r.find(Alert).text).toContain('Client saved.'));
    expect(p.onSave).toHaveBeenCalledWith(['https://support.acme.example/_hcms/oidc/callback'], false, 'when-sent');
  });

  it('shows the client id and secret to copy into HubSpot, and names a refused redirect URI', async () => {
    const p = props({
      client: { kind: 'ready', data: { issuer: 'https://a.example/oidc', discovery: '', client: { clientId: 'hs-42-abcdefghijkl', clientSecret: 's3cret', redirectUris: ['https://support.acme.example/cb'] } } },
      onSave: vi.fn().mockResolvedValue({ ok: false, message: 'redirect URI http://support.acme.example/cb must use https' }),
    });
    const r = createRenderer('settings');
    r.render(<OidcClientView {...p} />);
    expect(r.findAll(Text).map((t) => t.text)).toEqual(['Issuer URL: https://a.example/oidc', 'Client id: hs-42-abcdefghijkl', 'Client secret: s3cret']);
    r.findAll(Button).find((b) => b.text === 'Make a new secret')!.trigger('onClick');
    await r.waitFor(() => expect(r.find(Alert).text).toBe('The request is not valid: redirect URI http://support.acme.example/cb must use https'));
    expect(p.onSave).toHaveBeenCalledWith(['https://support.acme.example/cb'], true, 'when-sent');
  });
});

describe('the agent\'s temporary password on the contact card', () => {
  it('shows it once, after the click, with what the customer must do', async () => {
    const { PortalAccessView } = await import('../../src/extensions/portal-access-view.js');
    const { Alert, Button } = await import('@hubspot/ui-extensions');
    const { createRenderer } = await import('@hubspot/ui-extensions/testing');
    const onTemporaryPassword = vi.fn().mockResolvedValue({ password: 'abcd-efgh-jkmn' });
    const r = createRenderer('crm.record.sidebar');
    r.render(<PortalAccessView portal={{ kind: 'ready', data: { access: 'active', email: 'alan@acme.example', lastSignInAt: null, lastCredentialsEmail: null } }} language="en" onRetry={vi.fn()} onGrant={vi.fn()} onRevoke={vi.fn()} onPreview={vi.fn()} onSend={vi.fn()} onReset={vi.fn()} onTemporaryPassword={onTemporaryPassword} />);
    expect(r.findAll(Alert)).toHaveLength(0);
    r.findAll(Button).find((b) => b.text === 'Make a temporary password to read out')!.trigger('onClick');
    await r.waitFor(() => expect(r.find(Alert).text).toBe('Temporary password for alan@acme.example: abcd-efgh-jkmn — shown once; read it out now. They must choose their own at the first sign-in.'));
    expect(onTemporaryPassword).toHaveBeenCalledOnce();
  });
});
