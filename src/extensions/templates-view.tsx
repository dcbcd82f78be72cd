import { Alert, Button, ButtonRow, Flex, Heading, Input, Select, Text, TextArea } from '@hubspot/ui-extensions';
import { useState } from 'react';
import type { ListedTemplate } from '../email/template-repository.js';
import { t, type Language } from '../i18n/messages.js';
import { LoadStates, type Loadable } from './load-states.js';

export interface TemplatesPayload { templates: ListedTemplate[]; snippets: { name: string; shown: string; secret: boolean }[] }
export interface TemplateBody { subject: string; text: string; html: string }
export type TemplateOutcome = { ok: true; template?: ListedTemplate } | { ok: false; message: string };
export type PreviewOutcome = { ok: true; subject: string; text: string } | { ok: false; message: string };

export interface TemplatesViewProps {
  payload: Loadable<TemplatesPayload>;
  language: Language;
  onSave: (name: string, lang: Language, body: TemplateBody) => Promise<TemplateOutcome>;
  onRestore: (name: string, lang: Language) => Promise<TemplateOutcome>;
  onPreview: (name: string, lang: Language, body: TemplateBody, contactId: string) => Promise<PreviewOutcome>;
  onRetry: () => void;
}

const keyOf = (x: { name: string; language: string }) => `${x.name}:${x.language}`;

/** Templates per language: edit, preview against a contact, restore the shipped text. */
export function TemplatesView(props: TemplatesViewProps) {
  const { payload, language, onRetry } = props;
  if (payload.kind !== 'ready') return <LoadStates state={payload} language={language} title="templates.title" onRetry={onRetry} />;
  return <TemplatesEditor {...props} data={payload.data} />;
}

function TemplatesEditor({ data, language, onSave, onRestore, onPreview }: TemplatesViewProps & { data: TemplatesPayload }) {
  const [selected, setSelected] = useState(keyOf(data.templates[0]!));
  const current = data.templates.find((x) => keyOf(x) === selected)!;
  const [draft, setDraft] = useState<TemplateBody>({ subject: current.subject, text: current.text, html: current.html });
  const [contactId, setContactId] = useState('');
  const [message, setMessage] = useState<{ variant: 'success' | 'error'; text: string } | null>(null);
  const [preview, setPreview] = useState<{ subject: string; text: string } | null>(null);

  const choose = (key: string) => {
    const next = data.templates.find((x) => keyOf(x) === key)!;
    setSelected(key);
    setDraft({ subject: next.subject, text: next.text, html: next.html });
    setMessage(null);
    setPreview(null);
  };
  const show = (outcome: TemplateOutcome, okText: string) => {
    if (outcome.ok && outcome.template) setDraft({ subject: outcome.template.subject, text: outcome.template.text, html: outcome.template.html });
    setMessage(outcome.ok ? { variant: 'success', text: okText } : { variant: 'error', text: outcome.message });
  };

  return (
    <Flex direction="column" gap="sm">
      <Heading>{t(language, 'templates.title')}</Heading>
      <Select
        name="template" label={t(language, 'templates.choose')} value={selected}
        options={data.templates.map((x) => ({ value: keyOf(x), label: `${x.name} · ${x.language}${x.customised ? ` ${t(language, 'templates.customised')}` : ''}` }))}
        onChange={(v) => choose(String(v))}
      />
      <Text>{t(language, 'templates.snippets', { list: data.snippets.map((s) => `{[${s.shown}]}`).join(' ') })}</Text>
      <Input name="subject" label={t(language, 'templates.subject')} value={draft.subject} onChange={(v: string) => setDraft({ ...draft, subject: v })} />
      <TextArea name="text" label={t(language, 'templates.text')} value={draft.text} onChange={(v: string) => setDraft({ ...draft, text: v })} />
      <TextArea name="html" label={t(language, 'templates.html')} value={draft.html} onChange={(v: string) => setDraft({ ...draft, html: v })} />
      <ButtonRow>
        <Button variant="primary" onClick={async () => show(await onSave(current.name, current.language, draft), t(language, 'templates.saved'))}>{t(language, 'templates.save')}</Button>
        <Button onClick={async () => show(await onRestore(current.name, current.language), t(language, 'templates.restored'))}>{t(language, 'templates.restore')}</Button>
      </ButtonRow>
      {message && <Alert title={t(language, 'templates.title')} variant={message.variant}>{message.text}</Alert>}
      <Input name="previewContact" label={t(language, 'templates.previewContact')} value={contactId} onChange={(v: string) => setContactId(v.trim())} />
      <Button
        disabled={!contactId}
        onClick={async () => {
          const p = await onPreview(current.name, current.language, draft, contactId);
          if (p.ok) setPreview(p); else setMessage({ variant: 'error', text: p.message });
        }}
      >{t(language, 'templates.preview')}</Button>
      {preview && <Text format={{ fontWeight: 'bold' }}>{preview.subject}</Text>}
      {preview && <Text>{preview.text}</Text>}
    </Flex>
  );
}
