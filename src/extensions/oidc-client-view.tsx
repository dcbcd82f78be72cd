import { Alert, Button, ButtonRow, Flex, Heading, Input, Select, Text } from '@hubspot/ui-extensions';
import { useState } from 'react';
import { t, type Language } from '../i18n/messages.js';
import type { PkcePolicy } from '../portal/oidc/oidc-clients.js';
import { LoadStates, type Loadable } from './load-states.js';

export interface OidcClientPayload { issuer: string; discovery: string; client: { clientId: string; clientSecret: string; redirectUris: string[]; pkce?: PkcePolicy } | null }
export type ClientSaveResult = { ok: true; payload: OidcClientPayload } | { ok: false; message: string };

export interface OidcClientViewProps {
  client: Loadable<OidcClientPayload>;
  language: Language;
  onRetry: () => void;
  onSave: (redirectUris: string[], rotateSecret: boolean, pkce: PkcePolicy) => Promise<ClientSaveResult>;
  onSignOutAll: () => Promise<{ ok: boolean; message?: string }>;
}

/**
 * The settings page's single sign-on section: what the admin copies into HubSpot's SSO screen
 * (issuer, client id, secret) and what HubSpot gives back (the redirect URI).
 */
export function OidcClientView(p: OidcClientViewProps) {
  const { language } = p;
  const [redirect, setRedirect] = useState<string | null>(null);
  const [pkce, setPkce] = useState<PkcePolicy | null>(null);
  const [notice, setNotice] = useState<{ variant: 'success' | 'error'; text: string } | null>(null);
  if (p.client.kind !== 'ready') return <LoadStates state={p.client} language={language} title="settings.oidc" onRetry={p.onRetry} />;
  const data = p.client.data;
  const uris = (redirect ?? data.client?.redirectUris.join('\n') ?? '').split(/\s+/).filter(Boolean);
  const save = async (rotate: boolean) => {
    const result = await p.onSave(uris, rotate, pkce ?? data.client?.pkce ?? 'when-sent');
    setNotice(result.ok ? { variant: 'success', text: t(language, 'settings.oidc.saved') } : { variant: 'error', text: t(language, 'error.badRequest', { reason: result.message }) });
    if (result.ok) { setRedirect(null); setPkce(null); p.onRetry(); }
  };
  return (
    <Flex direction="column" gap="xs">
      <Heading>{t(language, 'settings.oidc')}</Heading>
      <Text>{t(language, 'settings.oidc.issuer', { issuer: data.issuer })}</Text>
      {data.client
        ? <>
          <Text>{t(language, 'settings.oidc.clientId', { clientId: data.client.clientId })}</Text>
          <Text>{t(language, 'settings.oidc.secret', { secret: data.client.clientSecret })}</Text>
        </>
        : <Text>{t(language, 'settings.oidc.none')}</Text>}
      <Input name="redirectUri" label={t(language, 'settings.oidc.redirect')} value={uris.join(' ')} onChange={(v: string) => setRedirect(v)} />
      <Select
        name="pkce" label={t(language, 'settings.oidc.pkce')} value={pkce ?? data.client?.pkce ?? 'when-sent'}
        options={(['when-sent', 'required'] as const).map((v) => ({ value: v, label: t(language, `settings.oidc.pkce.${v}`) }))}
        onChange={(v) => setPkce(v as PkcePolicy)}
      />
      <ButtonRow>
        <Button variant="primary" onClick={() => void save(false)}>{t(language, 'settings.oidc.save')}</Button>
        {data.client && <Button onClick={() => void save(true)}>{t(language, 'settings.oidc.rotate')}</Button>}
        <Button variant="destructive" onClick={() => void p.onSignOutAll().then((r) => setNotice(r.ok ? { variant: 'success', text: t(language, 'settings.oidc.signedOutAll') } : { variant: 'error', text: r.message ?? '' }))}>{t(language, 'settings.oidc.signOutAll')}</Button>
      </ButtonRow>
      {notice && <Alert title={t(language, 'settings.oidc')} variant={notice.variant}>{notice.text}</Alert>}
    </Flex>
  );
}
