import { Alert, Button, ButtonRow, Flex, Form, Input, Text } from '@hubspot/ui-extensions';
import { useEffect, useState } from 'react';
import { t, type Language } from '../i18n/messages.js';
import type { UsersUnsearched } from '../support-contacts/support-contacts.js';
import { LoadStates, type Loadable } from './load-states.js';

export type SupportEntry =
  | { kind: 'contact'; contactId: string; email: string; name?: string }
  | { kind: 'user'; userId: string; email: string; name?: string }
  | { kind: 'email'; email: string };

export interface SupportData {
  companyName: string | null; isCustomer: boolean; needsOne: boolean; canEdit: boolean; contacts: SupportEntry[];
  history: { at: string; by: string; added: string[]; removed: string[] }[];
}

/** What the search found; `usersUnsearched` says why HubSpot users are missing from it. */
export interface SupportSearch { results: SupportEntry[]; usersUnsearched?: UsersUnsearched }

export interface SupportContactsViewProps {
  data: Loadable<SupportData>;
  language: Language;
  onRetry: () => void;
  /** Type-ahead over contacts and HubSpot users; called at most every 300 ms while typing. */
  onSearch: (query: string) => Promise<SupportSearch>;
  onSave: (contacts: SupportEntry[]) => Promise<{ ok: true } | { ok: false; message: string }>;
}

/** Looks like one address (the server checks it with a real parser on save). */
const looksLikeAddress = (s: string) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s);
const DEBOUNCE_MS = 300;

/** The company card's support contacts: list, remove (confirmed), add by search or by address + Enter, save. */
export function SupportContactsView(p: SupportContactsViewProps) {
  const { language } = p;
  const [draft, setDraft] = useState<SupportEntry[] | null>(null);
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<SupportEntry[]>([]);
  const [unsearched, setUnsearched] = useState<UsersUnsearched | undefined>();
  const [removing, setRemoving] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ variant: 'success' | 'error'; text: string } | null>(null);

  useEffect(() => {
    if (query.trim().length < 2 || looksLikeAddress(query.trim())) { setResults([]); return undefined; }
    const timer = setTimeout(() => {
      void p.onSearch(query.trim()).then((found) => { setResults(found.results); setUnsearched(found.usersUnsearched); }, (err: Error) => {
        setResults([]);
        setUnsearched({ reason: 'failed', message: err.message });
      });
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [query]);

  if (p.data.kind !== 'ready') return <LoadStates state={p.data} language={language} title="support.title" onRetry={p.onRetry} />;
  const data = p.data.data;
  const list = draft ?? data.contacts;
  const kind = (e: SupportEntry) => t(language, `support.kind.${e.kind}`);
  const add = (e: SupportEntry) => {
    if (list.some((x) => x.email.toLowerCase() === e.email.toLowerCase())) return;
    setDraft([...list, e]);
    setQuery('');
    setResults([]);
    setNotice(null);
  };
  const typed = () => {
    const address = query.trim();
    if (!address) return;
    if (!looksLikeAddress(address)) return setNotice({ variant: 'error', text: t(language, 'support.invalid', { address }) });
    add({ kind: 'email', email: address });
  };
  const save = async () => {
    const result = await p.onSave(list);
    setNotice(result.ok ? { variant: 'success', text: t(language, 'support.saved') } : { variant: 'error', text: result.message });
    if (result.ok) { setDraft(null); p.onRetry(); }
  };

  return (
    <Flex direction="column" gap="xs">
      <Text format={{ fontWeight: 'bold' }}>{t(language, 'support.title')}</Text>
      <Text>{t(language, 'support.intro')}</Text>
      {data.isCustomer && !list.length && <Alert title={t(language, 'support.title')} variant="warning">{t(language, 'support.needsOne')}</Alert>}
      {!list.length && !data.isCustomer && <Text>{t(language, 'support.none')}</Text>}
      {list.map((e) => (
        <Flex key={e.email} direction="row" gap="xs" align="center">
          <Text>{`${('name' in e && e.name) || e.email} <${e.email}> (${kind(e)})`}</Text>
          {data.canEdit && <Button variant="transparent" size="xs" onClick={() => setRemoving(e.email)}>{`× ${t(language, 'support.remove', { email: e.email })}`}</Button>}
        </Flex>
      ))}
      {removing && (
        <Flex direction="column" gap="xs">
          <Alert title={t(language, 'support.title')} variant="warning">{t(language, 'support.removeConfirm', { email: removing })}</Alert>
          <ButtonRow>
            <Button variant="destructive" onClick={() => { setDraft(list.filter((x) => x.email !== removing)); setRemoving(null); }}>{t(language, 'support.confirmRemove')}</Button>
            <Button onClick={() => setRemoving(null)}>{t(language, 'portal.cancel')}</Button>
          </ButtonRow>
        </Flex>
      )}
      {!data.canEdit && <Text>{t(language, 'support.readOnly')}</Text>}
      {data.canEdit && (
        <Form onSubmit={() => typed()}>
          <Input name="supportSearch" label={t(language, 'support.search')} value={query} onInput={(v: string) => setQuery(v)} onChange={(v: string) => setQuery(v)} />
        </Form>
      )}
      {unsearched && (
        <Alert title={t(language, 'support.title')} variant="warning">
          {unsearched.reason === 'missing-scope' ? t(language, 'support.usersMissingScope', { scopes: unsearched.scopes.join(', ') }) : t(language, 'support.usersFailed', { reason: unsearched.message })}
        </Alert>
      )}
      {results.map((r) => <Button key={`${r.kind}-${r.email}`} size="xs" onClick={() => add(r)}>{t(language, 'support.add', { label: `${('name' in r && r.name) || r.email} <${r.email}> (${kind(r)})` })}</Button>)}
      {data.canEdit && draft && <Button variant="primary" onClick={() => void save()}>{t(language, 'support.save')}</Button>}
      {notice && <Alert title={t(language, 'support.title')} variant={notice.variant}>{notice.text}</Alert>}
      {data.history.slice(0, 5).map((h) => (
        <Text key={h.at} variant="microcopy">{t(language, 'support.history', { at: h.at.replace('T', ' ').slice(0, 16), by: h.by, added: h.added.join(', ') || '–', removed: h.removed.join(', ') || '–' })}</Text>
      ))}
    </Flex>
  );
}
