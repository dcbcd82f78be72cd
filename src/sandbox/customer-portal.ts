import { randomBytes } from 'node:crypto';
import escapeHtml from 'escape-html';
import { Router, type Request, type Response } from 'express';
import * as oidc from 'openid-client';
import type { SandboxAccount } from './sandbox-account.js';

/** What an admin enters on HubSpot's SSO screen for the customer portal (OpenID Connect). */
export interface SsoSettings { issuer: string; clientId: string; clientSecret: string; accessListId: string }

interface PendingSignIn { portalId: number; verifier: string; state: string; nonce: string; at: number }
interface PortalSession { portalId: number; contactId: string; email: string; name: string; idToken: string }

const COOKIE = 'hs_portal_session';
const TX_COOKIE = 'hs_portal_tx';

/**
 * HubSpot's customer portal as a relying party of our provider, for the demo and the tests. Like
 * HubSpot it sends the visitor to the identity provider (openid-client, authorization code with
 * PKCE), checks the ID token, finds the contact by its email and lets it in only when the contact
 * is in the access list; then it shows the contact's tickets.
 */
/** The contact property HubSpot's customer portal is set to read for company ticket access (the app creates it). */
const PRIMARY_PROPERTY = 'portal_autopilot_primary_contact';

export class CustomerPortal {
  private readonly sso = new Map<number, SsoSettings>();
  private readonly configs = new Map<number, Promise<oidc.Configuration>>();
  private readonly pending = new Map<string, PendingSignIn>();
  private readonly sessions = new Map<string, PortalSession>();

  constructor(private readonly baseUrl: () => string, private readonly account: (portalId: number) => SandboxAccount) {}

  /** The address customers open, and the redirect URI HubSpot's SSO screen shows the admin. */
  portalUrl(portalId: number): string { return `${this.baseUrl()}/_portal/${portalId}/`; }
  redirectUri(portalId: number): string { return `${this.baseUrl()}/_portal/${portalId}/sso/callback`; }

  configure(portalId: number, settings: SsoSettings): void {
    this.sso.set(portalId, settings);
    this.configs.delete(portalId);
  }

  private config(portalId: number): Promise<oidc.Configuration> {
    const s = this.sso.get(portalId);
    if (!s) throw new Error(`single sign-on is not set up for account ${portalId}`);
    let config = this.configs.get(portalId);
    if (!config) {
      // Local trials run the provider on plain http (loopback only): openid-client refuses that unless told.
      config = oidc.discovery(new URL(s.issuer), s.clientId, s.clientSecret, undefined, s.issuer.startsWith('http:') ? { execute: [oidc.allowInsecureRequests] } : undefined);
      config.catch(() => this.configs.delete(portalId));
      this.configs.set(portalId, config);
    }
    return config;
  }

  routes(): Router {
    const r = Router();
    const page = (res: Response, status: number, title: string, body: string) => res.status(status).type('html').send(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`);
    const portalOf = (req: Request) => Number(req.params.portalId);
    const cookie = (req: Request, name: string) => (req.get('cookie') ?? '').split(/;\s*/).find((c) => c.startsWith(`${name}=`))?.slice(name.length + 1);

    r.get('/_portal/:portalId/', (req, res) => {
      const portalId = portalOf(req);
      const session = this.sessions.get(cookie(req, COOKIE) ?? '');
      if (!session || session.portalId !== portalId) return void res.redirect(`/_portal/${portalId}/login${req.query.lang ? `?lang=${encodeURIComponent(String(req.query.lang))}` : ''}`);
      const a = this.account(portalId);
      // The portal's ticket permissions, set on the contact property the app keeps: a primary contact
      // sees every ticket of the company (its own, its colleagues', the company's); others their own.
      const own = a.associationsOf('contacts', session.contactId, 'tickets').map((t) => t.toObjectId);
      const primary = a.objects.contacts!.get(session.contactId)?.properties[PRIMARY_PROPERTY] === 'true';
      const companies = primary ? a.associationsOf('contacts', session.contactId, 'companies').map((c) => c.toObjectId) : [];
      const colleagues = companies.flatMap((c) => a.associationsOf('companies', c, 'contacts').map((x) => x.toObjectId));
      const ids = new Set([...own, ...colleagues.flatMap((c) => a.associationsOf('contacts', c, 'tickets').map((t) => t.toObjectId)), ...companies.flatMap((c) => a.associationsOf('companies', c, 'tickets').map((t) => t.toObjectId))]);
      const tickets = [...ids].map((id) => a.objects.tickets!.get(id)).filter((t) => t !== undefined);
      page(res, 200, 'Customer portal', `<p id="signed-in">Signed in as ${escapeHtml(session.name)} (${escapeHtml(session.email)})</p>
        <h2>${primary ? 'Your company\'s tickets' : 'Your tickets'} (${tickets.length})</h2><ul id="tickets">${tickets.map((t) => `<li>${escapeHtml(t!.properties.subject ?? '')}</li>`).join('')}</ul>
        <p><a id="sign-out" href="/_portal/${portalId}/logout">Sign out</a></p>`);
    });

    r.get('/_portal/:portalId/login', async (req, res) => {
      const portalId = portalOf(req);
      const config = await this.config(portalId);
      const tx = randomBytes(16).toString('base64url');
      const p: PendingSignIn = { portalId, verifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce(), at: Date.now() };
      this.pending.set(tx, p);
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: this.redirectUri(portalId), scope: 'openid email profile', state: p.state, nonce: p.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(p.verifier), code_challenge_method: 'S256',
        ...(req.query.lang ? { ui_locales: String(req.query.lang) } : {}),
      });
      res.set('set-cookie', `${TX_COOKIE}=${tx}; Path=/_portal/${portalId}; HttpOnly; SameSite=Lax`).redirect(url.href);
    });

    r.get('/_portal/:portalId/sso/callback', async (req, res) => {
      const portalId = portalOf(req);
      const tx = cookie(req, TX_COOKIE) ?? '';
      const p = this.pending.get(tx);
      this.pending.delete(tx);
      if (!p || p.portalId !== portalId) return page(res, 400, 'Sign-in failed', '<p id="error">This sign-in was not started here, or it was already finished.</p>');
      try {
        const config = await this.config(portalId);
        const tokens = await oidc.authorizationCodeGrant(config, new URL(req.originalUrl, this.baseUrl()), { pkceCodeVerifier: p.verifier, expectedState: p.state, expectedNonce: p.nonce });
        const claims = tokens.claims()!;
        const email = String(claims.email ?? '').toLowerCase();
        const contact = email && claims.email_verified ? this.account(portalId).objects.contacts!.all().find((c) => c.properties.email?.toLowerCase() === email) : undefined;
        const list = this.account(portalId).lists.get(this.sso.get(portalId)!.accessListId);
        if (!contact || !list?.members.has(contact.id)) return page(res, 403, 'No access', `<p id="error">${escapeHtml(email)} has no access to this portal.</p>`);
        const sid = randomBytes(24).toString('base64url');
        this.sessions.set(sid, { portalId, contactId: contact.id, email, name: String(claims.name ?? email), idToken: tokens.id_token! });
        res.set('set-cookie', `${COOKIE}=${sid}; Path=/_portal/${portalId}; HttpOnly; SameSite=Lax`).redirect(`/_portal/${portalId}/`);
      } catch (err) {
        page(res, 400, 'Sign-in failed', `<p id="error">${escapeHtml((err as Error).message)}</p>`);
      }
    });

    r.get('/_portal/:portalId/logout', async (req, res) => {
      const portalId = portalOf(req);
      const sid = cookie(req, COOKIE) ?? '';
      const session = this.sessions.get(sid);
      this.sessions.delete(sid);
      if (!session) return void res.redirect(`/_portal/${portalId}/`);
      const url = oidc.buildEndSessionUrl(await this.config(portalId), { id_token_hint: session.idToken, post_logout_redirect_uri: `${this.baseUrl()}/` });
      res.redirect(url.href);
    });
    return r;
  }

  /** The signed-in contact's ID token claims, for tests: how many sessions this portal holds. */
  get sessionCount(): number { return this.sessions.size; }
}
