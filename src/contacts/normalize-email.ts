import { domainToASCII } from 'node:url';
import { isEmailValid } from '@sideway/address';

export interface NormalizedEmail { email: string; local: string; domain: string }

// Unicode in addresses (RFC 6531) is letters, marks and digits; a symbol such as © is no part of a name or a domain.
const NOT_NAME_CHARS = /[^\p{L}\p{M}\p{N}!#$%&'*+\-/=?^_`{|}~.@]/u;

/**
 * Syntax by @sideway/address (hapi's maintained successor of isemail: RFC 5321/5322 rules for the
 * local part and the domain, lengths included; no quoted local parts, comments or IP literals, which
 * no customer of a support inbox uses), then our normalisation on top: trimmed, the domain
 * lower-cased and internationalised domains as punycode (HubSpot stores emails lower-case, and
 * companies' domains are ASCII); plus-addresses kept unless asked otherwise.
 * Returns null for anything that is not one valid address.
 */
export function normalizeEmail(raw: string, options: { stripPlus?: boolean } = {}): NormalizedEmail | null {
  const trimmed = raw.trim().replace(/^mailto:/i, '').replace(/^<(.*)>$/, '$1');
  if (trimmed.length > 320 || NOT_NAME_CHARS.test(trimmed)) return null;
  if (!isEmailValid(trimmed, { minDomainSegments: 2 })) return null;
  const at = trimmed.lastIndexOf('@');
  let local = trimmed.slice(0, at).toLowerCase();
  const domain = domainToASCII(trimmed.slice(at + 1).toLowerCase());
  if (!domain || !domain.includes('.')) return null;
  if (options.stripPlus) local = local.replace(/\+.*$/, '');
  if (!local) return null;
  return { email: `${local}@${domain}`, local, domain };
}
