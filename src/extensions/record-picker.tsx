import { Alert, Button, Flex, LoadingSpinner, SearchInput, Text } from '@hubspot/ui-extensions';
import { useEffect, useState } from 'react';
import { t, type Language } from '../i18n/messages.js';
import type { PickerKind, PickerOption, PickerSearch } from '../settings/chosen-records.js';

export interface RecordPickerProps {
  /** The settings path the picker fills (the field's name). */
  name: string;
  label: string;
  language: Language;
  kind: PickerKind;
  chosen: PickerOption[];
  /** Several records (the admins) or one (a company, a list). */
  multiple?: boolean;
  readOnly?: boolean;
  onSearch: PickerSearch;
  onChange: (chosen: PickerOption[]) => void;
}

type Found = { state: 'idle' } | { state: 'loading' } | { state: 'ready'; query: string; results: PickerOption[] } | { state: 'failed'; message: string };

/** Waits this long after the last keystroke (HubSpot's search allows 5 requests a second per account). */
const PAUSE_MS = 250;

/**
 * A HubSpot record chosen by name: type, see what HubSpot has, choose. What is chosen shows by
 * its name with the id in grey beside it; loading, nothing found and a failed search each say so.
 */
export function RecordPicker({ name, label, language, kind, chosen, multiple = false, readOnly = false, onSearch, onChange }: RecordPickerProps) {
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Found>({ state: 'idle' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const q = query.trim();
    if (!q) { setFound({ state: 'idle' }); return undefined; }
    let current = true;
    const timer = setTimeout(() => {
      setFound({ state: 'loading' });
      void onSearch(kind, q).then((outcome) => {
        if (!current) return;
        setFound(outcome.ok ? { state: 'ready', query: q, results: outcome.results } : { state: 'failed', message: outcome.message });
      });
    }, PAUSE_MS);
    return () => { current = false; clearTimeout(timer); };
  }, [query, attempt]);

  const choose = (option: PickerOption) => {
    onChange(multiple ? [...chosen.filter((c) => c.id !== option.id), option] : [option]);
    setQuery('');
  };
  const offered = found.state === 'ready' ? found.results.filter((r) => !chosen.some((c) => c.id === r.id)) : [];

  return (
    <Flex direction="column" gap="xs">
      <Text format={{ fontWeight: 'bold' }}>{label}</Text>
      {chosen.length === 0 && <Text>{t(language, 'picker.none')}</Text>}
      {chosen.map((c) => (
        <Flex key={c.id} gap="sm" align="center">
          <Text>{c.label}</Text>
          <Text variant="microcopy">{[c.detail, t(language, 'picker.id', { id: c.id })].filter(Boolean).join(' · ')}</Text>
          {!readOnly && (
            <Button size="xs" variant="secondary" onClick={() => onChange(chosen.filter((x) => x.id !== c.id))}>{t(language, 'picker.remove', { label: c.label })}</Button>
          )}
        </Flex>
      ))}
      {!readOnly && (
        <SearchInput name={name} label={t(language, 'picker.search')} value={query} onInput={(v: string) => setQuery(v)} onChange={(v: string) => setQuery(v)} />
      )}
      {found.state === 'loading' && <LoadingSpinner label={t(language, 'picker.searching')} />}
      {found.state === 'failed' && (
        <Alert title={label} variant="error">
          {t(language, 'picker.failed', { reason: found.message })}
          <Button size="xs" onClick={() => setAttempt(attempt + 1)}>{t(language, 'picker.retry')}</Button>
        </Alert>
      )}
      {found.state === 'ready' && offered.length === 0 && <Text>{t(language, 'picker.empty', { query: found.query })}</Text>}
      {offered.map((option) => (
        <Button key={option.id} size="xs" onClick={() => choose(option)}>
          {t(language, 'picker.choose', { label: option.detail ? `${option.label} (${option.detail})` : option.label })}
        </Button>
      ))}
    </Flex>
  );
}
