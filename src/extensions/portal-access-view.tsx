import { Alert, Button, ButtonRow, Flex, StatusTag, Text } from '@hubspot/ui-extensions';
import { useState } from 'react';
import type { EmailRecord } from '../email/send-email.js';
import { t, type Language } from '../i18n/messages.js';
import { LoadStates, type Loadable } from './load-states.js';

export type PortalAccessState = 'none' | 'invited' | 'active' | 'disabled';
export interface ContactPortal { access: PortalAccessState; email: string | null; lastSignInAt: string | null; lastCredentialsEmail: EmailRecord | null }
export interface CredentialsPreview { to: string; subject: string; text: string }
export type ActionResult = { ok: true } | { ok: false; reason: string };

export interface PortalAccessViewProps {
  portal: Loadable<ContactPortal>;
  language: Language;
  onRetry: () => void;
  onGrant: () => Promise<ActionResult>;
  onRevoke: () => Promise<ActionResult>;
  onPreview: () => Promise<CredentialsPreview | { error: string }>;
  onSend: () => Promise<ActionResult>;
  onReset: () => Promise<ActionResult>;
  /** A temporary password for the agent to read out (shown once; changed at the first sign-in). */
  onTemporaryPassword?: () => Promise<{ password: string } | { error: string }>;
}

const tag = { none: 'default', invited: 'info', active: 'success', disabled: 'danger' } as const;
const when = (iso: string, language: Language) => new Date(iso).toLocaleString(language, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

/**
 * The contact card's portal section: access status, last sign-in, last credentials email; grant,
 * revoke (confirmed first), send credentials (the email previewed first, as the articles' quick
 * reply) and reset the password (a new link by email: the agent never sees or types a password).
 */
export function PortalAccessView(p: PortalAccessViewProps) {
  const { language } = p;
  const [preview, setPreview] = useState<CredentialsPreview | null>(null);
  const [confirmRevoke, setConfirmRevoke] = useState(false);
  const [notice, setNotice] = useState<{ variant: 'success' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [temporary, setTemporary] = useState<string | null>(null);
  if (p.portal.kind !== 'ready') return <LoadStates state={p.portal} language={language} title="portal.title" onRetry={p.onRetry} />;
  const s = p.portal.data;
  const to = s.email ?? '';

  const run = async (action: () => Promise<ActionResult>, success: string) => {
    setBusy(true);
    const result = await action();
    setBusy(false);
    setNotice(result.ok ? { variant: 'success', text: success } : { variant: 'error', text: t(language, 'portal.failed', { reason: result.reason }) });
    if (result.ok) p.onRetry();
  };
  const openPreview = async () => {
    setBusy(true);
    const result = await p.onPreview();
    setBusy(false);
    if ('error' in result) setNotice({ variant: 'error', text: t(language, 'portal.failed', { reason: result.error }) });
    else setPreview(result);
  };

  const hasAccess = s.access === 'invited' || s.access === 'active';
  return (
    <Flex direction="column" gap="xs">
      <Text format={{ fontWeight: 'bold' }}>{t(language, 'portal.title')}</Text>
      <StatusTag variant={tag[s.access]}>{t(language, `portal.access.${s.access}`)}</StatusTag>
      {hasAccess && <Text>{s.lastSignInAt ? t(language, 'portal.lastSignIn', { at: when(s.lastSignInAt, language) }) : t(language, 'portal.neverSignedIn')}</Text>}
      {s.access !== 'none' && <Text>{s.lastCredentialsEmail ? t(language, 'portal.lastEmail', { at: when(s.lastCredentialsEmail.at, language), state: t(language, s.lastCredentialsEmail.state === 'sent' ? 'ticketRules.status.sent' : s.lastCredentialsEmail.state === 'suppressed' ? 'ticketRules.status.suppressed' : 'ticketRules.status.emailFailed') }) : t(language, 'portal.noEmail')}</Text>}
      {notice && <Alert title={t(language, 'portal.title')} variant={notice.variant}>{notice.text}</Alert>}
      {temporary && <Alert title={t(language, 'portal.temporary')} variant="warning">{t(language, 'portal.temporaryShown', { to, password: temporary })}</Alert>}
      {preview && (
        <Flex direction="column" gap="xs">
          <Text format={{ fontWeight: 'bold' }}>{t(language, 'portal.previewTitle', { to: preview.to })}</Text>
          <Text format={{ fontWeight: 'demibold' }}>{preview.subject}</Text>
          <Text>{preview.text}</Text>
          <ButtonRow>
            <Button variant="primary" disabled={busy} onClick={() => { setPreview(null); void run(p.onSend, t(language, 'portal.sent', { to })); }}>{t(language, 'portal.send')}</Button>
            <Button onClick={() => setPreview(null)}>{t(language, 'portal.cancel')}</Button>
          </ButtonRow>
        </Flex>
      )}
      {confirmRevoke && (
        <Flex direction="column" gap="xs">
          <Alert title={t(language, 'portal.revoke')} variant="warning">{t(language, 'portal.revokeConfirm')}</Alert>
          <ButtonRow>
            <Button variant="destructive" disabled={busy} onClick={() => { setConfirmRevoke(false); void run(p.onRevoke, t(language, 'portal.access.disabled')); }}>{t(language, 'portal.confirmRevoke')}</Button>
            <Button onClick={() => setConfirmRevoke(false)}>{t(language, 'portal.cancel')}</Button>
          </ButtonRow>
        </Flex>
      )}
      {!preview && !confirmRevoke && (
        <ButtonRow>
          {!hasAccess && <Button variant="primary" disabled={busy} onClick={() => void run(p.onGrant, t(language, 'portal.access.invited'))}>{t(language, 'portal.grant')}</Button>}
          {hasAccess && <Button variant="primary" disabled={busy} onClick={() => void openPreview()}>{t(language, 'portal.preview')}</Button>}
          {s.access === 'active' && <Button disabled={busy} onClick={() => void run(p.onReset, t(language, 'portal.resetSent', { to }))}>{t(language, 'portal.reset')}</Button>}
          {hasAccess && p.onTemporaryPassword && (
            <Button disabled={busy} onClick={async () => {
              setBusy(true);
              const result = await p.onTemporaryPassword!();
              setBusy(false);
              if ('error' in result) setNotice({ variant: 'error', text: t(language, 'portal.failed', { reason: result.error }) }); else { setNotice(null); setTemporary(result.password); }
            }}>{t(language, 'portal.temporary')}</Button>
          )}
          {hasAccess && <Button variant="destructive" disabled={busy} onClick={() => setConfirmRevoke(true)}>{t(language, 'portal.revoke')}</Button>}
        </ButtonRow>
      )}
    </Flex>
  );
}
