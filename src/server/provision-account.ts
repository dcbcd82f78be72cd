import { HubSpotApiError } from '../hubspot/classify-failure.js';
import type { HubSpotGateway } from '../hubspot/gateway.js';
import { keys } from '../store/keys.js';
import type { Store } from '../store/store.js';

export interface ProvisioningStep { name: string; ok: boolean; detail: string }
export interface ProvisioningResult { at: string; ok: boolean; steps: ProvisioningStep[] }

export type ProvisioningTask = { name: string; run: (portalId: number, hubspot: HubSpotGateway) => Promise<string> };

/** The property group our contact properties live in; later capabilities add their properties to it. */
export const propertyGroupTask: ProvisioningTask = {
  name: 'contact property group "Portal Autopilot"',
  run: async (portalId, hubspot) => {
    try {
      await hubspot.request(portalId, 'crm.properties.groups.create', {
        method: 'POST', path: '/crm/v3/properties/contacts/groups',
        body: { name: 'portal_autopilot', label: 'Portal Autopilot', displayOrder: -1 },
      });
      return 'created';
    } catch (err) {
      // HubSpot answers 409 when the group exists: that is the idempotent success case.
      if (err instanceof HubSpotApiError && err.status === 409) return 'already there';
      throw err;
    }
  },
};

/**
 * Runs at install and on demand. Each task is idempotent, so running it again repairs what
 * failed and leaves the rest as it is. The result is kept for the settings page.
 */
export async function provisionAccount(
  portalId: number, hubspot: HubSpotGateway, store: Store, tasks: ProvisioningTask[] = [propertyGroupTask],
): Promise<ProvisioningResult> {
  const steps: ProvisioningStep[] = [];
  for (const task of tasks) {
    try {
      steps.push({ name: task.name, ok: true, detail: await task.run(portalId, hubspot) });
    } catch (err) {
      steps.push({ name: task.name, ok: false, detail: (err as Error).message });
    }
  }
  const result: ProvisioningResult = { at: new Date().toISOString(), ok: steps.every((s) => s.ok), steps };
  await store.set(keys.provisioning(portalId), JSON.stringify(result));
  return result;
}

export async function readProvisioning(portalId: number, store: Store): Promise<ProvisioningResult | null> {
  const raw = await store.get(keys.provisioning(portalId));
  return raw ? (JSON.parse(raw) as ProvisioningResult) : null;
}
