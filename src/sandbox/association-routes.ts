import { Router, type Response } from 'express';
import { badRequest, batchEnvelope, checkBatch, hsError } from './hubspot-errors.js';
import { defaultAssociationType, objectTypeIds, objectTypeName, type AssociationType, type SandboxAccount } from './sandbox-account.js';

const acct = (res: Response) => res.locals.account as SandboxAccount;
const pairKey = (from: string, to: string) => `${from}>${to}`;

/** crm/v4 associations (default and labelled) and the association-label schema API. */
export function associationRoutes(): Router {
  const r = Router();

  const exists = (a: SandboxAccount, type: string, id: string) => Boolean(a.objects[type]?.get(id));

  r.post('/crm/v4/associations/:from/:to/batch/associate/default', (req, res) => {
    const startedAt = new Date().toISOString();
    if (!checkBatch(res, req.body?.inputs)) return;
    const from = objectTypeName(req.params.from);
    const to = objectTypeName(req.params.to);
    const typeId = defaultAssociationType[pairKey(from, to)];
    if (!typeId) return badRequest(res, `No default association between ${from} and ${to}`);
    const a = acct(res);
    const results = [];
    for (const i of req.body.inputs as { from: { id: string }; to: { id: string } }[]) {
      if (!exists(a, from, i.from.id) || !exists(a, to, i.to.id)) return hsError(res, 400, 'VALIDATION_ERROR', `${from} ${i.from.id} or ${to} ${i.to.id} does not exist`);
      a.associate(from, i.from.id, to, i.to.id, [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeId }]);
      results.push({ from: { id: i.from.id }, to: { id: i.to.id }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeId } });
    }
    res.json(batchEnvelope(results, startedAt));
  });

  r.post('/crm/v4/associations/:from/:to/batch/create', (req, res) => {
    const startedAt = new Date().toISOString();
    if (!checkBatch(res, req.body?.inputs)) return;
    const from = objectTypeName(req.params.from);
    const to = objectTypeName(req.params.to);
    const a = acct(res);
    const labels = a.labels.get(pairKey(from, to)) ?? [];
    const results = [];
    for (const i of req.body.inputs as { from: { id: string }; to: { id: string }; types: AssociationType[] }[]) {
      if (!exists(a, from, i.from.id) || !exists(a, to, i.to.id)) return hsError(res, 400, 'VALIDATION_ERROR', `${from} ${i.from.id} or ${to} ${i.to.id} does not exist`);
      a.associate(from, i.from.id, to, i.to.id, i.types);
      results.push({
        fromObjectTypeId: objectTypeIds[from]!, fromObjectId: i.from.id, toObjectTypeId: objectTypeIds[to]!, toObjectId: i.to.id,
        labels: i.types.map((t) => labels.find((l) => l.typeId === t.associationTypeId)?.label).filter((l): l is string => !!l),
      });
    }
    res.status(201).json(batchEnvelope(results, startedAt));
  });

  // Removes the given labels of each pair (the pair stays associated by its other types, as in HubSpot).
  r.post('/crm/v4/associations/:from/:to/batch/labels/archive', (req, res) => {
    if (!checkBatch(res, req.body?.inputs)) return;
    const from = objectTypeName(req.params.from);
    const to = objectTypeName(req.params.to);
    for (const i of req.body.inputs as { from: { id: string }; to: { id: string }; types: AssociationType[] }[]) {
      acct(res).unassociateTypes(from, i.from.id, to, i.to.id, i.types.map((t) => t.associationTypeId));
    }
    res.status(204).end();
  });

  r.post('/crm/v4/associations/:from/:to/batch/read', (req, res) => {
    const startedAt = new Date().toISOString();
    if (!checkBatch(res, req.body?.inputs)) return;
    const from = objectTypeName(req.params.from);
    const to = objectTypeName(req.params.to);
    const results = (req.body.inputs as { id: string }[]).map((i) => ({
      from: { id: i.id },
      to: acct(res).associationsOf(from, i.id, to).map((x) => ({
        toObjectId: x.toObjectId,
        associationTypes: x.types.map((t) => ({ category: t.associationCategory, typeId: t.associationTypeId })),
      })),
    }));
    res.json(batchEnvelope(results, startedAt));
  });

  r.get('/crm/v4/objects/:type/:id/associations/:toType', (req, res) => {
    const results = acct(res).associationsOf(objectTypeName(req.params.type), req.params.id, objectTypeName(req.params.toType)).map((x) => ({
      toObjectId: x.toObjectId,
      associationTypes: x.types.map((t) => ({ category: t.associationCategory, typeId: t.associationTypeId })),
    }));
    res.json({ results });
  });

  r.get('/crm/associations/v4/:from/:to/labels', (req, res) => {
    const key = pairKey(objectTypeName(req.params.from), objectTypeName(req.params.to));
    res.json({ results: (acct(res).labels.get(key) ?? []).map((l) => ({ category: l.category, typeId: l.typeId, label: l.label })) });
  });

  r.post('/crm/associations/v4/:from/:to/labels', (req, res) => {
    const { label, name } = req.body ?? {};
    if (!label || !name) return badRequest(res, 'label and name are required');
    const from = objectTypeName(req.params.from);
    const to = objectTypeName(req.params.to);
    const a = acct(res);
    const existing = a.labels.get(pairKey(from, to)) ?? [];
    if (existing.some((l) => l.name === name)) return hsError(res, 409, 'CONFLICT', `An association label named ${name} already exists`);
    const typeId = 100 + a.labels.size * 2 + existing.length;
    a.labels.set(pairKey(from, to), [...existing, { typeId, label, name, category: 'USER_DEFINED' }]);
    a.labels.set(pairKey(to, from), [...(a.labels.get(pairKey(to, from)) ?? []), { typeId: typeId + 1, label, name, category: 'USER_DEFINED' }]);
    res.json({ results: [{ category: 'USER_DEFINED', typeId, label }] });
  });

  return r;
}
