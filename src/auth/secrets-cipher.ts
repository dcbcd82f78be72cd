import { hkdfSync } from 'node:crypto';
import { TokenCipher } from './token-cipher.js';

/**
 * The cipher for secrets the app keeps in its store (OIDC signing keys, client secrets): with
 * TOKEN_ENCRYPTION_KEY's keys when set, else with a key derived from the HubSpot client secret,
 * which is never in the store. The derived key stays last in the list, so an install that adds
 * TOKEN_ENCRYPTION_KEY later still reads what it wrote before (and `npm run reencrypt` moves it).
 */
export function secretsCipher(tokenEncryptionKeys: Buffer[], clientSecret: string): TokenCipher {
  return new TokenCipher([...tokenEncryptionKeys, Buffer.from(hkdfSync('sha256', clientSecret, 'portal-autopilot', 'store-encryption', 32))]);
}
