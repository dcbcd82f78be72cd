import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { TokenCipher } from '../../auth/token-cipher.js';
import { keys } from '../../store/keys.js';
import type { Store } from '../../store/store.js';

const CONTEXT = 'oidc-signing-keys';

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
  if (existing) return JSON.parse(cipher.decrypt(existing, CONTEXT)) as JWK[];
  await store.setIfAbsent(keys.oidcSigningKeys(), cipher.encrypt(JSON.stringify([await newSigningKey()]), CONTEXT), 10 * 365 * 24 * 3600);
  return JSON.parse(cipher.decrypt((await store.get(keys.oidcSigningKeys()))!, CONTEXT)) as JWK[];
}

/** Rotation: a new key signs from the next start of each process on; the previous one stays published. */
export async function rotateSigningKeys(store: Store, cipher: TokenCipher): Promise<JWK[]> {
  const current = await loadSigningKeys(store, cipher);
  const next = [await newSigningKey(), current[0]!];
  await store.set(keys.oidcSigningKeys(), cipher.encrypt(JSON.stringify(next), CONTEXT));
  return next;
}

/** Keys that sign the provider's cookies; made once, shared by every process. */
export async function loadCookieKeys(store: Store, cipher: TokenCipher): Promise<string[]> {
  const existing = await store.get(keys.oidcCookieKeys());
  if (!existing) await store.setIfAbsent(keys.oidcCookieKeys(), cipher.encrypt(JSON.stringify([randomBytes(32).toString('base64url')]), 'oidc-cookie-keys'), 10 * 365 * 24 * 3600);
  return JSON.parse(cipher.decrypt((await store.get(keys.oidcCookieKeys()))!, 'oidc-cookie-keys')) as string[];
}
