import { Alert, Button, Divider, Flex, Text } from '@hubspot/ui-extensions';
import { useState } from 'react';
import { t, type Language } from '../i18n/messages.js';
import { LoadStates, type Loadable } from './load-states.js';

export interface ReplyPreview { channel: 'thread' | 'email'; to: string; language: Language; needsAccess: boolean; subject: string; text: string }
export interface SentReply { at: string; by: string; channel: 'thread' | 'email'; to: string; why?: 'no-thread' | 'no-user' | 'scope' }

export interface QuickReplyViewProps {
  replies: Loadable<{ replies: SentReply[] }>;
  language: Language;
  onPreview: () => Promise<ReplyPreview | { error: string }>;
  /** One request id per click: a retried request replies once. */
  onSend: (requestId: string) => Promise<SentReply | { error: string }>;
  onRetry: () => void;
}

const when = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

export function replyLine(language: Language, r: SentReply): string {
  const vars = { at: when(r.at), by: r.by, to: r.to };
  if (r.channel === 'thread') return t(language, 'reply.sentThread', vars);
  return t(language, r.why === 'scope' ? 'reply.sentEmailScope' : 'reply.sentEmail', vars);
}

/** The ticket card's "Reply with portal credentials": a preview first, then one reply per click, then what was done. */
export function QuickReplyView({ replies, language, onPreview, onSend, onRetry }: QuickReplyViewProps) {
  const [preview, setPreview] = useState<ReplyPreview | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<SentReply[]>([]);
  if (replies.kind !== 'ready') return <LoadStates state={replies} language={language} title="reply.title" onRetry={onRetry} />;
  const all = [...sent, ...replies.data.replies];
  const languageName = (l: Language) => t(language, `lang.${l}`);
  return (
    <Flex direction="column" gap="xs">
      <Divider />
      <Text format={{ fontWeight: 'bold' }}>{t(language, 'reply.title')}</Text>
      {!preview && (
        <Button disabled={busy} onClick={async () => {
          setBusy(true); setFailure(null);
          const p = await onPreview();
          setBusy(false);
          if ('error' in p) setFailure(p.error); else setPreview(p);
        }}>{t(language, 'reply.preview')}</Button>
      )}
      {preview && (
        <>
          <Text>{t(language, preview.channel === 'thread' ? 'reply.onThread' : 'reply.byEmail', { to: preview.to, language: languageName(preview.language) })}</Text>
          {preview.needsAccess && <Alert title={t(language, 'reply.title')} variant="info">{t(language, 'reply.grantsAccess')}</Alert>}
          <Text format={{ fontWeight: 'demibold' }}>{preview.subject}</Text>
          <Text>{preview.text}</Text>
          <Text variant="microcopy">{t(language, 'reply.linkNote')}</Text>
          <Button variant="primary" disabled={busy} onClick={async () => {
            setBusy(true); setFailure(null);
            const outcome = await onSend(`reply-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`);
            setBusy(false);
            if ('error' in outcome) setFailure(outcome.error); else { setSent([outcome, ...sent]); setPreview(null); }
          }}>{t(language, 'reply.send')}</Button>
        </>
      )}
      {failure !== null && <Alert title={t(language, 'reply.title')} variant="error">{t(language, 'reply.failed', { reason: failure })}</Alert>}
      {all.slice(0, 5).map((r) => <Text key={`${r.at}-${r.to}`}>{replyLine(language, r)}</Text>)}
    </Flex>
  );
}
