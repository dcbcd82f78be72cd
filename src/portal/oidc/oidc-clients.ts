import { randomBytes } from 'node:crypto';
import type { TokenCipher } from '../../auth/token-cipher.js';
import { keys } from '../../store/keys.js';
import type { Store } from '../../store/store.js';

/** What an admin copies into HubSpot's SSO screen, and what our provider checks a client against. */
/**
 * PKCE for the account's (confidential) client: `required` refuses an authorization request without
 * a code challenge; `when-sent` checks it whenever one is sent and lets a request without it through
 * (state and nonce still honoured): HubSpot does not document whether its portal sends PKCE, so
 * `when-sent` is the default that keeps sign-in working; an admin who sees it sent can require it.
 */
export type PkcePolicy = 'required' | 'when-sent';
export interface OidcClient { clientId: string; clientSecret: string; redirectUris: string[]; pkce: PkcePolicy; createdAt: string; updatedAt: string }

interface StoredClient { clientId: string; secret: string; redirectUris: string[]; pkce?: PkcePolicy; createdAt: string; updatedAt: string }

export class RedirectUriError extends Error {}

const MAX_REDIRECT_URIS = 5;

/** https, or http on loopback for a local trial; no fragment (OpenID Connect Core 3.1.2.1). */
export function checkRedirectUri(raw: string): string {
  let url: URL;
  try { url = new URL(raw); } catch { throw new RedirectUriError(`redirect URI "${raw.slice(0, 200)}" is not a URL`); }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw new RedirectUriError(`redirect URI ${url.href} must use https`);
  if (url.hash) throw new RedirectUriError(`redirect URI ${url.href} must not have a fragment`);
  if (raw.length > 2000) throw new RedirectUriError('a redirect URI is longer than 2,000 characters');
  return url.href;
}

/**
 * One OpenID Connect client per HubSpot account: HubSpot's customer portal is its relying party.
 * The client id names the account (`hs-<portalId>-<random>`), so a client can only ever be tied
 * to the contacts of its own account. The secret is kept encrypted, bound to the account.
 */
/**
 * How long this process answers oidc-provider's client lookups from memory: it looks the client
 * up several times per sign-in (authorization, interaction, token, userinfo). A change saved here
 * takes effect at once; one saved through another web process within this time (a rotated
 * secret, a changed redirect URI) after at most this long.
 */
const CLIENT_CACHE_MS = 2000;

export class OidcClients {
  /** Each account's client as last read for oidc-provider (null: the account has none). */
  private readonly cached = new Map<number, { client: OidcClient | null; until: number }>();

  constructor(private readonly store: Store, private readonly cipher: TokenCipher, private readonly now: () => number = Date.now) {}

  static portalOf(clientId: string): number | null {
    const m = /^hs-([1-9]\d{0,15})-[\w-]{10,}$/.exec(clientId);
    return m ? Number(m[1]) : null;
  }

  async get(portalId: number): Promise<OidcClient | null> {
    const raw = await this.store.get(keys.oidcClient(portalId));
    if (!raw) return null;
    const s = JSON.parse(raw) as StoredClient;
    return { clientId: s.clientId, clientSecret: this.cipher.decrypt(s.secret, `oidc-client:${portalId}`), redirectUris: s.redirectUris, pkce: s.pkce ?? 'when-sent', createdAt: s.createdAt, updatedAt: s.updatedAt };
  }

  /** Creates the account's client, or changes its redirect URIs (and, when asked, its secret). */
  async save(portalId: number, redirectUris: string[], rotateSecret = false, pkce?: PkcePolicy): Promise<OidcClient> {
    if (redirectUris.length > MAX_REDIRECT_URIS) throw new RedirectUriError(`at most ${MAX_REDIRECT_URIS} redirect URIs`);
    const uris = [...new Set(redirectUris.map(checkRedirectUri))];
    const existing = await this.get(portalId);
    const now = new Date().toISOString();
    const secret = !existing || rotateSecret ? randomBytes(32).toString('base64url') : existing.clientSecret;
    const stored: StoredClient = {
      clientId: existing?.clientId ?? `hs-${portalId}-${randomBytes(9).toString('base64url')}`,
      secret: this.cipher.encrypt(secret, `oidc-client:${portalId}`), redirectUris: uris, pkce: pkce ?? existing?.pkce ?? 'when-sent', createdAt: existing?.createdAt ?? now, updatedAt: now,
    };
    await this.store.set(keys.oidcClient(portalId), JSON.stringify(stored));
    this.cached.delete(portalId);
    return { clientId: stored.clientId, clientSecret: secret, redirectUris: uris, pkce: stored.pkce!, createdAt: stored.createdAt, updatedAt: now };
  }

  /** The client's metadata for oidc-provider, or undefined when the id is not a current client. */
  async metadata(clientId: string): Promise<Record<string, unknown> | undefined> {
    const portalId = OidcClients.portalOf(clientId);
    if (portalId === null) return undefined;
    let hit = this.cached.get(portalId);
    if (!hit || hit.until <= this.now()) {
      if (this.cached.size > 10_000) this.cached.clear();
      hit = { client: await this.get(portalId), until: this.now() + CLIENT_CACHE_MS };
      this.cached.set(portalId, hit);
    }
    const { client } = hit;
    if (!client || client.clientId !== clientId) return undefined;
    return {
      client_id: client.clientId, client_secret: client.clientSecret, redirect_uris: client.redirectUris,
      post_logout_redirect_uris: client.redirectUris.map((u) => new URL(u).origin + '/'),
      grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic',
      pkce_required: client.pkce === 'required',
    };
  }
}
