import type { Settings } from '../settings/settings-schema.js';
import { normalizeEmail, type NormalizedEmail } from './normalize-email.js';
import { parseDisplayName, type PersonName } from './parse-display-name.js';

export interface ThreadMessage {
  type?: string;
  direction?: string;
  subject?: string;
  senders?: { actorId?: string; name?: string; deliveryIdentifier?: { type: string; value: string } }[];
}

export type IgnoreReason = 'spam' | 'no-incoming-message' | 'no-email-address' | 'invalid-address' | 'hubspot-user' | 'internal-domain' | 'no-reply' | 'auto-reply';

export type SenderVerdict =
  | { kind: 'sender'; address: NormalizedEmail; name: PersonName }
  | { kind: 'ignored'; reason: IgnoreReason; detail?: string };

/** The account's own domains (and their subdomains): its staff, never customers. */
export const isInternalDomain = (domain: string, internal: readonly string[]) => internal.some((d) => domain === d || domain.endsWith(`.${d}`));

export function isIgnoredAddress(a: NormalizedEmail, patterns: readonly string[]): string | undefined {
  return patterns.find((p) => {
    if (p.startsWith('@')) return a.domain === p.slice(1);
    if (p.includes('@')) return a.email === p;
    return a.local === p || /^[-+._]/.test(a.local.slice(p.length)) && a.local.startsWith(p);
  });
}

/**
 * The customer of a thread: the sender of its first incoming message that has an email address,
 * unless the thread or that sender is one we must never turn into a contact.
 */
export function pickSender(thread: { spam?: boolean }, messages: ThreadMessage[], settings: Settings): SenderVerdict {
  if (thread.spam) return { kind: 'ignored', reason: 'spam' };
  const incoming = messages.filter((m) => (m.type ?? 'MESSAGE') === 'MESSAGE' && m.direction === 'INCOMING');
  if (!incoming.length) return { kind: 'ignored', reason: 'no-incoming-message' };
  const first = incoming.find((m) => m.senders?.some((s) => s.deliveryIdentifier?.type === 'HS_EMAIL_ADDRESS'));
  if (!first) return { kind: 'ignored', reason: 'no-email-address' };
  const sender = first.senders!.find((s) => s.deliveryIdentifier?.type === 'HS_EMAIL_ADDRESS')!;
  // Agents and other HubSpot users write as "A-<userId>" actors.
  if (sender.actorId?.startsWith('A-')) return { kind: 'ignored', reason: 'hubspot-user' };
  const address = normalizeEmail(sender.deliveryIdentifier!.value, { stripPlus: settings.inbound.stripPlusAddresses });
  if (!address) return { kind: 'ignored', reason: 'invalid-address', detail: sender.deliveryIdentifier!.value };
  if (isInternalDomain(address.domain, settings.internalDomains)) return { kind: 'ignored', reason: 'internal-domain' };
  const ignored = isIgnoredAddress(address, settings.inbound.ignoredSenders);
  if (ignored) return { kind: 'ignored', reason: 'no-reply', detail: ignored };
  const subject = (first.subject ?? '').toLowerCase();
  const autoReply = settings.inbound.autoReplySubjects.find((p) => subject.includes(p));
  if (autoReply) return { kind: 'ignored', reason: 'auto-reply', detail: autoReply };
  return { kind: 'sender', address, name: parseDisplayName(sender.name) };
}
