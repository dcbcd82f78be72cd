import { keys } from '../store/keys.js';
import type { Store } from '../store/store.js';
import type { TokenCipher } from './token-cipher.js';

export interface AccountTokens { accessToken: string; refreshToken: string; expiresAt: number; scopes: string[] }

/** OAuth tokens per account, encrypted at rest; the list of installed accounts beside them. */
export class TokenVault {
  constructor(private readonly store: Store, private readonly cipher: TokenCipher) {}

  async save(portalId: number, tokens: AccountTokens): Promise<void> {
    await this.store.set(keys.tokens(portalId), this.cipher.encrypt(JSON.stringify(tokens), String(portalId)));
  }

  async load(portalId: number): Promise<AccountTokens | null> {
    const blob = await this.store.get(keys.tokens(portalId));
    return blob ? (JSON.parse(this.cipher.decrypt(blob, String(portalId))) as AccountTokens) : null;
  }

  async remove(portalId: number): Promise<void> {
    await this.store.del(keys.tokens(portalId));
  }
}
