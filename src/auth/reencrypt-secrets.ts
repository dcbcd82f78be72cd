import type { RedisClient } from '../store/redis-client.js';
import { scanKeys } from '../store/scan-keys.js';
import { COOKIE_KEYS_CONTEXT, SIGNING_KEYS_CONTEXT } from '../portal/oidc/signing-keys.js';
import type { TokenCipher } from './token-cipher.js';

/**
 * Every secret the app keeps encrypted in the store, with the associated data it is bound to and
 * the cipher that wrote it ("tokens": TOKEN_ENCRYPTION_KEY alone; "portal": the secrets cipher,
 * see secrets-cipher.ts). An OIDC client is JSON whose `secret` field is the blob.
 */
const STORED_SECRETS = [
  { match: 'portal:{*}:oauth-tokens', key: /^portal:\{(\d{1,16})\}:oauth-tokens$/, cipher: 'tokens', context: (id: string) => id },
  { match: 'portal:{*}:smtp-password', key: /^portal:\{(\d{1,16})\}:smtp-password$/, cipher: 'tokens', context: (id: string) => `smtp:${id}` },
  { match: 'portal:{*}:oidc-client', key: /^portal:\{(\d{1,16})\}:oidc-client$/, cipher: 'portal', field: 'secret', context: (id: string) => `oidc-client:${id}` },
  { match: 'app:oidc-signing-keys', key: /^app:oidc-signing-keys$/, cipher: 'portal', context: () => SIGNING_KEYS_CONTEXT },
  { match: 'app:oidc-cookie-keys', key: /^app:oidc-cookie-keys$/, cipher: 'portal', context: () => COOKIE_KEYS_CONTEXT },
] as const;

/** Replaces a value only if it is still the one read (a process may have written a new one since); its TTL stays. */
const REPLACE_IF_UNCHANGED = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL') return 1 end return 0`;

export interface ReencryptResult { rewritten: number; current: number; unreadable: string[] }
type Secret = (typeof STORED_SECRETS)[number];

/**
 * Rewrites every stored secret that an older key wrote under the newest key. Each secret is done on
 * its own and one already under the newest key is left alone, so a run that stops part-way is
 * finished by running it again. Secrets no configured key opens are named and left as they are.
 */
export async function reencryptSecrets(redis: RedisClient, ciphers: { tokens?: TokenCipher; portal: TokenCipher }): Promise<ReencryptResult> {
  const result: ReencryptResult = { rewritten: 0, current: 0, unreadable: [] };
  for (const secret of STORED_SECRETS) {
    const cipher = ciphers[secret.cipher];
    if (!cipher) continue;
    for await (const found of scanKeys(redis, secret.match)) {
      for (const key of found) {
        const outcome = await reencryptOne(redis, cipher, secret, key);
        if (outcome === 'unreadable') result.unreadable.push(key);
        else if (outcome) result[outcome] += 1;
      }
    }
  }
  return result;
}

async function reencryptOne(redis: RedisClient, cipher: TokenCipher, secret: Secret, key: string): Promise<'rewritten' | 'current' | 'unreadable' | null> {
  const m = secret.key.exec(key);
  if (!m) return null;
  const context = secret.context(m[1] ?? '');
  const field = 'field' in secret ? secret.field : undefined;
  // A process that writes the key between the read and the write wins; the new value is read again.
  for (let attempt = 0; attempt < 5; attempt++) {
    const raw = await redis.get(key);
    if (raw === null) return null;
    const parsed = field ? (JSON.parse(raw) as Record<string, string>) : undefined;
    const blob = parsed ? parsed[field!]! : raw;
    if (cipher.isCurrent(blob)) return 'current';
    let plain: string;
    try { plain = cipher.decrypt(blob, context); } catch { return 'unreadable'; }
    const fresh = cipher.encrypt(plain, context);
    const next = parsed ? JSON.stringify({ ...parsed, [field!]: fresh }) : fresh;
    if (await redis.eval(REPLACE_IF_UNCHANGED, 1, key, raw, next)) return 'rewritten';
  }
  throw new Error(`${key} changed five times while it was being re-encrypted; run npm run reencrypt again`);
}
