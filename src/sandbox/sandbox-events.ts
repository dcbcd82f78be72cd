import { readFileSync } from 'node:fs';
import type { CrmRecord } from './crm-objects.js';
import type { SandboxAccount } from './sandbox-account.js';

export type ChangeKind = 'creation' | 'propertyChange' | 'deletion';
export type EmitChange = (account: SandboxAccount, objectType: string, kind: ChangeKind, record: CrmRecord, changed?: string[], source?: string) => void;

export interface Subscription { subscriptionType: string; propertyName?: string }

const singular: Record<string, string> = { contacts: 'contact', companies: 'company', tickets: 'ticket', emails: 'email' };

/** The subscriptions HubSpot would read from the uploaded project's webhooks component. */
export function readSubscriptions(hsmetaPath: string): Subscription[] {
  const meta = JSON.parse(readFileSync(hsmetaPath, 'utf8')) as { config: { subscriptions: Record<string, Subscription[]> } };
  return Object.values(meta.config.subscriptions).flat().filter((s) => (s as { active?: boolean }).active !== false);
}

/** Builds HubSpot webhook events for a CRM change, one per matching subscription. */
export class EventFactory {
  private eventId = 1;
  constructor(private readonly subscriptions: Subscription[], private readonly appId: number) {}

  private subscriptionId(type: string, property?: string): number {
    const i = this.subscriptions.findIndex((s) => s.subscriptionType === type && s.propertyName === property);
    return 1000 + Math.max(0, i);
  }

  private base(portalId: number, subscriptionType: string, objectId: string, property?: string) {
    return {
      eventId: this.eventId++, subscriptionId: this.subscriptionId(subscriptionType, property), portalId, appId: this.appId,
      occurredAt: Date.now(), subscriptionType, attemptNumber: 0, objectId: Number(objectId),
    };
  }

  forCrmChange(account: SandboxAccount, objectType: string, kind: ChangeKind, record: CrmRecord, changed: string[] = [], source = 'INTEGRATION'): Record<string, unknown>[] {
    const name = singular[objectType];
    if (!name) return [];
    const type = `${name}.${kind}`;
    if (kind !== 'propertyChange') {
      return this.subscriptions.some((s) => s.subscriptionType === type)
        ? [{ ...this.base(account.portalId, type, record.id), changeSource: source, sourceId: this.sourceIdOf(source), ...(kind === 'creation' ? { changeFlag: 'NEW' } : { changeFlag: 'DELETED' }) }]
        : [];
    }
    return changed
      .filter((p) => this.subscriptions.some((s) => s.subscriptionType === type && s.propertyName === p))
      .map((p) => ({ ...this.base(account.portalId, type, record.id, p), propertyName: p, propertyValue: record.properties[p] ?? '', changeSource: source }));
  }

  /** As HubSpot fills sourceId: the user behind a change in its UI, the app behind an integration's, the import. */
  private sourceIdOf(source: string): string | undefined {
    if (source === 'CRM_UI' || source === 'MOBILE_IOS' || source === 'MOBILE_ANDROID') return 'userId:1';
    if (source === 'INTEGRATION' || source === 'API') return String(this.appId);
    if (source === 'IMPORT') return 'importId:1';
    return undefined;
  }

  forConversation(portalId: number, type: 'conversation.creation' | 'conversation.newMessage', threadId: string, message?: { id: string; direction: string }): Record<string, unknown>[] {
    if (!this.subscriptions.some((s) => s.subscriptionType === type)) return [];
    return [{
      ...this.base(portalId, type, threadId), changeSource: 'CONVERSATIONS',
      ...(message ? { messageId: message.id, messageType: 'MESSAGE', changeFlag: message.direction === 'INCOMING' ? 'NEW_INCOMING' : 'NEW_OUTGOING' } : { changeFlag: 'CREATED' }),
    }];
  }
}
