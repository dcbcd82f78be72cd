import { randomUUID } from 'node:crypto';
import { Router, type Response } from 'express';
import { badRequest, hsError, notFound } from './hubspot-errors.js';
import type { ObjectList, SandboxAccount, Thread } from './sandbox-account.js';

const acct = (res: Response) => res.locals.account as SandboxAccount;

const publicList = (l: ObjectList) => ({
  listId: l.listId, listVersion: 1, name: l.name, objectTypeId: l.objectTypeId, processingStatus: 'COMPLETE',
  processingType: l.processingType, createdAt: l.createdAt, updatedAt: l.createdAt, size: l.members.size,
});

/** A few of HubSpot's own properties (every account has them), as the properties API lists them. */
const builtIn = (groupName: string, list: (readonly [string, string, string, string])[]) => list.map(([name, label, type, fieldType]) => ({
  name, label, type, fieldType, groupName, description: '', options: [], hidden: false, formField: true,
  createdAt: '2019-01-01T00:00:00.000Z', modificationMetadata: { archivable: false, readOnlyDefinition: true, readOnlyValue: false },
}));
const defaultProperties: Record<string, ReturnType<typeof builtIn>> = {
  tickets: builtIn('ticketinformation', [
    ['subject', 'Ticket name', 'string', 'text'], ['content', 'Ticket description', 'string', 'textarea'],
    ['hs_pipeline', 'Pipeline', 'enumeration', 'select'], ['hs_pipeline_stage', 'Ticket status', 'enumeration', 'select'],
    ['hs_ticket_priority', 'Priority', 'enumeration', 'select'], ['hs_ticket_category', 'Category', 'enumeration', 'select'],
    ['source_type', 'Source', 'enumeration', 'select'], ['hs_resolution', 'Resolution', 'enumeration', 'select'],
  ]),
  companies: builtIn('companyinformation', [
    ['name', 'Company name', 'string', 'text'], ['domain', 'Company domain name', 'string', 'text'],
    ['hs_additional_domains', 'Additional domains', 'enumeration', 'checkbox'], ['lifecyclestage', 'Lifecycle stage', 'enumeration', 'radio'],
    ['type', 'Type', 'enumeration', 'select'], ['industry', 'Industry', 'enumeration', 'select'],
  ]),
};

/** Lists, conversations, transactional email, properties and account info. */
export function otherRoutes(): Router {
  const r = Router();

  // --- lists v3: membership changes only for MANUAL and SNAPSHOT lists, as in HubSpot ---
  r.post('/crm/v3/lists', (req, res) => {
    const { name, objectTypeId, processingType } = req.body ?? {};
    if (!name || !objectTypeId || !processingType) return badRequest(res, 'name, objectTypeId and processingType are required');
    const a = acct(res);
    if ([...a.lists.values()].some((l) => l.name === name)) return hsError(res, 409, 'CONFLICT', `A list named ${name} already exists`);
    const list: ObjectList = { listId: a.newId(), name, objectTypeId, processingType, members: new Map(), createdAt: new Date().toISOString() };
    a.lists.set(list.listId, list);
    res.json({ list: publicList(list) });
  });
  // Search by name (a substring, case-insensitive, as HubSpot's list search); an empty query pages through all.
  r.post('/crm/v3/lists/search', (req, res) => {
    const { query = '', offset = 0, count = 20, objectTypeId, processingTypes, listIds } = req.body ?? {};
    if (count > 500) return badRequest(res, 'count must be at most 500');
    const q = String(query).trim().toLowerCase();
    const hits = [...acct(res).lists.values()].filter((l) => (!q || l.name.toLowerCase().includes(q))
      && (!objectTypeId || l.objectTypeId === objectTypeId)
      && (!Array.isArray(processingTypes) || !processingTypes.length || processingTypes.includes(l.processingType))
      && (!Array.isArray(listIds) || !listIds.length || listIds.includes(l.listId)));
    const page = hits.slice(offset, offset + count);
    res.json({
      lists: page.map((l) => ({ ...publicList(l), size: undefined, additionalProperties: { hs_list_size: String(l.members.size) } })),
      offset: offset + page.length, hasMore: offset + page.length < hits.length, total: hits.length,
    });
  });
  r.get('/crm/v3/lists/object-type-id/:objectTypeId/name/:listName', (req, res) => {
    const list = [...acct(res).lists.values()].find((l) => l.objectTypeId === req.params.objectTypeId && l.name === req.params.listName);
    if (!list) return notFound(res, `list ${req.params.listName}`);
    res.json({ list: publicList(list) });
  });
  r.get('/crm/v3/lists/:listId', (req, res) => {
    const list = acct(res).lists.get(req.params.listId);
    if (!list) return notFound(res, `list ${req.params.listId}`);
    res.json({ list: publicList(list) });
  });
  const changeMembers = (add: boolean) => (req: import('express').Request, res: Response) => {
    const list = acct(res).lists.get(String(req.params.listId));
    if (!list) return notFound(res, `list ${req.params.listId}`);
    if (!['MANUAL', 'SNAPSHOT'].includes(list.processingType)) return badRequest(res, `List ${list.listId} is ${list.processingType}: memberships can only be changed on MANUAL or SNAPSHOT lists`);
    if (!Array.isArray(req.body)) return badRequest(res, 'body must be an array of record ids');
    const ids = (req.body as unknown[]).map(String);
    const changed: string[] = [];
    for (const id of ids) {
      if (add && !list.members.has(id)) { list.members.set(id, new Date().toISOString()); changed.push(id); }
      if (!add && list.members.delete(id)) changed.push(id);
    }
    const missing = ids.filter((id) => !changed.includes(id));
    res.json(add ? { recordsIdsAdded: changed, recordIdsRemoved: [], recordIdsMissing: missing } : { recordsIdsAdded: [], recordIdsRemoved: changed, recordIdsMissing: missing });
  };
  r.put('/crm/v3/lists/:listId/memberships/add', changeMembers(true));
  r.put('/crm/v3/lists/:listId/memberships/remove', changeMembers(false));
  r.get('/crm/v3/lists/:listId/memberships', (req, res) => {
    const list = acct(res).lists.get(req.params.listId);
    if (!list) return notFound(res, `list ${req.params.listId}`);
    res.json({ results: [...list.members.entries()].map(([recordId, membershipTimestamp]) => ({ recordId, membershipTimestamp })), total: list.members.size });
  });

  // --- conversations inbox ---
  r.get('/conversations/v3/conversations/inboxes', (_req, res) => {
    const now = new Date().toISOString();
    res.json({ total: acct(res).inboxes.length, results: acct(res).inboxes.map((i) => ({ id: i.id, name: i.name, type: 'INBOX', archived: false, createdAt: now, updatedAt: now })) });
  });
  /** The time of a thread's newest message (its creation while it has none). */
  const latestMessageAt = (res: Response, t: Thread) => (acct(res).messages.get(t.id) ?? []).reduce((latest, m) => (m.createdAt > latest ? m.createdAt : latest), t.createdAt);
  /** The time of a thread's newest incoming message, if it has one. */
  const latestReceivedAt = (res: Response, t: Thread) => (acct(res).messages.get(t.id) ?? []).filter((m) => m.direction === 'INCOMING').reduce<string | undefined>((latest, m) => (!latest || m.createdAt > latest ? m.createdAt : latest), undefined);
  const publicThread = (res: Response, t: Thread) => ({
    id: t.id, inboxId: t.inboxId, status: t.status, spam: t.spam, archived: false, createdAt: t.createdAt,
    associatedContactId: t.associatedContactId ?? '', originalChannelId: t.channelId, originalChannelAccountId: t.channelAccountId,
    latestMessageTimestamp: latestMessageAt(res, t),
    ...(latestReceivedAt(res, t) ? { latestMessageReceivedTimestamp: latestReceivedAt(res, t) } : {}),
  });
  // The threads of a ticket (HubSpot's help desk makes one ticket per conversation), or those
  // active since a time, oldest activity first (sort=latestMessageTimestamp needs
  // latestMessageTimestampAfter, as HubSpot's reference says); paged by `after`.
  r.get('/conversations/v3/conversations/threads', (req, res) => {
    const ticketId = req.query.associatedTicketId ? String(req.query.associatedTicketId) : undefined;
    const contactId = req.query.associatedContactId ? String(req.query.associatedContactId) : undefined;
    const sort = [req.query.sort ?? []].flat().map(String);
    const since = req.query.latestMessageTimestampAfter ? String(req.query.latestMessageTimestampAfter) : undefined;
    if (sort.includes('latestMessageTimestamp') && !since) return badRequest(res, 'sorting by latestMessageTimestamp requires latestMessageTimestampAfter');
    if (since && Number.isNaN(Date.parse(since))) return badRequest(res, 'latestMessageTimestampAfter must be a date-time');
    if (!ticketId && !contactId && !req.query.inboxId && !since) return badRequest(res, 'one of inboxId, associatedContactId, associatedTicketId or latestMessageTimestampAfter is required');
    const found = [...acct(res).threads.values()]
      .filter((t) => (!ticketId || t.ticketId === ticketId) && (!contactId || t.associatedContactId === contactId))
      .map((t) => ({ t, latest: latestMessageAt(res, t) }))
      .filter(({ latest }) => !since || Date.parse(latest) >= Date.parse(since));
    if (sort.includes('latestMessageTimestamp')) found.sort((a, b) => a.latest.localeCompare(b.latest) || Number(a.t.id) - Number(b.t.id));
    const limit = Math.min(Math.max(Number(req.query.limit ?? 20) || 20, 1), 500);
    const start = Number(req.query.after ?? 0) || 0;
    res.json({
      results: found.slice(start, start + limit).map(({ t }) => publicThread(res, t)),
      ...(start + limit < found.length ? { paging: { next: { after: String(start + limit), link: `?after=${start + limit}` } } } : {}),
    });
  });
  r.get('/conversations/v3/conversations/threads/:threadId', (req, res) => {
    const t = acct(res).threads.get(req.params.threadId);
    if (!t) return notFound(res, `thread ${req.params.threadId}`);
    res.json(publicThread(res, t));
  });
  // An agent's reply on a thread (type MESSAGE): sent to the recipients through the thread's channel.
  r.post('/conversations/v3/conversations/threads/:threadId/messages', (req, res) => {
    const t = acct(res).threads.get(req.params.threadId);
    if (!t) return notFound(res, `thread ${req.params.threadId}`);
    const b = req.body ?? {};
    if (b.type !== 'MESSAGE' && b.type !== 'COMMENT') return badRequest(res, 'type must be MESSAGE or COMMENT');
    if (typeof b.text !== 'string' || !b.text) return badRequest(res, 'text is required');
    if (b.type === 'MESSAGE' && (!/^A-\d+$/.test(String(b.senderActorId ?? '')) || b.channelId !== t.channelId || b.channelAccountId !== t.channelAccountId)) {
      return badRequest(res, 'a MESSAGE needs an agent senderActorId (A-<userId>) and the thread\'s channelId and channelAccountId');
    }
    const to = (Array.isArray(b.recipients) ? b.recipients : []).flatMap((r: { deliveryIdentifiers?: { value?: string }[] }) => (r.deliveryIdentifiers ?? []).map((d) => String(d.value ?? '')));
    const message = {
      id: randomUUID().replace(/-/g, '').slice(0, 16), threadId: t.id, direction: 'OUTGOING' as const, createdAt: new Date().toISOString(),
      subject: String(b.subject ?? ''), text: b.text as string, sender: { email: 'agent@sandbox.example', actorId: String(b.senderActorId ?? 'A-0') }, recipients: to,
    };
    acct(res).messages.set(t.id, [...(acct(res).messages.get(t.id) ?? []), message]);
    res.status(201).json({
      type: b.type, id: message.id, conversationsThreadId: t.id, createdAt: message.createdAt, createdBy: message.sender.actorId, archived: false,
      client: { clientType: 'INTEGRATION' }, direction: 'OUTGOING', channelId: t.channelId, channelAccountId: t.channelAccountId,
      senders: [{ actorId: message.sender.actorId }], recipients: to.map((value: string) => ({ deliveryIdentifier: { type: 'HS_EMAIL_ADDRESS', value } })),
      text: message.text, attachments: [], truncationStatus: 'NOT_TRUNCATED', status: { statusType: 'SENT' },
    });
  });
  r.get('/conversations/v3/conversations/threads/:threadId/messages', (req, res) => {
    const t = acct(res).threads.get(req.params.threadId);
    if (!t) return notFound(res, `thread ${req.params.threadId}`);
    const all = (acct(res).messages.get(t.id) ?? []).map((m) => ({
      type: 'MESSAGE', id: m.id, conversationsThreadId: t.id, createdAt: m.createdAt, createdBy: m.sender.actorId, archived: false,
      client: { clientType: m.direction === 'INCOMING' ? 'HUBSPOT' : 'HUBSPOT' }, direction: m.direction, channelId: t.channelId, channelAccountId: t.channelAccountId,
      senders: [{ actorId: m.sender.actorId, name: m.sender.name, deliveryIdentifier: { type: 'HS_EMAIL_ADDRESS', value: m.sender.email } }],
      recipients: m.recipients.map((to) => ({ deliveryIdentifier: { type: 'HS_EMAIL_ADDRESS', value: to } })),
      subject: m.subject, text: m.text, attachments: [], truncationStatus: 'NOT_TRUNCATED', status: { statusType: m.direction === 'INCOMING' ? 'RECEIVED' : 'SENT' },
    }));
    // Paged like HubSpot's list endpoints (`limit`, `after`); 20 by default here, so long threads page.
    const limit = Math.min(Math.max(Number(req.query.limit ?? 20) || 20, 1), 100);
    const start = Number(req.query.after ?? 0) || 0;
    const results = all.slice(start, start + limit);
    res.json({ results, ...(start + limit < all.length ? { paging: { next: { after: String(start + limit), link: `?after=${start + limit}` } } } : {}) });
  });

  // --- transactional single-send: one message per sendId, as HubSpot promises ---
  r.post('/marketing/v3/transactional/single-email/send', (req, res) => {
    const { emailId, message, customProperties = {}, contactProperties = {} } = req.body ?? {};
    if (!emailId || !message?.to) return badRequest(res, 'emailId and message.to are required');
    const a = acct(res);
    const previous = message.sendId ? a.transactionalSends.find((s) => s.sendId === message.sendId) : undefined;
    if (previous) return res.json({ status: 'COMPLETE', statusId: previous.statusId, sendResult: 'IDEMPOTENT_IGNORE', requestedAt: previous.at });
    const send = { emailId, to: message.to, sendId: message.sendId, customProperties, contactProperties, at: new Date().toISOString(), statusId: randomUUID() };
    a.transactionalSends.push(send);
    res.json({ status: 'PENDING', statusId: send.statusId, requestedAt: send.at });
  });

  // --- properties ---
  r.post('/crm/v3/properties/:objectType/groups', (req, res) => {
    const { name, label, displayOrder = -1 } = req.body ?? {};
    if (!name || !label) return badRequest(res, 'name and label are required');
    const groups = acct(res).propertyGroups.get(req.params.objectType) ?? new Set();
    if (groups.has(name)) return hsError(res, 409, 'CONFLICT', `A property group named ${name} already exists`);
    groups.add(name);
    acct(res).propertyGroups.set(req.params.objectType, groups);
    res.status(201).json({ name, label, displayOrder, archived: false });
  });
  r.post('/crm/v3/properties/:objectType', (req, res) => {
    const { name, label, type, fieldType, groupName, description = '', options = [] } = req.body ?? {};
    if (!name || !label || !type || !fieldType || !groupName) return badRequest(res, 'name, label, type, fieldType and groupName are required');
    const props = acct(res).properties.get(req.params.objectType) ?? new Map();
    if (props.has(name)) return hsError(res, 409, 'CONFLICT', `Property named ${name} already exists`);
    const property = { name, label, type, fieldType, groupName, description, options, createdAt: new Date().toISOString(), hidden: false, formField: false };
    props.set(name, property);
    acct(res).properties.set(req.params.objectType, props);
    res.status(201).json(property);
  });
  r.get('/crm/v3/properties/:objectType/:propertyName', (req, res) => {
    const p = acct(res).properties.get(req.params.objectType)?.get(req.params.propertyName);
    if (!p) return notFound(res, `property ${req.params.propertyName}`);
    res.json(p);
  });
  r.get('/crm/v3/properties/:objectType', (req, res) => {
    const own = [...(acct(res).properties.get(req.params.objectType)?.values() ?? [])];
    res.json({ results: [...(defaultProperties[req.params.objectType] ?? []), ...own] });
  });

  // --- account ---
  r.get('/account-info/v3/details', (_req, res) => {
    res.json({ portalId: acct(res).portalId, accountType: 'STANDARD', timeZone: 'Europe/Berlin', companyCurrency: 'EUR', additionalCurrencies: [], utcOffset: '+01:00', utcOffsetMilliseconds: 3_600_000, uiDomain: 'app-eu1.hubspot.com', dataHostingLocation: 'eu1' });
  });
  r.delete('/appinstalls/v3/external-install', (_req, res) => { res.status(204).end(); });

  return r;
}
