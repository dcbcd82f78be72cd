import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import cookieParser from 'cookie-parser';
import { Router, type Request } from 'express';
import type { RedisClient } from '../store/redis-client.js';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from 'pino';
import { languages, matchLanguage, t, type Language, type MessageKey } from '../i18n/messages.js';
import { keys, ttl } from '../store/keys.js';
import type { Store } from '../store/store.js';
import type { OAuthClient } from './oauth-client.js';
import { toAccountTokens } from './oauth-token-source.js';
import type { TokenVault } from './token-vault.js';

export interface OAuthRoutesDeps {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  authorizeUrl: string;
  oauth: OAuthClient;
  vault: TokenVault;
  store: Store;
  log: Logger;
  /** The idempotent provisioning step; its outcome is shown on the settings page, never fatal here. */
  onInstalled: (portalId: number) => Promise<void>;
  /** Signs the state cookie (a server secret). */
  stateKey: Buffer;
  /** https: the cookie is Secure. */
  secure: boolean;
  /** Install starts per IP are limited in Redis when it is there. */
  redis?: RedisClient;
  now?: () => number;
}

const STATE_COOKIE = 'pa_oauth_state';
/** Install starts allowed per IP per minute: an admin clicks once; a script hammering the link is stopped. */
const INSTALLS_PER_IP_PER_MINUTE = 20;

const escape = (text: string) => text.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
/** The install pages speak the installer's language (their browser's Accept-Language), English otherwise. */
const languageOf = (req: Request): Language => matchLanguage(req.acceptsLanguages([...languages]) || undefined) ?? 'en';
const page = (language: Language, text: string) => `<!doctype html><html lang="${language}"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(t(language, 'oauth.title'))}</title><p>${escape(text)}</p></html>`;
const failed = (language: Language, reason: MessageKey, vars: Record<string, string> = {}) => page(language, t(language, 'oauth.failed', { reason: t(language, reason, vars) }));

/** GET /oauth/install and /oauth/callback: the install flow for marketplace (OAuth) apps. */
export function oauthRoutes(d: OAuthRoutesDeps): Router {
  const r = Router();
  const now = d.now ?? Date.now;
  const limiter: RateLimiterAbstract = d.redis
    ? new RateLimiterRedis({ storeClient: d.redis, keyPrefix: 'app:oauth-install-rate', points: INSTALLS_PER_IP_PER_MINUTE, duration: 60 })
    : new RateLimiterMemory({ keyPrefix: 'oauth-install', points: INSTALLS_PER_IP_PER_MINUTE, duration: 60 });
  const sign = (value: string) => createHmac('sha256', d.stateKey).update(value).digest('base64url');
  r.use(cookieParser());

  // The state is bound to the browser that started the install by a signed, short-lived cookie:
  // nothing is written to the store for an anonymous request, and a state carried to another
  // browser (or replayed) is refused.
  r.get('/install', async (req, res) => {
    try {
      await limiter.consume(req.ip ?? 'unknown');
    } catch {
      return void res.status(429).type('html').send(failed(languageOf(req), 'oauth.reason.tooMany'));
    }
    const state = randomBytes(24).toString('base64url');
    const expires = now() + ttl.oauthState * 1000;
    res.cookie(STATE_COOKIE, `${state}.${expires}.${sign(`${state}.${expires}`)}`, { httpOnly: true, sameSite: 'lax', secure: d.secure, path: '/oauth', maxAge: ttl.oauthState * 1000 });
    const url = new URL(d.authorizeUrl);
    url.searchParams.set('client_id', d.clientId);
    url.searchParams.set('scope', d.scopes.join(' '));
    url.searchParams.set('redirect_uri', d.redirectUri);
    url.searchParams.set('state', state);
    res.redirect(302, url.toString());
  });

  r.get('/callback', async (req, res) => {
    const { code, state, error } = req.query as Record<string, string | undefined>;
    if (error) return void res.status(400).type('html').send(failed(languageOf(req), 'oauth.reason.hubspotSaid', { error: String(error).slice(0, 100) }));
    const [cookieState = '', expires = '', mac = ''] = String((req.cookies as Record<string, string>)[STATE_COOKIE] ?? '').split('.');
    const expected = sign(`${cookieState}.${expires}`);
    const cookieOk = mac.length === expected.length && timingSafeEqual(Buffer.from(mac), Buffer.from(expected)) && Number(expires) > now();
    res.clearCookie(STATE_COOKIE, { path: '/oauth' });
    // Single use: the first callback with this state marks it; any later one is refused.
    if (!state || !cookieOk || state !== cookieState || !(await d.store.setIfAbsent(keys.oauthState(state), 'used', ttl.oauthState))) {
      return void res.status(400).type('html').send(failed(languageOf(req), 'oauth.reason.state'));
    }
    if (!code) return void res.status(400).type('html').send(failed(languageOf(req), 'oauth.reason.noCode'));
    try {
      const answer = await d.oauth.exchangeCode(code);
      if (!answer.hub_id) throw new Error('HubSpot did not say which account installed the app (no hub_id)');
      await d.vault.save(answer.hub_id, toAccountTokens(answer, Date.now()));
      // The installer is the account's first admin of the app (more are added on the settings page).
      const installer = await d.oauth.tokenInfo(answer.access_token).catch((err: Error) => { d.log.warn({ reason: err.message }, 'installer not known'); return null; });
      if (installer) await d.store.set(keys.installer(answer.hub_id), JSON.stringify({ ...installer, at: new Date(now()).toISOString() }));
      await d.onInstalled(answer.hub_id).catch((err) => d.log.error({ err, portalId: answer.hub_id }, 'provisioning failed'));
      d.log.info({ portalId: answer.hub_id }, 'app installed');
      res.type('html').send(page(languageOf(req), t(languageOf(req), 'oauth.installed', { portalId: answer.hub_id })));
    } catch (err) {
      d.log.warn({ reason: (err as Error).message }, 'install failed');
      res.status(502).type('html').send(failed(languageOf(req), 'oauth.reason.exchange', { detail: (err as Error).message.slice(0, 200) }));
    }
  });

  return r;
}
