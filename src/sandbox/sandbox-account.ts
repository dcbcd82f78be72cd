import { defaultInstallScopes, optionalScopes } from '../auth/app-scopes.js';
import { CrmObjects } from './crm-objects.js';

/** What an install of the app grants: `oauth`, the project's required scopes and its optional ones. */
const appScopes = () => [...defaultInstallScopes.split(' '), ...optionalScopes];

export interface AssociationType { associationCategory: 'HUBSPOT_DEFINED' | 'USER_DEFINED' | 'INTEGRATOR_DEFINED'; associationTypeId: number }
export interface Thread {
  id: string; inboxId: string; status: 'OPEN' | 'CLOSED'; spam: boolean; associatedContactId?: string;
  createdAt: string; channelId: string; channelAccountId: string;
  /** The help desk ticket made for this conversation. */
  ticketId?: string;
}
export interface Message {
  id: string; threadId: string; direction: 'INCOMING' | 'OUTGOING'; createdAt: string; subject: string; text: string;
  sender: { name?: string; email: string; actorId: string }; recipients: string[];
}
export interface ObjectList { listId: string; name: string; objectTypeId: string; processingType: string; members: Map<string, string>; createdAt: string }
export interface Label { typeId: number; label: string; name: string; category: AssociationType['associationCategory'] }
export interface TransactionalSend { emailId: number; to: string; sendId?: string; customProperties: Record<string, unknown>; contactProperties: Record<string, unknown>; at: string; statusId: string }

/** Object type names and HubSpot's type ids (crm/v4 accepts both). */
export const objectTypeIds: Record<string, string> = { contacts: '0-1', companies: '0-2', tickets: '0-5', emails: '0-49', notes: '0-46', users: '0-115' };
export const objectTypeName = (t: string): string => {
  const byId = Object.entries(objectTypeIds).find(([, id]) => id === t)?.[0];
  const plural = t.endsWith('s') ? t : `${t === 'company' ? 'companie' : t}s`;
  return byId ?? plural;
};

/** HubSpot's default (unlabeled) association type between two object types. */
export const defaultAssociationType: Record<string, number> = {
  'contacts>companies': 279, 'companies>contacts': 280, 'tickets>contacts': 16, 'contacts>tickets': 15,
  'tickets>companies': 339, 'companies>tickets': 340, 'emails>contacts': 198, 'contacts>emails': 197,
  'notes>tickets': 228, 'tickets>notes': 227,
};

/** Everything one emulated HubSpot account holds. */
export class SandboxAccount {
  private seq = 1000;
  readonly objects: Record<string, CrmObjects>;
  /** "fromType:fromId" → "toType:toId" → association types. */
  readonly associations = new Map<string, Map<string, AssociationType[]>>();
  readonly labels = new Map<string, Label[]>();
  readonly lists = new Map<string, ObjectList>();
  readonly threads = new Map<string, Thread>();
  readonly messages = new Map<string, Message[]>();
  readonly propertyGroups = new Map<string, Set<string>>();
  readonly properties = new Map<string, Map<string, Record<string, unknown>>>();
  readonly transactionalSends: TransactionalSend[] = [];
  readonly inboxes = [{ id: '101', name: 'Support' }];
  /**
   * The scopes the app's token has here: what the app's project asks for, as an install grants
   * them; a call that needs another gets HubSpot's 403 MISSING_SCOPES. Tests
   * remove one to play an install from before the app asked for it.
   */
  readonly scopes = new Set<string>(appScopes());

  constructor(readonly portalId: number, readonly token: string, now: () => number, searchDelayMs: () => number) {
    const nextId = () => String(++this.seq);
    this.objects = Object.fromEntries(['contacts', 'companies', 'tickets', 'emails', 'notes', 'users'].map((t) => [t, new CrmObjects(t, nextId, now, searchDelayMs)]));
  }

  newId(): string { return String(++this.seq); }

  associate(fromType: string, fromId: string, toType: string, toId: string, types: AssociationType[]): void {
    this.link(fromType, fromId, toType, toId, types);
    // HubSpot mirrors a contact's primary company in its associatedcompanyid property.
    if (fromType === 'contacts' && toType === 'companies' && types.some((t) => t.associationTypeId === 1)) {
      this.objects.contacts?.update(fromId, { associatedcompanyid: toId });
    }
    // HubSpot keeps associations in both directions; the reverse of a primary or unlabeled
    // type is its paired id (279 ↔ 280, 1 ↔ 2, 16 ↔ 15, ...).
    const reverse = types.map((t) => ({ ...t, associationTypeId: reverseTypeId(fromType, toType, t.associationTypeId) }));
    this.link(toType, toId, fromType, fromId, reverse);
  }

  private link(fromType: string, fromId: string, toType: string, toId: string, types: AssociationType[]): void {
    const from = `${fromType}:${fromId}`;
    const targets = this.associations.get(from) ?? new Map<string, AssociationType[]>();
    const existing = targets.get(`${toType}:${toId}`) ?? [];
    for (const t of types) if (!existing.some((e) => e.associationTypeId === t.associationTypeId)) existing.push(t);
    targets.set(`${toType}:${toId}`, existing);
    this.associations.set(from, targets);
  }

  /** Drops some association types of a pair, both directions (labels are paired as typeId, typeId + 1). */
  unassociateTypes(fromType: string, fromId: string, toType: string, toId: string, typeIds: number[]): void {
    const drop = (a: string, aId: string, b: string, bId: string, ids: number[]) => {
      const targets = this.associations.get(`${a}:${aId}`);
      const types = targets?.get(`${b}:${bId}`);
      if (!targets || !types) return;
      const left = types.filter((t) => !ids.includes(t.associationTypeId));
      if (left.length) targets.set(`${b}:${bId}`, left); else targets.delete(`${b}:${bId}`);
    };
    drop(fromType, fromId, toType, toId, typeIds);
    drop(toType, toId, fromType, fromId, typeIds.flatMap((id) => [id + 1, reverseTypeId(fromType, toType, id)]));
  }

  associationsOf(fromType: string, fromId: string, toType: string): { toObjectId: string; types: AssociationType[] }[] {
    const targets = this.associations.get(`${fromType}:${fromId}`) ?? new Map();
    return [...targets.entries()].filter(([k]) => k.startsWith(`${toType}:`)).map(([k, types]) => ({ toObjectId: k.split(':')[1]!, types }));
  }
}

function reverseTypeId(fromType: string, toType: string, id: number): number {
  const forward = defaultAssociationType[`${fromType}>${toType}`];
  if (id === forward) return defaultAssociationType[`${toType}>${fromType}`] ?? id;
  if (fromType === 'contacts' && toType === 'companies' && id === 1) return 2;
  if (fromType === 'companies' && toType === 'contacts' && id === 2) return 1;
  return id;
}
