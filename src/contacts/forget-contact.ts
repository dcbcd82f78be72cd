import type { DeadLetters } from '../queue/dead-letters.js';
import type { PortalAccounts } from '../portal/portal-accounts.js';
import { keys } from '../store/keys.js';
import type { Store } from '../store/store.js';

export interface ForgetDeps { store: Store; accounts: PortalAccounts; deadLetters: DeadLetters }

/** Lists the app keeps entries in that can name a person (newest first, capped). */
const SHARED_LISTS = (portalId: number) => [keys.outbox(portalId), keys.outboxMailbox(portalId), keys.ruleAudit(portalId)];

/** The store key of an oidc-provider grant, without its id. */
const GRANT_PREFIX = keys.oidcModel('Grant', '');

/**
 * HubSpot deleted a contact. A plain deletion drops what is tied to the contact id (filing record,
 * email log, portal account and links, send records). A privacy deletion (GDPR "delete") also
 * erases every entry that names the person elsewhere: outbox copies, rule audits, dead letters,
 * a backfill report, and keys that carry the address in their name.
 */
export async function forgetContact(d: ForgetDeps, portalId: number, contactId: string, privacy: boolean): Promise<{ erased: number }> {
  const { store } = d;
  const filing = await store.get(keys.contactFiling(portalId, contactId));
  const account = await d.accounts.get(portalId, contactId);
  const log = await store.range(keys.emailLog(portalId, contactId), 0, -1);
  const addresses = new Set<string>([
    ...(filing ? [(JSON.parse(filing) as { email?: string }).email ?? ''] : []),
    ...(account ? [account.email] : []),
    ...log.map((r) => (JSON.parse(r) as { to?: string | null }).to ?? ''),
  ].filter(Boolean));

  const noted = await store.range(keys.contactData(portalId, contactId), 0, -1);
  // A sign-in grant's codes and tokens are found through the grant's index.
  const grants = noted.filter((k) => k.startsWith(GRANT_PREFIX)).map((k) => k.slice(GRANT_PREFIX.length));
  const grantData = (await Promise.all(grants.map(async (g) => [...await store.range(keys.oidcGrantIndex(g), 0, -1), keys.oidcGrantIndex(g)]))).flat();
  const owned = [
    keys.contactFiling(portalId, contactId), keys.emailLog(portalId, contactId), keys.idempotency(portalId, `onboarded:${contactId}`),
    ...noted, ...grantData, keys.contactData(portalId, contactId),
  ];
  for (const key of owned) await store.del(key);
  await d.accounts.remove(portalId, contactId);
  let erased = owned.length + (account ? 1 : 0);
  if (!privacy) return { erased };

  const names = (text: string) => [...addresses].some((a) => text.toLowerCase().includes(a)) || new RegExp(`"(contactId|objectId|requesterId)":"?${contactId}"?[,}]`).test(text);
  for (const list of SHARED_LISTS(portalId)) {
    for (const entry of await store.range(list, 0, -1)) if (names(entry) && (await store.removeFromList(list, entry))) erased++;
  }
  erased += await d.deadLetters.remove((raw) => names(raw));
  const backfill = await store.get(keys.backfill(portalId));
  if (backfill && names(backfill)) { await store.del(keys.backfill(portalId)); erased++; }
  return { erased };
}
