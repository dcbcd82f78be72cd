import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { SecretKeyError, type TokenCipher } from '../../auth/token-cipher.js';
import { keys } from '../../store/keys.js';
import type { Store } from '../../store/store.js';

/** The associated data each key set is encrypted with. */
export const SIGNING_KEYS_CONTEXT = 'oidc-signing-keys';
export const COOKIE_KEYS_CONTEXT = 'oidc-cookie-keys';

async function newSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  return { ...(await exportJWK(privateKey)), kid: randomBytes(8).toString('base64url'), alg: 'RS256', use: 'sig' };
}

/**
 * The provider's signing keys, made once and kept encrypted in the store so that every web process
 * signs with the same key and ID tokens stay verifiable across restarts. The first key signs; the
 * ones after it are still published in the JWKS so tokens signed before a rotation verify.
 * Concurrent first starts race with "set if absent": one key set wins and everyone reads it.
 */
export async function loadSigningKeys(store: Store, cipher: TokenCipher): Promise<JWK[]> {
  const existing = await store.get(keys.oidcSigningKeys());
  if (existing) return JSON.parse(cipher.decrypt(existing, SIGNING_KEYS_CONTEXT)) as JWK[];
  await store.setIfAbsent(keys.oidcSigningKeys(), cipher.encrypt(JSON.stringify([await newSigningKey()]), SIGNING_KEYS_CONTEXT), 10 * 365 * 24 * 3600);
  return JSON.parse(cipher.decrypt((await store.get(keys.oidcSigningKeys()))!, SIGNING_KEYS_CONTEXT)) as JWK[];
}

/** Rotation: a new key signs from the next start of each process on; the previous one stays published. */
export async function rotateSigningKeys(store: Store, cipher: TokenCipher): Promise<JWK[]> {
  const current = await loadSigningKeys(store, cipher);
  const next = [await newSigningKey(), current[0]!];
  await store.set(keys.oidcSigningKeys(), cipher.encrypt(JSON.stringify(next), SIGNING_KEYS_CONTEXT));
  return next;
}

/** Keys that sign the provider's cookies; made once, shared by every process. */
export async function loadCookieKeys(store: Store, cipher: TokenCipher): Promise<string[]> {
  const existing = await store.get(keys.oidcCookieKeys());
  if (!existing) await store.setIfAbsent(keys.oidcCookieKeys(), cipher.encrypt(JSON.stringify([randomBytes(32).toString('base64url')]), COOKIE_KEYS_CONTEXT), 10 * 365 * 24 * 3600);
  return JSON.parse(cipher.decrypt((await store.get(keys.oidcCookieKeys()))!, COOKIE_KEYS_CONTEXT)) as string[];
}

/**
 * Checked at start, before anything reads a secret: the configured keys must open the stored
 * signing keys (every production install has them from its first start). 'none': nothing stored
 * yet; 'current': the newest key wrote them; 'older': `npm run reencrypt` is due. A key list that
 * opens nothing throws SecretKeyError naming TOKEN_ENCRYPTION_KEY and what to do.
 */
export async function signingKeysState(store: Store, cipher: TokenCipher): Promise<'none' | 'current' | 'older'> {
  const blob = await store.get(keys.oidcSigningKeys());
  if (!blob) return 'none';
  try {
    cipher.decrypt(blob, SIGNING_KEYS_CONTEXT);
  } catch (err) {
    throw new SecretKeyError(`TOKEN_ENCRYPTION_KEY opens none of the secrets stored in Redis (the OIDC signing keys: ${(err as Error).message}); put the key they were written with back in the list after the new one (TOKEN_ENCRYPTION_KEY=<new>,<old>), start again, then run npm run reencrypt`);
  }
  return cipher.isCurrent(blob) ? 'current' : 'older';
}
