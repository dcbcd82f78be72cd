import { caps, keys } from '../store/keys.js';
import type { Store, WriteOp } from '../store/store.js';

/** Notes that `key` holds personal data of a contact, so erasing the contact finds it without scanning the store. */
export async function rememberContactData(store: Store, portalId: number, contactId: string, key: string): Promise<void> {
  await store.writeMany([contactDataWrite(portalId, contactId, key)]);
}

/** The write that notes `key` in the contact's data index, for a caller that makes it with others in one round trip. */
export function contactDataWrite(portalId: number, contactId: string, key: string): WriteOp {
  // The index lives as long as the longest-kept data it points at (send records: 30 days).
  return { push: keys.contactData(portalId, contactId), value: key, cap: caps.contactData, ttlSeconds: 31 * 24 * 3600 };
}
