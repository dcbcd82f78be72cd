import { PermanentError } from '../queue/errors.js';
import { keys } from '../store/keys.js';
import { LockBusyError, type Store } from '../store/store.js';
import type { TokenSource } from '../hubspot/gateway.js';
import type { OAuthClient, TokenAnswer } from './oauth-client.js';
import type { AccountTokens, TokenVault } from './token-vault.js';

/** Access tokens live 30 minutes; refresh when less than this is left. */
const REFRESH_MARGIN_MS = 5 * 60_000;

export const toAccountTokens = (a: TokenAnswer, now: number): AccountTokens => ({
  accessToken: a.access_token, refreshToken: a.refresh_token, expiresAt: now + a.expires_in * 1000, scopes: a.scopes ?? [],
});

/**
 * OAuth mode. Tokens are refreshed before they expire, under a lock in the shared store, so when
 * many workers need a fresh token at once exactly one of them calls HubSpot.
 */
export class OAuthTokenSource implements TokenSource {
  constructor(
    private readonly vault: TokenVault,
    private readonly store: Store,
    private readonly oauth: OAuthClient,
    private readonly now: () => number = Date.now,
  ) {}

  async accessToken(portalId: number): Promise<string> {
    for (let waited = 0; waited < 15_000; waited += 100) {
      const tokens = await this.vault.load(portalId);
      if (!tokens) throw new PermanentError(`account ${portalId} has not installed the app (no OAuth tokens)`);
      if (tokens.expiresAt - this.now() > REFRESH_MARGIN_MS) return tokens.accessToken;
      try {
        return await this.store.withLock(keys.tokenRefreshLock(portalId), 20_000, async () => {
          const current = await this.vault.load(portalId);
          if (current && current.expiresAt - this.now() > REFRESH_MARGIN_MS) return current.accessToken;
          const fresh = toAccountTokens(await this.oauth.refresh(tokens.refreshToken), this.now());
          await this.vault.save(portalId, fresh);
          return fresh.accessToken;
        });
      } catch (err) {
        if (!(err instanceof LockBusyError)) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`token refresh for account ${portalId} did not finish within 15 s`);
  }
}

/** Private-app mode: one static token for the one account. */
export class StaticTokenSource implements TokenSource {
  constructor(private readonly token: string) {}
  async accessToken(): Promise<string> { return this.token; }
}
