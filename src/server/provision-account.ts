import { HubSpotApiError } from '../hubspot/classify-failure.js';
import type { HubSpotGateway } from '../hubspot/gateway.js';
import { keys } from '../store/keys.js';
import type { Store } from '../store/store.js';
import type { SettingsRepository } from '../settings/settings-repository.js';
import { provisionSupportContacts } from '../support-contacts/support-contacts.js';

/** `id` names the step for the settings page (in the admin's language); `name` and `detail` are the log's English. */
export interface ProvisioningStep { id?: ProvisioningStepId; name: string; ok: boolean; detail: string }
export type ProvisioningStepId = 'propertyGroup' | 'primaryContact' | 'accessList' | 'supportContacts';
export interface ProvisioningResult { at: string; ok: boolean; steps: ProvisioningStep[] }

export type ProvisioningTask = { id?: ProvisioningStepId; name: string; run: (portalId: number, hubspot: HubSpotGateway) => Promise<string> };

/** The property group our contact properties live in; later capabilities add their properties to it. */
export const propertyGroupTask: ProvisioningTask = {
  id: 'propertyGroup',
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

/** The contact property the customer portal's ticket permissions read: a primary contact sees every ticket of the company. */
export const PRIMARY_CONTACT_PROPERTY = 'portal_autopilot_primary_contact';

export const primaryContactTask: ProvisioningTask = {
  id: 'primaryContact',
  name: `contact property "${PRIMARY_CONTACT_PROPERTY}"`,
  run: async (portalId, hubspot) => {
    try {
      await hubspot.request(portalId, 'crm.properties.create', {
        method: 'POST', path: '/crm/v3/properties/contacts',
        body: {
          name: PRIMARY_CONTACT_PROPERTY, label: 'Primary contact (sees all company tickets)', type: 'bool', fieldType: 'booleancheckbox', groupName: 'portal_autopilot',
          description: 'Portal Autopilot: a primary contact sees every ticket of their company in the customer portal (choose this property in the portal\'s ticket permissions).',
          options: [{ label: 'Yes', value: 'true', displayOrder: 0, hidden: false }, { label: 'No', value: 'false', displayOrder: 1, hidden: false }],
        },
      });
      return 'created';
    } catch (err) {
      if (err instanceof HubSpotApiError && err.status === 409) return 'already there';
      throw err;
    }
  },
};

export const PORTAL_LIST_NAME = 'Portal Autopilot – portal access';

/**
 * The MANUAL contact list whose members may use the customer portal (HubSpot narrows portal
 * access by list). Created once; an existing one (same name) is adopted; the id goes to settings
 * unless an admin already chose a list there.
 */
export function portalListTask(settings: SettingsRepository): ProvisioningTask {
  return {
    id: 'accessList',
    name: `contact list "${PORTAL_LIST_NAME}"`,
    run: async (portalId, hubspot) => {
      let listId: string;
      let detail = 'created';
      try {
        const created = await hubspot.request<{ list: { listId: string } }>(portalId, 'crm.lists.create', {
          method: 'POST', path: '/crm/v3/lists', body: { name: PORTAL_LIST_NAME, objectTypeId: '0-1', processingType: 'MANUAL' },
        });
        listId = created.list.listId;
      } catch (err) {
        if (!(err instanceof HubSpotApiError && err.status === 409)) throw err;
        const found = await hubspot.request<{ list: { listId: string } }>(portalId, 'crm.lists.get-by-name', {
          method: 'GET', path: `/crm/v3/lists/object-type-id/0-1/name/${encodeURIComponent(PORTAL_LIST_NAME)}`,
        });
        listId = found.list.listId;
        detail = 'already there';
      }
      const current = await settings.read(portalId);
      if (!current.settings.portal.accessListId) {
        await settings.save(portalId, { ...current.settings, portal: { ...current.settings.portal, accessListId: listId } }, current.version, 'Portal Autopilot setup');
      }
      return `${detail} (list ${listId})`;
    },
  };
}

/** The support contacts' association label and company properties. */
export const supportContactsTask = (store: Store): ProvisioningTask => ({
  id: 'supportContacts',
  name: 'support contacts: association label and company properties',
  run: (portalId, hubspot) => provisionSupportContacts(portalId, hubspot, store),
});

export const accountSetupTasks = (settings: SettingsRepository, store: Store): ProvisioningTask[] => [propertyGroupTask, primaryContactTask, portalListTask(settings), supportContactsTask(store)];

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
      steps.push({ id: task.id, name: task.name, ok: true, detail: await task.run(portalId, hubspot) });
    } catch (err) {
      steps.push({ id: task.id, name: task.name, ok: false, detail: (err as Error).message });
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
