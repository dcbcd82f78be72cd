import type { NextFunction, Request, Response } from 'express';
import { verifyV3 } from '../webhooks/verify-signature.js';

export interface CardCaller { portalId: number; userId: number | null; userEmail: string | null }

/**
 * Card and settings-page requests arrive through hubspot.fetch, signed with v3 over the full URL.
 * The account and user are read only from that signed URL, so a caller cannot act for another
 * account by changing a body field.
 */
export function verifyExtensionRequest(clientSecret: string, publicBaseUrl: string, now: () => number = Date.now) {
  return (req: Request, res: Response, next: NextFunction) => {
    const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const uri = new URL(req.originalUrl, publicBaseUrl).toString();
    const verdict = verifyV3(clientSecret, req.method, uri, body, req.get('x-hubspot-signature-v3'), req.get('x-hubspot-request-timestamp'), now());
    if (!verdict.ok) {
      res.status(401).json({ message: verdict.reason });
      return;
    }
    const url = new URL(uri);
    const portalId = Number(url.searchParams.get('portalId'));
    if (!Number.isInteger(portalId) || portalId <= 0) {
      res.status(400).json({ message: 'portalId query parameter is missing or not a number' });
      return;
    }
    const userId = Number(url.searchParams.get('userId'));
    const caller: CardCaller = { portalId, userId: Number.isInteger(userId) && userId > 0 ? userId : null, userEmail: url.searchParams.get('userEmail') };
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
