import { Router, type Response } from 'express';
import { toPublic, type CrmRecord, type Filter } from './crm-objects.js';
import { badRequest, batchEnvelope, checkBatch, notFound } from './hubspot-errors.js';
import { defaultAssociationType, type AssociationType, type SandboxAccount } from './sandbox-account.js';
import type { EmitChange } from './sandbox-events.js';

const TYPES = new Set(['contacts', 'companies', 'tickets', 'emails', 'notes', 'users']);
const acct = (res: Response) => res.locals.account as SandboxAccount;
const props = (q: unknown) => (typeof q === 'string' ? q.split(',').filter(Boolean) : Array.isArray(q) ? q.flatMap((p) => String(p).split(',')) : undefined);

/** crm/v3/objects/{type}: create, read, update, archive, list, batch read/create/upsert, search. */
export function crmRoutes(emit: EmitChange): Router {
  const r = Router();
  r.param('type', (_req, res, next, type: string) => {
    if (!TYPES.has(type)) return badRequest(res, `Unable to infer object type from: ${type}`);
    next();
  });
  const objects = (res: Response, type: string) => acct(res).objects[type]!;

  /** The associations a create names (`associations: [{ to: { id }, types }]`), made with the record. */
  const associateOnCreate = (res: Response, type: string, record: CrmRecord, associations: unknown) => {
    for (const a of (Array.isArray(associations) ? associations : []) as { to: { id: string }; types: AssociationType[] }[]) {
      const [toType] = Object.entries(defaultAssociationType).find(([pair, id]) => pair.startsWith(`${type}>`) && a.types.some((t) => t.associationTypeId === id))?.[0].split('>').slice(1) ?? [];
      if (toType) acct(res).associate(type, record.id, toType, a.to.id, a.types);
    }
  };
  r.post('/crm/v3/objects/:type', (req, res) => {
    const { properties } = req.body ?? {};
    if (typeof properties !== 'object' || !properties) return badRequest(res, 'properties is required');
    const record = objects(res, req.params.type).create(properties);
    associateOnCreate(res, req.params.type, record, req.body.associations);
    emit(acct(res), req.params.type, 'creation', record);
    res.status(201).json(toPublic(record));
  });

  r.get('/crm/v3/objects/:type', (req, res) => {
    const limit = Math.min(Number(req.query.limit ?? 10), 100);
    const page = objects(res, req.params.type).page(limit, req.query.after as string | undefined);
    res.json({ results: page.results.map((x) => toPublic(x, props(req.query.properties))), ...(page.after ? { paging: { next: { after: page.after } } } : {}) });
  });

  r.post('/crm/v3/objects/:type/batch/read', (req, res) => {
    const startedAt = new Date().toISOString();
    const { inputs, idProperty, properties } = req.body ?? {};
    if (!checkBatch(res, inputs)) return;
    const store = objects(res, req.params.type);
    const found = (inputs as { id: string }[]).map((i) => (idProperty ? store.findBy(idProperty, i.id) : store.get(i.id))).filter((x): x is CrmRecord => !!x);
    res.json(batchEnvelope(found.map((x) => toPublic(x, properties)), startedAt));
  });

  r.post('/crm/v3/objects/:type/batch/create', (req, res) => {
    const startedAt = new Date().toISOString();
    if (!checkBatch(res, req.body?.inputs)) return;
    const created = (req.body.inputs as { properties: Record<string, string>; associations?: unknown }[]).map((i) => {
      const record = objects(res, req.params.type).create(i.properties ?? {});
      associateOnCreate(res, req.params.type, record, i.associations);
      return record;
    });
    for (const c of created) emit(acct(res), req.params.type, 'creation', c);
    res.status(201).json(batchEnvelope(created.map((x) => toPublic(x)), startedAt));
  });

  r.post('/crm/v3/objects/:type/batch/update', (req, res) => {
    const startedAt = new Date().toISOString();
    if (!checkBatch(res, req.body?.inputs)) return;
    const store = objects(res, req.params.type);
    const inputs = req.body.inputs as { id: string; properties: Record<string, string> }[];
    const missing = inputs.find((i) => !store.get(i.id));
    if (missing) return notFound(res, `${req.params.type} ${missing.id}`);
    const updated = inputs.map((i) => store.update(i.id, i.properties ?? {})!);
    for (const u of updated) emit(acct(res), req.params.type, 'propertyChange', u.record, u.changed);
    res.json(batchEnvelope(updated.map((u) => toPublic(u.record)), startedAt));
  });

  r.post('/crm/v3/objects/:type/batch/upsert', (req, res) => {
    const startedAt = new Date().toISOString();
    if (!checkBatch(res, req.body?.inputs)) return;
    const store = objects(res, req.params.type);
    const results = [];
    for (const input of req.body.inputs as { id: string; idProperty?: string; properties: Record<string, string> }[]) {
      if (!input.idProperty) return badRequest(res, 'idProperty is required for upsert');
      const existing = store.findBy(input.idProperty, input.id);
      if (existing) {
        store.update(existing.id, input.properties ?? {});
        results.push({ ...toPublic(existing), new: false });
      } else {
        const created = store.create({ ...input.properties, [input.idProperty]: input.id });
        emit(acct(res), req.params.type, 'creation', created);
        results.push({ ...toPublic(created), new: true });
      }
    }
    res.json(batchEnvelope(results, startedAt));
  });

  r.post('/crm/v3/objects/:type/search', (req, res) => {
    const { filterGroups = [], limit = 10, after, properties } = req.body ?? {};
    if (Array.isArray(req.body?.sorts) && req.body.sorts.length > 1) return badRequest(res, 'search can sort by one property only');
    if (limit > 200) return badRequest(res, 'limit must be at most 200');
    if (Number(after ?? 0) + limit > 10_000) return badRequest(res, 'search can page through at most 10,000 results');
    // HubSpot's free-text `query` looks through an object's default searchable properties; here, every property.
    const q = typeof req.body?.query === 'string' ? req.body.query.trim().toLowerCase() : '';
    if (q) {
      const hits = objects(res, req.params.type).search(filterGroups as { filters: Filter[] }[], 200, undefined).results
        .filter((x) => Object.values(x.properties).some((v) => String(v ?? '').toLowerCase().includes(q)));
      return void res.json({ total: hits.length, results: hits.slice(0, limit).map((x) => toPublic(x, properties?.length ? properties : undefined)) });
    }
    const page = objects(res, req.params.type).search(filterGroups as { filters: Filter[] }[], limit, after, Array.isArray(req.body?.sorts) ? (req.body.sorts as unknown[]).filter((x): x is string => typeof x === 'string') : []);
    res.json({ total: page.total, results: page.results.map((x) => toPublic(x, properties?.length ? properties : undefined)), ...(page.after ? { paging: { next: { after: page.after } } } : {}) });
  });

  r.get('/crm/v3/objects/:type/:id', (req, res) => {
    const store = objects(res, req.params.type);
    const record = req.query.idProperty ? store.findBy(String(req.query.idProperty), req.params.id) : store.get(req.params.id);
    if (!record) return notFound(res, `${req.params.type} ${req.params.id}`);
    res.json(toPublic(record, props(req.query.properties)));
  });

  r.patch('/crm/v3/objects/:type/:id', (req, res) => {
    const updated = objects(res, req.params.type).update(req.params.id, req.body?.properties ?? {});
    if (!updated) return notFound(res, `${req.params.type} ${req.params.id}`);
    emit(acct(res), req.params.type, 'propertyChange', updated.record, updated.changed);
    res.json(toPublic(updated.record));
  });

  r.delete('/crm/v3/objects/:type/:id', (req, res) => {
    const record = objects(res, req.params.type).get(req.params.id);
    if (!record || !objects(res, req.params.type).remove(req.params.id)) return notFound(res, `${req.params.type} ${req.params.id}`);
    emit(acct(res), req.params.type, 'deletion', record);
    res.status(204).end();
  });

  return r;
}
