import type { HubSpotGateway } from '../hubspot/gateway.js';
import { keys } from '../store/keys.js';
import type { Store } from '../store/store.js';
import { companyDomains, type DomainIndex } from './domain-match.js';

// A safety net: company webhooks invalidate the index; the TTL bounds staleness if one is lost.
const INDEX_TTL_SECONDS = 6 * 3600;

/**
 * The account's domain → companies index, built from paged company reads (100 per call, never a
 * search per contact), kept in the store, dropped by company webhooks and rebuilt on next use.
 */
export class DomainIndexCache {
  private readonly building = new Map<number, Promise<DomainIndex>>();

  constructor(private readonly store: Store) {}

  async get(portalId: number, hubspot: HubSpotGateway): Promise<DomainIndex> {
    const cached = await this.store.get(keys.domainIndex(portalId));
    if (cached) return JSON.parse(cached) as DomainIndex;
    // Jobs of one process that need it at the same moment share one build.
    let build = this.building.get(portalId);
    if (!build) {
      build = this.build(portalId, hubspot).finally(() => this.building.delete(portalId));
      this.building.set(portalId, build);
    }
    return build;
  }

  async invalidate(portalId: number): Promise<void> {
    await this.store.del(keys.domainIndex(portalId));
  }

  private async build(portalId: number, hubspot: HubSpotGateway): Promise<DomainIndex> {
    const index: DomainIndex = {};
    let after: string | undefined;
    do {
      const page = await hubspot.call(portalId, 'crm.companies.list', (c) =>
        c.crm.companies.basicApi.getPage(100, after, ['domain', 'hs_additional_domains', 'name', 'createdate']));
      for (const company of page.results) {
        const entry = { id: company.id, name: company.properties.name ?? '', createdAt: company.properties.createdate ?? company.createdAt.toISOString() };
        for (const d of companyDomains(company.properties)) (index[d] ??= []).push(entry);
      }
      after = page.paging?.next?.after;
    } while (after);
    await this.store.set(keys.domainIndex(portalId), JSON.stringify(index), INDEX_TTL_SECONDS);
    return index;
  }
}
