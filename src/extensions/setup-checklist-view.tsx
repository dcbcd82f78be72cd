import { Alert, Button, Flex, Heading, StatusTag, Text } from '@hubspot/ui-extensions';
import { useState } from 'react';
import { catalogues, t, type Language, type MessageKey } from '../i18n/messages.js';
import type { ChecklistStep, SetupChecklist, SetupStepId } from '../settings/setup-steps.js';
import { LoadStates, type Loadable } from './load-states.js';

/** What a step's button does: each is one call the page makes, then the checklist reloads. */
export type SetupAction = 'provisioning' | 'default-company' | 'test-email' | 'onboarding' | 'credentials-rule';

export interface SetupChecklistViewProps {
  checklist: Loadable<SetupChecklist>;
  language: Language;
  readOnly: boolean;
  onAction: (action: SetupAction) => Promise<{ ok: boolean; message?: string }>;
  onRetry: () => void;
}

const actions: Partial<Record<SetupStepId, { action: SetupAction; label: MessageKey }>> = {
  provisioning: { action: 'provisioning', label: 'setup.provisioning.run' },
  accessList: { action: 'provisioning', label: 'setup.accessList.create' },
  defaultCompany: { action: 'default-company', label: 'settings.createDefaultCompany' },
  email: { action: 'test-email', label: 'setup.email.send' },
  onboarding: { action: 'onboarding', label: 'setup.onboarding.turnOn' },
  credentialsRule: { action: 'credentials-rule', label: 'setup.credentialsRule.turnOn' },
};

const tag = { done: 'success', missing: 'warning', waiting: 'info', unknown: 'danger' } as const;
const when = (iso: string | number | undefined) => (typeof iso === 'string' ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '');

function detail(language: Language, step: ChecklistStep): string | null {
  const key = (step.id === 'email' && step.state === 'missing' ? `setup.email.${String(step.vars?.why)}` : `setup.${step.id}.${step.state}`) as MessageKey;
  if (step.id === 'provisioning' && step.state === 'missing' && !step.vars?.failed) return t(language, 'provisioning.none');
  if (!(key in catalogues[language])) return null;
  const failed = String(step.vars?.failed ?? '').split(',').filter(Boolean)
    .map((id) => (['propertyGroup', 'primaryContact', 'accessList', 'supportContacts'].includes(id) ? t(language, `provisioning.step.${id as 'accessList'}`) : id)).join(', ');
  const vars = { ...step.vars, at: when(step.vars?.at), companies: (step.companies ?? []).map((c) => c.label).join(', '), failed };
  return t(language, key, vars);
}

/** The top of the settings page: where the setup stands, each step with its state and the button that does it. */
export function SetupChecklistView({ checklist, language, readOnly, onAction, onRetry }: SetupChecklistViewProps) {
  const [busy, setBusy] = useState<SetupAction | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  if (checklist.kind !== 'ready') return <LoadStates state={checklist} language={language} title="settings.title" onRetry={onRetry} />;
  const { done, total, steps } = checklist.data;
  const run = async (action: SetupAction) => {
    setBusy(action);
    setFailure(null);
    const outcome = await onAction(action);
    setBusy(null);
    if (!outcome.ok) setFailure(outcome.message ?? '');
    onRetry();
  };
  return (
    <Flex direction="column" gap="sm">
      <Heading>{t(language, 'setup.title', { done, total })}</Heading>
      {steps.map((step) => {
        const button = actions[step.id];
        // A test email once delivery is set up (again after it worked); every other button while its step is to do.
        const canTest = step.state === 'done' || step.vars?.why === 'test' || step.vars?.why === 'testFailed';
        const offered = button && !readOnly && (step.id === 'email' ? canTest : step.state !== 'done');
        const text = detail(language, step);
        return (
          <Flex key={step.id} direction="column" gap="xs">
            <Flex gap="sm" align="center">
              <StatusTag variant={tag[step.state]}>{t(language, `setup.state.${step.state}`)}</StatusTag>
              <Text format={{ fontWeight: 'bold' }}>{t(language, `setup.${step.id}`)}</Text>
            </Flex>
            {text && <Text>{text}</Text>}
            {offered && <Button size="xs" disabled={busy !== null} onClick={() => void run(button.action)}>{t(language, button.label)}</Button>}
          </Flex>
        );
      })}
      {failure !== null && <Alert title={t(language, 'settings.title')} variant="error">{t(language, 'setup.actionFailed', { reason: failure })}</Alert>}
    </Flex>
  );
}
