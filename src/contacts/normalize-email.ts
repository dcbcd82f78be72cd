import { domainToASCII } from 'node:url';

export interface NormalizedEmail { email: string; local: string; domain: string }

/**
 * Trimmed, domain lower-cased and internationalised domains as punycode (HubSpot stores emails
 * lower-case, and companies' domains are ASCII). Plus-addresses are kept unless asked otherwise.
 * Returns null for anything that is not one address.
 */
export function normalizeEmail(raw: string, options: { stripPlus?: boolean } = {}): NormalizedEmail | null {
  const trimmed = raw.trim().replace(/^mailto:/i, '').replace(/^<(.*)>$/, '$1');
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1 || /\s/.test(trimmed)) return null;
  let local = trimmed.slice(0, at).toLowerCase();
  const domain = domainToASCII(trimmed.slice(at + 1).replace(/\.$/, '').toLowerCase());
  if (!domain || !domain.includes('.')) return null;
  if (options.stripPlus) local = local.replace(/\+.*$/, '');
  if (!local) return null;
  return { email: `${local}@${domain}`, local, domain };
}
