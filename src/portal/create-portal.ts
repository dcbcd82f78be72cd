import { hkdfSync } from 'node:crypto';
import type { Request, Response, RequestHandler, Router } from 'express';
import type { RedisClient } from '../store/redis-client.js';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { TokenCipher } from '../auth/token-cipher.js';
import type { Settings } from '../settings/settings-schema.js';
import type { Store } from '../store/store.js';
import { createOidcProvider } from './oidc/create-provider.js';
import { readSetupFacts, recordSetupFact } from '../settings/setup-steps.js';
import { OidcClients } from './oidc/oidc-clients.js';
import { portalRoutes } from './pages/portal-routes.js';
import { providerPages } from './pages/provider-pages.js';
import { pageDeadline } from './pages/busy-page.js';
import { PasswordHasher } from './password-hasher.js';
import { PortalAccess } from './portal-access.js';
import { PortalAccounts } from './portal-accounts.js';
import { SignInCodes } from './sign-in-codes.js';
import { Passkeys } from './passkeys.js';
import { SignInLimiter, type SignInLimits } from './sign-in-limiter.js';

export interface PortalDeps {
  publicBaseUrl: string;
  store: Store;
  redis?: RedisClient;
  cipher: TokenCipher;
  /** A server secret the CSRF key is derived from. */
  serverSecret: string;
  settingsOf: (portalId: number) => Promise<Settings>;
  queueReset: (portalId: number, email: string) => Promise<void>;
  queueRegistration: (portalId: number, email: string) => Promise<void>;
  queueCode: (portalId: number, email: string, challenge: string) => Promise<void>;
  log: Logger;
  hasher?: PasswordHasher;
  limits?: SignInLimits;
}

/**
 * The customer-portal capability, wired: accounts and links, access (list membership), the
 * OpenID Connect provider at `$PUBLIC_BASE_URL/oidc` and the pages customers see.
 */
export function createPortal(d: PortalDeps) {
  const accounts = new PortalAccounts(d.store);
  const hasher = d.hasher ?? new PasswordHasher();
  const access = new PortalAccess({ accounts, hasher, publicBaseUrl: d.publicBaseUrl });
  const clients = new OidcClients(d.store, d.cipher);
  const limiter = new SignInLimiter(d.redis, d.limits);
  const codes = new SignInCodes(d.store, d.serverSecret);
  const passkeys = new Passkeys(d.store, accounts, d.publicBaseUrl);
  const issuer = `${d.publicBaseUrl}/oidc`;
  const secure = d.publicBaseUrl.startsWith('https:');
  let provider: Provider | undefined;
  let callback: ((req: Request, res: Response) => unknown) | undefined;

  const publicUrl = new URL(d.publicBaseUrl);
  const deadline = pageDeadline(d.log);
  const oidc: RequestHandler = (req, res) => {
    if (!callback) return void res.status(503).json({ message: 'the sign-in service is starting' });
    deadline(req, res, () => undefined);
    // oidc-provider builds every URL it publishes (discovery, redirects) from the request's host and
    // scheme. Those are the client's to choose, so they are set to PUBLIC_BASE_URL's here; the
    // client's address is the one Express judged under TRUST_PROXY.
    req.headers.host = publicUrl.host;
    req.headers['x-forwarded-host'] = publicUrl.host;
    req.headers['x-forwarded-proto'] = publicUrl.protocol.slice(0, -1);
    req.headers['x-forwarded-for'] = req.ip ?? '';
    void callback(req, res);
  };

  const routes: Router = portalRoutes({
    provider: () => provider!, store: d.store, accounts, hasher, limiter, settingsOf: d.settingsOf, queueReset: d.queueReset, queueRegistration: d.queueRegistration,
    codes, queueCode: d.queueCode, passkeys,
    csrfSecret: Buffer.from(hkdfSync('sha256', d.serverSecret, 'portal-autopilot', 'csrf', 32)).toString('base64url'),
    secure, log: d.log,
  });

  return {
    accounts, hasher, access, clients, limiter, codes, passkeys, issuer, routes, oidc,
    get provider() { return provider; },
    /** Loads (or makes, once) the signing and cookie keys; the provider answers after this. */
    async start(): Promise<void> {
      provider = await createOidcProvider({ issuer, publicBaseUrl: d.publicBaseUrl, store: d.store, cipher: d.cipher, accounts, clients, pages: providerPages });
      provider.on('server_error', (_ctx, err) => d.log.error({ err }, 'oidc provider error'));
      // A code exchanged with the client's secret: HubSpot's SSO screen holds the right values
      // (the setup checklist's "waiting for the first sign-in" ends here).
      // Known in this process to have had its first sign-in: not read again on every sign-in.
      const firstSignInKnown = new Set<number>();
      provider.on('grant.success', (ctx) => {
        const portalId = OidcClients.portalOf(ctx.oidc.client?.clientId ?? '');
        if (portalId === null || firstSignInKnown.has(portalId)) return;
        void readSetupFacts(d.store, portalId)
          .then((facts) => (facts.firstSignInAt ? undefined : recordSetupFact(d.store, portalId, { firstSignInAt: new Date().toISOString() })))
          .then(() => { firstSignInKnown.add(portalId); })
          .catch((err: Error) => d.log.warn({ err: err.message }, 'first sign-in not recorded'));
      });
      callback = provider.callback();
    },
  };
}

export type Portal = ReturnType<typeof createPortal>;
