import { randomUUID } from 'node:crypto';
import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
import type { Logger } from 'pino';
import type { Metrics } from '../../platform/metrics.js';
import { HubSpotApiError } from '../../hubspot/classify-failure.js';
import { PermanentError } from '../../queue/errors.js';
import type { TrustProxy } from '../trust-proxy.js';

export interface HttpAppParts {
  log: Logger;
  metrics: Metrics;
  webhook: RequestHandler;
  extensionsAuth: RequestHandler;
  extensions: Router;
  /** The app's actions in HubSpot workflows (signed by HubSpot, once per callbackId). */
  workflowActions?: Router;
  oauth?: Router;
  /** The customer portal's pages and its OpenID Connect provider (mounted at /oidc). */
  portal?: { routes: Router; oidc: RequestHandler };
  ready: () => Promise<void>;
  /** Who may say the client's address (the per-IP limits read req.ip): see TRUST_PROXY. */
  trustProxy: TrustProxy;
}

// HubSpot sends at most 100 events in a request and hubspot.fetch bodies are capped at 1 MB.
const BODY_LIMIT = '1mb';

export function createHttpApp(p: HttpAppParts): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Only a configured proxy's X-Forwarded-For counts: anyone else could pick a new address per request.
  app.set('trust proxy', p.trustProxy);

  app.use((req, res, next) => {
    // A proxy's request id is kept for the logs when it looks like one; anything else gets our own.
    const sent = req.get('x-request-id');
    const id = sent && /^[\w.:-]{1,128}$/.test(sent) ? sent : randomUUID();
    res.setHeader('x-request-id', id);
    // The request's logger is made when something logs, not for every request.
    let log: Logger | undefined;
    Object.defineProperty(res.locals, 'log', { get: () => (log ??= p.log.child({ requestId: id })), enumerable: true });
    next();
  });

  app.get('/healthz', (_req, res) => { res.json({ ok: true }); });
  app.get('/readyz', async (_req, res) => {
    try {
      await p.ready();
      res.json({ ok: true });
    } catch (err) {
      // The status only: the detail (hosts, errors) is for the log, not for whoever asks.
      p.log.warn({ reason: (err as Error).message }, 'not ready');
      res.status(503).json({ ok: false });
    }
  });
  app.get('/metrics', async (_req, res) => {
    res.type(p.metrics.registry.contentType).send(await p.metrics.registry.metrics());
  });

  const raw = express.raw({ type: () => true, limit: BODY_LIMIT });
  app.post('/webhooks/hubspot', raw, p.webhook);
  app.use('/api/extensions', raw, p.extensionsAuth, p.extensions);
  if (p.workflowActions) app.use('/workflow-actions', raw, p.workflowActions);
  if (p.oauth) app.use('/oauth', p.oauth);
  if (p.portal) {
    app.use(p.portal.routes);
    app.use('/oidc', p.portal.oidc);
  }

  app.use((_req, res) => { res.status(404).json({ message: 'no such route' }); });

  const onError: ErrorRequestHandler = (err, req, res, _next) => {
    // A record HubSpot does not have (a card opened on a contact deleted since): the caller's 404, not our failure.
    if (err instanceof HubSpotApiError && err.status === 404) {
      res.status(404).json({ message: `HubSpot has no such record (${err.endpoint})` });
      return;
    }
    // What retrying cannot change and an agent or admin can (no access list set up yet, a contact
    // without an email address, no access to send credentials for): 409 with the reason.
    if (err instanceof PermanentError && !(err instanceof HubSpotApiError)) {
      res.status(409).json({ message: err.message });
      return;
    }
    const status = typeof err?.status === 'number' ? err.status : 500;
    if (status === 413) {
      p.metrics.webhookRequests.inc({ status: '413' });
      res.status(413).json({ message: `body is larger than ${BODY_LIMIT}` });
      return;
    }
    // Set-password links carry their token in the path: it is never logged.
    if (status >= 500) (res.locals.log as Logger ?? p.log).error({ err, path: req.path.replace(/\/set-password\/[^/]+/, '/set-password/[token]') }, 'request failed');
    res.status(status).json({ message: status >= 500 ? 'internal error' : err.message });
  };
  app.use(onError);
  return app;
}
