import { createRequire } from 'node:module';
import { canonicalDomain } from './domain-match.js';

// email-providers (derhuerst/email-providers): ~8,700 free-mail domains, kept up to date upstream.
const providers = createRequire(import.meta.url)('email-providers/all.json') as string[];
const shipped: ReadonlySet<string> = new Set(providers);

/** The maintained list plus the admin's additions from settings. */
export function freeMailDomains(additions: readonly string[] = []): ReadonlySet<string> {
  if (!additions.length) return shipped;
  return new Set([...shipped, ...additions.map(canonicalDomain).filter((d): d is string => !!d)]);
}
