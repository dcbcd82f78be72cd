import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { signedUri } from '../../webhooks/signed-uri.js';
import { verifyV3 } from '../../webhooks/verify-signature.js';

export interface CardCaller { portalId: number; userId: number | null; userEmail: string | null }

export interface ExtensionAuthDeps {
  clientSecret: string;
  publicBaseUrl: string;
  /** Our app id: HubSpot appends `appId` to every hubspot.fetch URL. Unset = not checked (warned at start). */
  appId?: string;
  /** Whether the account has installed the app (OAuth) or is the private app's own account. */
  isInstalled: (portalId: number) => Promise<boolean>;
  log: Logger;
  now?: () => number;
}

/**
 * The query parameters HubSpot appends to every hubspot.fetch URL before it signs it. The card
 * never sets them itself: the card's code runs in the user's browser and could name any account,
 * and HubSpot signs whatever URL the card asks for. So one that appears twice means the card (or
 * someone in its place) added its own copy, and we cannot tell which one HubSpot wrote.
 */
export const HUBSPOT_IDENTITY_PARAMS = ['portalId', 'userId', 'userEmail', 'appId'] as const;

const SAFE_ID = /^[1-9]\d{0,15}$/;
const parseId = (raw: string | null): number | null => {
  // An absent parameter reads as "null", which is not an id either.
  if (!SAFE_ID.test(String(raw))) return null;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : null;
};

/**
 * Card and settings-page requests arrive through hubspot.fetch, signed with v3 over our public
 * URL. The account and the user are read only from the parameters HubSpot appended to that signed
 * URL; anything the caller could have chosen is refused. Reasons go to the log, never to the
 * caller (an attacker learns nothing about which check failed).
 */
export function verifyExtensionRequest(deps: ExtensionAuthDeps) {
  const now = deps.now ?? Date.now;
  const refuse = (res: Response, status: 401 | 403, reason: string, extra: Record<string, unknown> = {}) => {
    (res.locals.log as Logger | undefined ?? deps.log).warn({ reason, ...extra }, 'card request refused');
    res.status(status).json({ message: status === 401 ? 'this request is not signed by HubSpot for this app' : 'Portal Autopilot is not installed in this HubSpot account' });
  };

  return async (req: Request, res: Response, next: NextFunction) => {
    const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const uri = signedUri(deps.publicBaseUrl, req.originalUrl);
    if (!uri) return refuse(res, 401, 'request target is not a path (absolute-form request line)');
    const verdict = verifyV3(deps.clientSecret, req.method, uri, body, req.get('x-hubspot-signature-v3'), req.get('x-hubspot-request-timestamp'), now());
    if (!verdict.ok) return refuse(res, 401, verdict.reason, { uri });

    const params = new URL(uri).searchParams;
    const repeated = HUBSPOT_IDENTITY_PARAMS.filter((name) => params.getAll(name).length > 1);
    if (repeated.length) return refuse(res, 401, `identity parameter given more than once: ${repeated.join(', ')}`, { uri });
    if (deps.appId !== undefined && params.get('appId') !== deps.appId) {
      return refuse(res, 401, `appId ${params.get('appId') ?? '(none)'} is not this app's (${deps.appId})`, { uri });
    }
    const portalId = parseId(params.get('portalId'));
    if (portalId === null) {
      res.status(400).json({ message: 'portalId query parameter is missing or not a positive whole number' });
      return;
    }
    if (!(await deps.isInstalled(portalId))) return refuse(res, 403, `account ${portalId} has not installed the app`, { portalId });

    const caller: CardCaller = { portalId, userId: parseId(params.get('userId')), userEmail: params.get('userEmail') };
    res.locals.caller = caller;
    if (body) {
      try {
        res.locals.json = JSON.parse(body) as unknown;
      } catch {
        res.status(400).json({ message: 'body is not valid JSON' });
        return;
      }
    }
    next();
  };
}
