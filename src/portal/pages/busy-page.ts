import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { pageText } from '../../i18n/portal-pages.js';
import { pageLanguage } from './page-language.js';
import { renderPage } from './render-page.js';

/** How long a customer's page may take before it is answered "try again in a moment". */
export const PAGE_DEADLINE_MS = 10_000;

/** "Try again in a moment", in the customer's language (503: nothing was wrong with what they sent). */
export function sendBusy(req: Request, res: Response): void {
  if (res.headersSent) return;
  const language = pageLanguage(typeof req.query.ui_locales === 'string' ? req.query.ui_locales : undefined, undefined, (l) => req.acceptsLanguages(...l));
  res.status(503).set({ 'retry-after': '5', 'cache-control': 'no-store', 'content-security-policy': "default-src 'none'; style-src 'self'; frame-ancestors 'none'" })
    .type('html').send(renderPage({ language, title: 'busy.title', intro: [pageText(language, 'busy.intro')] }));
}

/**
 * Every customer page answers within PAGE_DEADLINE_MS: one still waiting (on a Redis that stopped
 * answering, say) gets the "try again" page instead of a browser that spins until it gives up.
 */
export function pageDeadline(log: Logger, ms = PAGE_DEADLINE_MS): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      log.warn({ path: req.path.replace(/\/set-password\/[^/]+/, '/set-password/[token]'), ms }, 'customer page not answered in time');
      sendBusy(req, res);
    }, ms);
    // 'close' comes when the answer is complete and when the browser went away first.
    res.once('close', () => clearTimeout(timer));
    next();
  };
}
