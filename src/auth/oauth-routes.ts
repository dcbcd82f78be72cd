import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import type { Logger } from 'pino';
import { t } from '../i18n/messages.js';
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
}

const page = (text: string) => `<!doctype html><meta charset="utf-8"><title>Portal Autopilot</title><p>${text.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`)}</p>`;

/** GET /oauth/install and /oauth/callback: the install flow for marketplace (OAuth) apps. */
export function oauthRoutes(d: OAuthRoutesDeps): Router {
  const r = Router();

  r.get('/install', async (_req, res) => {
    const state = randomBytes(24).toString('base64url');
    await d.store.set(keys.oauthState(state), '1', ttl.oauthState);
    const url = new URL(d.authorizeUrl);
    url.searchParams.set('client_id', d.clientId);
    url.searchParams.set('scope', d.scopes.join(' '));
    url.searchParams.set('redirect_uri', d.redirectUri);
    url.searchParams.set('state', state);
    res.redirect(302, url.toString());
  });

  r.get('/callback', async (req, res) => {
    const { code, state, error } = req.query as Record<string, string | undefined>;
    if (error) return void res.status(400).type('html').send(page(t('en', 'oauth.failed', { reason: `HubSpot said ${error}` })));
    if (!state || !(await d.store.take(keys.oauthState(state)))) {
      return void res.status(400).type('html').send(page(t('en', 'oauth.failed', { reason: 'the state parameter is unknown, used or expired; start again from the install link' })));
    }
    if (!code) return void res.status(400).type('html').send(page(t('en', 'oauth.failed', { reason: 'the code parameter is missing' })));
    try {
      const answer = await d.oauth.exchangeCode(code);
      if (!answer.hub_id) throw new Error('HubSpot did not say which account installed the app (no hub_id)');
      await d.vault.save(answer.hub_id, toAccountTokens(answer, Date.now()));
      await d.onInstalled(answer.hub_id).catch((err) => d.log.error({ err, portalId: answer.hub_id }, 'provisioning failed'));
      d.log.info({ portalId: answer.hub_id }, 'app installed');
      res.type('html').send(page(t('en', 'oauth.installed', { portalId: answer.hub_id })));
    } catch (err) {
      d.log.warn({ reason: (err as Error).message }, 'install failed');
      res.status(502).type('html').send(page(t('en', 'oauth.failed', { reason: (err as Error).message })));
    }
  });

  return r;
}
