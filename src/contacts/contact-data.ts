import { caps, keys } from '../store/keys.js';
import type { Store } from '../store/store.js';

/** Notes that `key` holds personal data of a contact, so erasing the contact finds it without scanning the store. */
export async function rememberContactData(store: Store, portalId: number, contactId: string, key: string): Promise<void> {
  const index = keys.contactData(portalId, contactId);
  // The index lives as long as the longest-kept data it points at (send records: 30 days).
  await store.pushCapped(index, key, caps.contactData, 31 * 24 * 3600);
}
