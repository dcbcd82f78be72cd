import { pickLanguage } from '../i18n/messages.js';
import { callBackend } from './backend.js';
import { SettingsView, type SaveOutcome, type SettingsData, type SettingsPayload } from './settings-view.js';
import { useLoadable } from './use-loadable.js';

interface SettingsContext { portal: { id: number }; user: { id: number; email: string; locale?: string } }

export function SettingsPage({ context }: { context: SettingsContext }) {
  const caller = { portalId: context.portal.id, userId: context.user.id, userEmail: context.user.email };
  const [payload, reload] = useLoadable(() => callBackend<SettingsPayload>(caller, '/settings'));
  const onSave = async (settings: SettingsData, expectedVersion: number): Promise<SaveOutcome> => {
    try {
      const saved = await callBackend<{ version: number }>(caller, '/settings', { method: 'PUT', body: { settings, expectedVersion } });
      return { ok: true, version: saved.version };
    } catch (err) {
      return { ok: false, message: (err as Error).message, conflict: (err as { status?: number }).status === 409 };
    }
  };
  return <SettingsView payload={payload} language={pickLanguage(context.user.locale)} onSave={onSave} onRetry={reload} />;
}
