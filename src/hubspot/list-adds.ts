import { Coalescer } from './coalescer.js';
import type { HubSpotGateway } from './gateway.js';

/**
 * The worker's additions to a list (portal access for new contacts) that arrive within the batch
 * window go to HubSpot as one `memberships/add` per list, which takes many record ids; a member
 * added twice stays one member, so a batch sent again after a failure is harmless.
 */
export class ListAdds {
  private readonly batch: Coalescer<{ listId: string; recordId: string }, void>;

  constructor(hubspot: HubSpotGateway, o: { windowMs: number; maxBatch: number } = { windowMs: 150, maxBatch: 100 }) {
    this.batch = new Coalescer<{ listId: string; recordId: string }, void>(async (portalId, inputs) => {
      for (const listId of new Set(inputs.map((i) => i.listId))) {
        const ids = [...new Set(inputs.filter((i) => i.listId === listId).map((i) => i.recordId))];
        await hubspot.request(portalId, 'crm.lists.memberships.add', { method: 'PUT', path: `/crm/v3/lists/${encodeURIComponent(listId)}/memberships/add`, body: ids });
      }
      return inputs.map(() => undefined);
    }, o);
  }

  add(portalId: number, listId: string, recordId: string): Promise<void> {
    return this.batch.add(portalId, { listId, recordId });
  }
}

/** Adds a record to a list: batched in the worker, one call elsewhere (where a person waits). */
export async function addToList(ctx: { portalId: number; hubspot: HubSpotGateway; batches?: { listAdds: ListAdds } }, listId: string, recordId: string): Promise<void> {
  if (ctx.batches) return ctx.batches.listAdds.add(ctx.portalId, listId, recordId);
  await ctx.hubspot.request(ctx.portalId, 'crm.lists.memberships.add', { method: 'PUT', path: `/crm/v3/lists/${encodeURIComponent(listId)}/memberships/add`, body: [recordId] });
}
