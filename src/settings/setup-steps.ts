import { keys } from '../store/keys.js';
import type { Store } from '../store/store.js';

/** The setup checklist's steps, in the order an admin does them (the settings page shows them). */
export const setupStepIds = ['provisioning', 'portalUrl', 'accessList', 'sso', 'defaultCompany', 'email', 'onboarding', 'credentialsRule', 'supportContacts'] as const;
export type SetupStepId = (typeof setupStepIds)[number];
/** waiting: set up, and nothing has come through yet (the SSO client before its first sign-in); unknown: HubSpot did not answer. */
export type SetupStepState = 'done' | 'missing' | 'waiting' | 'unknown';
export interface ChecklistStep { id: SetupStepId; state: SetupStepState; vars?: Record<string, string | number>; companies?: { id: string; label: string }[] }
export interface SetupChecklist { done: number; total: number; steps: ChecklistStep[] }
/** What the checklist keeps because nothing else records it. */
export interface SetupFacts { firstSignInAt?: string; testEmail?: { at: string; to: string; transport: string; ok: boolean; reason?: string } }

export async function readSetupFacts(store: Store, portalId: number): Promise<SetupFacts> {
  const raw = await store.get(keys.setup(portalId));
  return raw ? JSON.parse(raw) as SetupFacts : {};
}

/** Read, change, write: the facts are few and each written by one kind of event (a lost race rewrites the same kind of value). */
export async function recordSetupFact(store: Store, portalId: number, patch: SetupFacts): Promise<void> {
  await store.set(keys.setup(portalId), JSON.stringify({ ...await readSetupFacts(store, portalId), ...patch }));
}
