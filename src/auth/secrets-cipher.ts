import { hkdfSync } from 'node:crypto';
import { TokenCipher } from './token-cipher.js';

/**
 * The cipher for secrets the app keeps in its store (OIDC signing keys, client secrets): with
 * TOKEN_ENCRYPTION_KEY when set, else with a key derived from the HubSpot client secret, which is
 * never in the store. (Changing the client secret then makes those secrets unreadable: set
 * TOKEN_ENCRYPTION_KEY in production.)
 */
export function secretsCipher(tokenEncryptionKey: Buffer | undefined, clientSecret: string): TokenCipher {
  return new TokenCipher(tokenEncryptionKey ?? Buffer.from(hkdfSync('sha256', clientSecret, 'portal-autopilot', 'store-encryption', 32)));
}
