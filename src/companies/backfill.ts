import { primaryCompanyInputs } from '../hubspot/association-types.js';
import type { HubSpotGateway } from '../hubspot/gateway.js';
import { normalizeEmail } from '../contacts/normalize-email.js';
import type { Settings } from '../settings/settings-schema.js';
import { keys } from '../store/keys.js';
import type { Store } from '../store/store.js';
import type { DomainIndexCache } from './domain-index-cache.js';
import { matchDomain } from './domain-match.js';
import { freeMailDomains } from './free-mail.js';

export interface BackfillItem { contactId: string; email: string; companyId: string; companyName: string; matchedDomain: string }

export interface BackfillStatus {
  mode: 'dry-run' | 'apply';
  companyId: string | null;
  state: 'queued' | 'running' | 'done' | 'failed';
  scanned: number;
  planned: number;
  applied: number;
  /** The first planned changes, for the admin to read before applying. */
  sample: BackfillItem[];
  /** Where the next page starts: a stopped run resumes here. */
  cursor?: string;
  error?: string;
  startedAt: string;
  finishedAt?: string;
}

const SAMPLE = 200;

export async function readBackfill(store: Store, portalId: number): Promise<BackfillStatus | null> {
  const raw = await store.get(keys.backfill(portalId));
  return raw ? (JSON.parse(raw) as BackfillStatus) : null;
}

export const newBackfill = (mode: BackfillStatus['mode'], companyId: string | null): BackfillStatus =>
  ({ mode, companyId, state: 'queued', scanned: 0, planned: 0, applied: 0, sample: [], startedAt: new Date().toISOString() });

/**
 * Applies domain matching to existing contacts without a company (the articles leave them out).
 * Pages through all contacts (100 per call, through the rate-limited gateway; search would stop at
 * 10,000), saving its cursor after every page so a stopped run resumes where it was. A dry run
 * plans and changes nothing.
 */
export async function runBackfill(
  portalId: number, hubspot: HubSpotGateway, store: Store, settings: Settings, index: DomainIndexCache,
  onPage?: (s: BackfillStatus) => void,
): Promise<BackfillStatus> {
  const status = await readBackfill(store, portalId);
  if (!status || status.state === 'done') throw new Error(`no backfill is waiting for account ${portalId}`);
  status.state = 'running';
  const domains = await index.get(portalId, hubspot);
  const options = { matchSubdomains: settings.inbound.matchSubdomains, freeMail: freeMailDomains(settings.inbound.freeMailAdditions), defaultCompanyId: null };
  const save = async () => { await store.set(keys.backfill(portalId), JSON.stringify(status)); onPage?.(status); };
  try {
    do {
      const page = await hubspot.call(portalId, 'crm.contacts.list', (c) => c.crm.contacts.basicApi.getPage(100, status.cursor, ['email', 'associatedcompanyid']));
      const planned: BackfillItem[] = [];
      for (const contact of page.results) {
        if (contact.properties.associatedcompanyid) continue;
        const address = normalizeEmail(contact.properties.email ?? '');
        if (!address) continue;
        const m = matchDomain(address.domain, domains, options);
        if (m.kind !== 'company' || (status.companyId && m.company.id !== status.companyId)) continue;
        planned.push({ contactId: contact.id, email: address.email, companyId: m.company.id, companyName: m.company.name, matchedDomain: m.matchedDomain });
      }
      if (status.mode === 'apply' && planned.length) {
        await hubspot.call(portalId, 'crm.associations.contacts-companies.batch.create', (c) => c.crm.associations.v4.batchApi.create('contacts', 'companies', {
          inputs: primaryCompanyInputs(planned),
        }));
        status.applied += planned.length;
      }
      status.scanned += page.results.length;
      status.planned += planned.length;
      status.sample.push(...planned.slice(0, SAMPLE - status.sample.length));
      status.cursor = page.paging?.next?.after;
      await save();
    } while (status.cursor);
    status.state = 'done';
    status.finishedAt = new Date().toISOString();
    await save();
    return status;
  } catch (err) {
    status.state = 'failed';
    status.error = (err as Error).message;
    await save();
    throw err;
  }
}
