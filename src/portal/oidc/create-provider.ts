import Provider, { interactionPolicy, type Account, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { TokenCipher } from '../../auth/token-cipher.js';
import type { Store } from '../../store/store.js';
import type { PortalAccounts } from '../portal-accounts.js';
import { OidcClients } from './oidc-clients.js';
import { loadCookieKeys, loadSigningKeys } from './signing-keys.js';
import { storeAdapter } from './store-adapter.js';

/** `sub`: stable per HubSpot account and contact, and names both, so one account's client never signs in another's contact. */
export const subjectOf = (portalId: number, contactId: string) => `${portalId}-${contactId}`;
export function parseSubject(sub: string): { portalId: number; contactId: string } | null {
  const m = /^([1-9]\d{0,15})-([1-9]\d{0,19})$/.exec(sub);
  return m ? { portalId: Number(m[1]), contactId: m[2]! } : null;
}

export interface ProviderDeps {
  issuer: string;
  store: Store;
  cipher: TokenCipher;
  accounts: PortalAccounts;
  clients: OidcClients;
  pages: Pick<NonNullable<Configuration['features']>, never> & {
    renderError: NonNullable<Configuration['renderError']>;
    logoutSource: (ctx: KoaContextWithOIDC, form: string) => Promise<void>;
    postLogoutSuccessSource: (ctx: KoaContextWithOIDC) => Promise<void>;
  };
  /** Where customers reach the app: the interaction pages' address comes from it. */
  publicBaseUrl: string;
}

/**
 * The latest "sessions end here" moment for an account (epoch seconds): revoke, reset, admin
 * sign-out. oidc-provider keeps login times in whole seconds, so a session that began in the very
 * second of the cut survives it (a sign-in right after a reset must not be ended by it).
 */
function sessionCutoff(signOutAll: number, sessionsValidAfter = 0): number {
  return Math.floor(Math.max(signOutAll, sessionsValidAfter) / 1000);
}

/**
 * The customer portal's identity provider: panva's certified oidc-provider with our storage,
 * accounts, clients and pages. Authorization code flow with PKCE (S256) for every client, no
 * refresh tokens, consent implied (the client is the account's own portal), claims in the ID token.
 */
export async function createOidcProvider(d: ProviderDeps): Promise<Provider> {
  const [signingKeys, cookieKeys] = await Promise.all([loadSigningKeys(d.store, d.cipher), loadCookieKeys(d.store, d.cipher)]);

  const findAccount = async (ctx: KoaContextWithOIDC, sub: string): Promise<Account | undefined> => {
    const parsed = parseSubject(sub);
    if (!parsed) return undefined;
    const clientId = ctx.oidc?.client?.clientId;
    if (clientId && OidcClients.portalOf(clientId) !== parsed.portalId) return undefined;
    const { account, signOutAll } = await d.accounts.getWithSignOutAll(parsed.portalId, parsed.contactId);
    // Only an active account (password set, access not revoked) signs in, even with a session open.
    if (!account || account.state !== 'active') return undefined;
    const loginTs = ctx.oidc?.session?.loginTs;
    if (loginTs !== undefined && loginTs < sessionCutoff(signOutAll, account.sessionsValidAfter)) return undefined;
    return {
      accountId: sub,
      claims: () => ({ sub, email: account.email, email_verified: true, name: account.name, locale: account.locale }),
    };
  };

  // A session whose account can no longer sign in (revoked, disabled, signed out everywhere)
  // asks for a sign-in again instead of failing.
  const policy = interactionPolicy.base();
  policy.get('login')!.checks.add(new interactionPolicy.Check('account_unusable', 'the account of this session cannot sign in',
    (ctx) => (ctx.oidc.session?.accountId && !ctx.oidc.account ? interactionPolicy.Check.REQUEST_PROMPT : interactionPolicy.Check.NO_NEED_TO_PROMPT)));

  const Adapter = storeAdapter(d.store, (id) => d.clients.metadata(id));
  const provider = new Provider(d.issuer, {
    adapter: Adapter,
    findAccount,
    jwks: { keys: signingKeys as never },
    cookies: { keys: cookieKeys, long: { signed: true, sameSite: 'lax' }, short: { signed: true, sameSite: 'lax' } },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'locale'] },
    scopes: ['openid', 'email', 'profile'],
    // The relying party (HubSpot's portal) may read the profile from the ID token or userinfo.
    conformIdTokenClaims: false,
    // A public client must always send PKCE; the account's confidential client as its admin chose
    // (OidcClients: "when-sent" by default, since HubSpot does not document whether it sends it).
    pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' || (client as unknown as { pkce_required?: boolean }).pkce_required === true },
    extraClientMetadata: { properties: ['pkce_required'], validator: (_ctx, key, value) => { if (key === 'pkce_required' && value !== undefined && typeof value !== 'boolean') throw new Error('pkce_required must be a boolean'); } },
    // Authorization code only: no implicit or hybrid flows that put tokens in the browser's address bar.
    responseTypes: ['code'],
    // Discovery lists exactly what a client can use: clients are confidential, with the
    // authorization_code grant only, and send their secret in the Authorization header or the body
    // (oidc-provider takes either for a client_secret_basic client; which one HubSpot's portal
    // sends is not documented). No refresh tokens: oidc-provider's default issues one only to a
    // client allowed the refresh_token grant asking for offline_access (no client is, no scope is),
    // and a custom function here would advertise the grant.
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    ttl: { AuthorizationCode: 60, IdToken: 3600, AccessToken: 3600, Interaction: 1800, Session: 8 * 3600, Grant: 8 * 3600 },
    interactions: { url: async (_ctx, interaction) => `${d.publicBaseUrl}/portal/interaction/${interaction.uid}`, policy },
    // The client is the account's own portal: consent is implied, so the grant is made here.
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) {
        const grant = await ctx.oidc.provider.Grant.find(grantId);
        if (grant && grant.accountId === ctx.oidc.session!.accountId) return grant;
      }
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: true },
      revocation: { enabled: true },
      // Neither is used by HubSpot's portal; DPoP's replay cache would live in one process only.
      dPoP: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      rpInitiatedLogout: { enabled: true, logoutSource: d.pages.logoutSource, postLogoutSuccessSource: d.pages.postLogoutSuccessSource },
    },
    renderError: d.pages.renderError,
    clientDefaults: { grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic', id_token_signed_response_alg: 'RS256' },
  });
  // The host and scheme headers it reads are set from PUBLIC_BASE_URL by the mount (create-portal.ts).
  provider.proxy = true;
  return provider;
}
