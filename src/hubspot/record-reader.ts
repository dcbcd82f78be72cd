import { Coalescer } from './coalescer.js';
import type { HubSpotGateway } from './gateway.js';

type Properties = Record<string, string | null>;
type Read = { properties: Properties } | { error: unknown };
export type ReadableObject = 'contacts' | 'companies';

/**
 * The contacts and companies the worker's jobs read by id (the credentials email's recipient and
 * company, the person given portal access) go to HubSpot together: the reads of one account that
 * arrive within the batch window become one `batch/read` per object type (up to 100 ids, the
 * properties all callers asked for), where each job used to make its own GET. A record the batch
 * does not return is read on its own; its failure fails only the job that asked for it.
 */
export class RecordReader {
  private readonly batches = new Map<ReadableObject, Coalescer<{ id: string; properties: readonly string[] }, Read>>();

  constructor(private readonly hubspot: HubSpotGateway, private readonly o: { windowMs: number; maxBatch: number } = { windowMs: 150, maxBatch: 100 }) {}

  async get(portalId: number, objectType: ReadableObject, id: string, properties: readonly string[]): Promise<Properties> {
    const read = await this.batch(objectType).add(portalId, { id, properties });
    if ('error' in read) throw read.error;
    return read.properties;
  }

  private batch(objectType: ReadableObject) {
    let batch = this.batches.get(objectType);
    if (!batch) {
      batch = new Coalescer(async (portalId, inputs) => {
        const ids = [...new Set(inputs.map((i) => i.id))];
        const properties = [...new Set(inputs.flatMap((i) => i.properties))];
        const answer = await this.hubspot.request<{ results: { id: string; properties: Properties }[] }>(portalId, `crm.${objectType}.batch.read`, {
          method: 'POST', path: `/crm/v3/objects/${objectType}/batch/read`,
          body: { inputs: ids.map((id) => ({ id })), properties, propertiesWithHistory: [] },
        });
        const byId = new Map<string, Read>(answer.results.map((r) => [String(r.id), { properties: r.properties }]));
        // Not in the answer (gone, or merged into a record with another id): read on its own, as
        // before, which follows a merge and answers 404 for a record that is gone.
        await Promise.all(ids.filter((id) => !byId.has(id)).map(async (id) => {
          try {
            byId.set(id, { properties: await getOne(this.hubspot, portalId, objectType, id, properties) });
          } catch (error) {
            byId.set(id, { error });
          }
        }));
        return inputs.map((i) => byId.get(i.id)!);
      }, this.o);
      this.batches.set(objectType, batch);
    }
    return batch;
  }
}

/** Where a read by id is made: the worker's context carries a reader (batched); cards and other web requests read at once. */
export interface ReadContext { portalId: number; hubspot: HubSpotGateway; batches?: { records: RecordReader } }

/** A contact's or company's properties by id: batched in the worker, one GET elsewhere. */
export async function readById(ctx: ReadContext, objectType: ReadableObject, id: string, properties: readonly string[]): Promise<Properties> {
  return ctx.batches ? ctx.batches.records.get(ctx.portalId, objectType, id, properties) : getOne(ctx.hubspot, ctx.portalId, objectType, id, properties);
}

/** One record's properties by id (a GET follows a merge to the record that survived it). */
async function getOne(hubspot: HubSpotGateway, portalId: number, objectType: ReadableObject, id: string, properties: readonly string[]): Promise<Properties> {
  const one = await hubspot.request<{ properties: Properties }>(portalId, `crm.${objectType}.get`, {
    method: 'GET', path: `/crm/v3/objects/${objectType}/${encodeURIComponent(id)}`, qs: { properties: properties.join(',') },
  });
  return one.properties;
}
