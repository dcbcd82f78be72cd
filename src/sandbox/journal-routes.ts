import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { badRequest, batchEnvelope, hsError, notFound } from './hubspot-errors.js';

/** HubSpot's scopes for the journal, as its guide names them for the client-credentials token. */
const SCOPE = { read: 'developer.webhooks_journal.read', subscriptionsRead: 'developer.webhooks_journal.subscriptions.read', subscriptionsWrite: 'developer.webhooks_journal.subscriptions.write' };

interface JournalSubscription {
  id: number; appId: number; portalId: number; subscriptionType: string; objectTypeId: string; actions: string[]; properties: string[]; objectIds: number[];
  createdAt: string; updatedAt: string;
}
interface Entry { offset: string; portalId: number }

const OBJECT_TYPES: Record<string, string> = { contact: '0-1', company: '0-2', ticket: '0-5' };
const ACTIONS: Record<string, string> = { creation: 'CREATE', deletion: 'DELETE', propertyChange: 'UPDATE', privacyDeletion: 'GDPR_DELETE', merge: 'MERGE' };

/**
 * HubSpot's Webhooks Journal, as its 2026-03 spec describes it: subscriptions per account (made with
 * the app's client-credentials token), and each account's local journal read in batches from an
 * offset, every entry a pre-signed URL to its file. It is fed by the same events as the webhook
 * sender: a change whose account has a matching journal subscription becomes an entry (the same
 * eventId, time and property as the webhook event, so the app can tell both are one change).
 */
export class SandboxJournal {
  private readonly subscriptions: JournalSubscription[] = [];
  private readonly entries: Entry[] = [];
  private readonly files = new Map<string, string>();
  private nextId = 9001;
  /** Files whose download fails once (an expired link, a storage hiccup), for the reader's retry. */
  failNextDownloads = 0;

  constructor(private readonly baseUrl: () => string, private readonly appId: number) {}

  /** A webhook event the sandbox made: an entry for each account subscribed to it in the journal. */
  record(event: Record<string, unknown>): void {
    const [object, kind] = String(event.subscriptionType).split('.');
    const objectTypeId = OBJECT_TYPES[object ?? ''];
    const action = ACTIONS[kind ?? ''];
    const portalId = Number(event.portalId);
    if (!objectTypeId || !action) return;
    const wanted = this.subscriptions.some((s) => s.portalId === portalId && s.objectTypeId === objectTypeId && s.actions.includes(action)
      && (action !== 'UPDATE' || !s.properties.length || s.properties.includes(String(event.propertyName))));
    if (!wanted) return;
    const change = {
      portalId, appId: this.appId, eventId: event.eventId, subscriptionId: this.subscriptions.find((s) => s.portalId === portalId && s.objectTypeId === objectTypeId)!.id,
      occurredAt: event.occurredAt, objectTypeId, objectId: event.objectId, action,
      ...(event.changeSource ? { changeSource: event.changeSource } : {}), ...(event.sourceId ? { sourceId: event.sourceId } : {}),
      ...(action === 'UPDATE' ? { properties: { [String(event.propertyName)]: event.propertyValue } } : {}),
    };
    this.append(portalId, JSON.stringify(change));
  }

  /** An entry as HubSpot might hold it, whatever it says (tests: another account's change, a broken file). */
  append(portalId: number, file: string): string {
    const offset = randomUUID();
    this.entries.push({ offset, portalId });
    this.files.set(offset, file);
    return offset;
  }

  entriesOf(portalId: number): number { return this.entries.filter((e) => e.portalId === portalId).length; }
  /** The offset of the account's newest entry (null: none yet). */
  lastOffset(portalId: number): string | null { return this.entries.filter((e) => e.portalId === portalId).at(-1)?.offset ?? null; }
  subscriptionsOf(portalId: number): JournalSubscription[] { return this.subscriptions.filter((s) => s.portalId === portalId); }

  /** The pre-signed file URLs (no token): served before the sandbox's authentication. */
  fileRoutes(): Router {
    const r = Router();
    r.get('/_sandbox/journal-files/:offset', (req, res) => {
      if (this.failNextDownloads > 0) { this.failNextDownloads--; return void res.status(403).type('text').send('Request has expired'); }
      const file = this.files.get(req.params.offset);
      if (file === undefined) return void res.status(404).type('text').send('NoSuchKey');
      res.type('json').send(file);
    });
    return r;
  }

  /** The journal's API; `scopes` are the client-credentials token's (undefined: an account's token, which the journal refuses). */
  routes(scopesOf: (res: Response) => Set<string> | undefined): Router {
    const r = Router();
    const need = (res: Response, scope: string): boolean => {
      const scopes = scopesOf(res);
      if (scopes?.has(scope)) return true;
      hsError(res, 403, 'MISSING_SCOPES', `This call needs a client credentials token with the scope ${scope}.`, { errors: [{ message: 'One or more of the following scopes are required.', context: { requiredGranularScopes: [scope] } }] });
      return false;
    };
    const base = '/webhooks-journal/subscriptions/2026-03';
    r.post(base, (req, res) => {
      if (!need(res, SCOPE.subscriptionsWrite)) return;
      const b = req.body as Partial<JournalSubscription> & { eventTypeId?: string };
      if (!Number.isSafeInteger(b.portalId) || !b.objectTypeId || !Array.isArray(b.actions) || !b.actions.length) return badRequest(res, 'portalId, objectTypeId and actions are required');
      const now = new Date().toISOString();
      const existing = this.subscriptions.find((s) => s.portalId === b.portalId && s.subscriptionType === b.subscriptionType && s.objectTypeId === b.objectTypeId);
      const sub: JournalSubscription = existing ?? { id: this.nextId++, appId: this.appId, portalId: b.portalId!, subscriptionType: String(b.subscriptionType ?? 'OBJECT'), objectTypeId: b.objectTypeId, actions: [], properties: [], objectIds: [], createdAt: now, updatedAt: now };
      Object.assign(sub, { actions: b.actions.map(String), properties: (b.properties ?? []).map(String), objectIds: (b.objectIds ?? []).map(Number), updatedAt: now });
      if (!existing) this.subscriptions.push(sub);
      res.json(sub);
    });
    r.get(base, (_req, res) => {
      if (!need(res, SCOPE.subscriptionsRead)) return;
      res.json({ results: this.subscriptions });
    });
    r.delete(`${base}/portals/:portalId`, (req, res) => {
      if (!need(res, SCOPE.subscriptionsWrite)) return;
      const portalId = Number(req.params.portalId);
      for (let i = this.subscriptions.length - 1; i >= 0; i--) if (this.subscriptions[i]!.portalId === portalId) this.subscriptions.splice(i, 1);
      res.status(204).end();
    });
    const local = '/webhooks-journal/journal-local/2026-03';
    const pointers = (list: Entry[]) => batchEnvelope(list.map((e) => ({
      currentOffset: e.offset, url: `${this.baseUrl()}/_sandbox/journal-files/${e.offset}`, expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
    })), new Date().toISOString());
    const countOf = (req: Request, res: Response): number | undefined => {
      const count = Number(req.params.count);
      if (!Number.isInteger(count) || count < 1) { badRequest(res, 'count must be a whole number of at least 1'); return undefined; }
      return Math.min(count, 1000);
    };
    const ofPortal = (req: Request) => this.entries.filter((e) => !req.query.installPortalId || e.portalId === Number(req.query.installPortalId));
    r.get(`${local}/batch/earliest/:count`, (req, res) => {
      if (!need(res, SCOPE.read)) return;
      const count = countOf(req, res);
      if (count === undefined) return;
      const list = ofPortal(req);
      if (!list.length) return notFound(res, 'journal entry');
      res.json(pointers(list.slice(0, count)));
    });
    r.get(`${local}/batch/:offset/next/:count`, (req, res) => {
      if (!need(res, SCOPE.read)) return;
      const count = countOf(req, res);
      if (count === undefined) return;
      const list = ofPortal(req);
      const at = list.findIndex((e) => e.offset === req.params.offset);
      if (at < 0) return notFound(res, `journal offset ${req.params.offset}`);
      res.json(pointers(list.slice(at + 1, at + 1 + count)));
    });
    return r;
  }
}
