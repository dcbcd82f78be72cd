import { PermanentError } from '../queue/errors.js';
import { hkdfSync, randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { OAuthClient } from '../auth/oauth-client.js';
import { oauthRoutes } from '../auth/oauth-routes.js';
import { OAuthTokenSource, StaticTokenSource } from '../auth/oauth-token-source.js';
import { SecretKeyError, TokenCipher } from '../auth/token-cipher.js';
import { signingKeysState } from '../portal/oidc/signing-keys.js';
import { secretsCipher } from '../auth/secrets-cipher.js';
import { TokenVault } from '../auth/token-vault.js';
import { HubSpotGateway, type TokenSource } from '../hubspot/gateway.js';
import { MemoryRateLimiter, RedisRateLimiter, type RateLimiter } from '../hubspot/rate-limiter.js';
import { appQueuePrefix, BullmqQueue } from '../queue/bullmq-queue.js';
import { DeadLetters } from '../queue/dead-letters.js';
import type { EventQueue } from '../queue/event-queue.js';
import { MemoryQueue } from '../queue/memory-queue.js';
import { DomainIndexCache } from '../companies/domain-index-cache.js';
import { createEmail } from '../email/create-email.js';
import { RuleRepository } from '../tickets/rule-repository.js';
import { SettingsRepository } from '../settings/settings-repository.js';
import { MemoryStore } from '../store/memory-store.js';
import { RedisStore } from '../store/redis-store.js';
import { connectRedis, type RedisClient } from '../store/redis-client.js';
import { migrateKeyFormat } from '../store/migrate-key-format.js';
import type { Store } from '../store/store.js';
import { ListAdds } from '../hubspot/list-adds.js';
import { RecordReader } from '../hubspot/record-reader.js';
import { routeEvent, type AccountContext, type SubscriptionHandler, type WorkerBatches } from '../webhooks/route-event.js';
import { TimelineCopyBatch } from '../email/timeline-copy.js';
import { subscribedTypes } from '../webhooks/subscriptions.js';
import { webhookEdge } from '../webhooks/webhook-edge.js';
import { Quarantine } from '../webhooks/quarantine.js';
import { JournalClient } from '../webhooks/journal-client.js';
import { stopJournal, installedAccounts, JournalPoller, rememberInstall, subscribeAtInstall } from '../webhooks/journal-poller.js';
import type { Config } from './config.js';
import { extensionsApi } from './routes/extensions-api.js';
import { BACKFILL, createEventHandlers, PORTAL_CODE, PORTAL_REGISTER, PORTAL_RESET } from './event-handlers.js';
import { createPortal } from '../portal/create-portal.js';
import { createHttpApp } from './routes/http-app.js';
import { workflowActions } from './routes/workflow-actions.js';
import { createLogger } from '../platform/logger.js';
import { createMetrics } from '../platform/metrics.js';
import { accountSetupTasks, provisionAccount } from './provision-account.js';
import { verifyExtensionRequest } from './routes/verify-extension-request.js';
import { failWorkflowOfDeadLetter } from '../hubspot/workflow-callbacks.js';

export interface RuntimeOptions {
  log?: Logger;
  handlers?: Record<string, SubscriptionHandler>;
  /** BullMQ key prefix, so parallel test files do not share a queue. */
  queuePrefix?: string;
  now?: () => number;
  authorizeUrl?: string;
  /** The sign-in rate limits (the sign-in benchmark lifts the per-IP one: all its traffic comes from one address). */
  signInLimits?: import('../portal/sign-in-limiter.js').SignInLimits;
  /** Tests wrap the store to see which keys a request touched. */
  observeStore?: (store: Store) => Store;
  /** How long senders are gathered into one HubSpot batch call. */
  batchWindowMs?: number;
  /** How long a workflow action may keep HubSpot waiting before it answers BLOCK (ANSWER_WITHIN_MS). */
  workflowAnswerWithinMs?: number;
  /** Told each event the journal reader queued first, and how long after the change (bench:inbound's journal lag). */
  onJournalQueued?: (event: import('../webhooks/event-schema.js').HubSpotEvent, delayMs: number) => void;
}

/**
 * The composition root: the only place that reads config, builds clients and wires ports.
 * Embedded mode (no REDIS_URL) keeps store, queue and rate limits in this process.
 */
export function createRuntime(config: Config, options: RuntimeOptions = {}) {
  const log = options.log ?? createLogger(config.logLevel);
  const metrics = createMetrics({ defaults: true });
  const redisTarget = config.redisUrl ? { url: config.redisUrl, cluster: config.redisCluster } : undefined;
  const redis = redisTarget ? connectRedis(redisTarget, 'store', config.redisKeyPrefix) : undefined;
  redis?.on('error', (err) => log.warn({ reason: err.message }, 'redis connection problem'));
  const baseStore: Store = redis ? new RedisStore(redis) : new MemoryStore();
  const store: Store = options.observeStore ? options.observeStore(baseStore) : baseStore;
  const limiter: RateLimiter = redis ? new RedisRateLimiter(redis) : new MemoryRateLimiter();
  const deadLetters = new DeadLetters(store);
  const quarantine = new Quarantine(store);
  const queue: EventQueue = redisTarget
    ? new BullmqQueue(redisTarget, deadLetters, { concurrency: config.workerConcurrency, lockMs: config.workerLockMs, prefix: options.queuePrefix ?? appQueuePrefix(config.redisKeyPrefix) })
    : new MemoryQueue(deadLetters, { concurrency: config.workerConcurrency });

  const redirectUri = `${config.publicBaseUrl}/oauth/callback`;
  const cipher = config.tokenEncryptionKeys.length ? new TokenCipher(config.tokenEncryptionKeys) : undefined;
  // Portal secrets (signing keys, client secrets) are always encrypted at rest.
  const portalCipher = secretsCipher(config.tokenEncryptionKeys, config.clientSecret);
  const vault = cipher ? new TokenVault(store, cipher) : undefined;
  const oauth = config.clientId
    ? new OAuthClient({ baseUrl: config.hubspotApiBaseUrl, clientId: config.clientId, clientSecret: config.clientSecret, redirectUri })
    : undefined;
  const tokens: TokenSource = config.accessToken
    ? new StaticTokenSource(config.accessToken)
    : new OAuthTokenSource(vault!, store, oauth!, options.now);

  const hubspot = new HubSpotGateway({
    baseUrl: config.hubspotApiBaseUrl, tokens, limiter, metrics, log,
    ratePer10s: config.rateLimitPer10s, searchRatePerSecond: config.searchRatePerSecond, timeoutMs: config.callTimeoutMs,
  });
  // A workflow step waiting on a job that failed for good is told now, not when HubSpot stops waiting.
  deadLetters.onAdded = (job, reason) => failWorkflowOfDeadLetter({ portalId: job.event.portalId, hubspot, store, log }, job.event.propertyValue, reason)
    .catch((err: Error) => log.warn({ portalId: job.event.portalId, reason: err.message }, 'could not tell a workflow its step failed'));
  const settings = new SettingsRepository(store);
  const domainIndex = new DomainIndexCache(store);
  const email = createEmail(store, hubspot, cipher, config.smtpAllowedHosts, config.workerLockMs);
  const rules = new RuleRepository(store);
  /** A customer's request from a portal page (a reset, a registration), done by the worker after the page has answered. */
  const queuePortalRequest = async (type: string, name: string, portalId: number, email: string, challenge?: string) => {
    const requestId = randomBytes(12).toString('base64url');
    await queue.enqueue([{ id: `${name}-${portalId}-${requestId}`, event: {
      eventId: 0, subscriptionId: 0, portalId, occurredAt: Date.now(), subscriptionType: type, attemptNumber: 0, propertyValue: { email, requestId, ...(challenge ? { challenge } : {}) },
    } }]);
  };
  const portal = createPortal({
    publicBaseUrl: config.publicBaseUrl, store, redis, cipher: portalCipher, serverSecret: config.clientSecret, log, limits: options.signInLimits,
    settingsOf: (portalId) => settings.forPages(portalId),
    queueReset: (portalId, email) => queuePortalRequest(PORTAL_RESET, 'reset', portalId, email),
    queueRegistration: (portalId, email) => queuePortalRequest(PORTAL_REGISTER, 'register', portalId, email),
    queueCode: (portalId, email, challenge) => queuePortalRequest(PORTAL_CODE, 'sign-in-code', portalId, email, challenge),
  });
  // A private app's token belongs to one account: every other account is refused, whatever it signs.
  let ownPortal: Promise<number> | undefined;
  const privatePortalId = () => {
    ownPortal ??= config.portalId !== undefined
      ? Promise.resolve(config.portalId)
      : hubspot.request<{ portalId: number }>(0, 'account-info.details', { method: 'GET', path: '/account-info/v3/details' })
        .then((d) => d.portalId, (err: unknown) => { ownPortal = undefined; throw err; });
    return ownPortal;
  };
  const isInstalled = async (portalId: number) => (config.accessToken ? portalId === await privatePortalId() : Boolean(await vault!.load(portalId)));

  // HubSpot's Webhooks Journal, read with the app's client-credentials token: OAuth installs get no webhooks on the 2025.2 platform.
  const journalClient = config.journal && config.clientId ? new JournalClient({ baseUrl: config.hubspotApiBaseUrl, clientId: config.clientId, clientSecret: config.clientSecret, now: options.now }) : undefined;
  const journal = journalClient ? new JournalPoller({
    client: journalClient, store, queue, quarantine, metrics, log, hubspot, intervalMs: config.journalPollMs, now: options.now, onQueued: options.onJournalQueued,
    accounts: config.accessToken ? async () => [await privatePortalId()] : () => installedAccounts(store),
  }) : undefined;

  /** OAuth mode: the account's journal subscriptions go, HubSpot removes the install, then the app forgets the account's tokens and journal. */
  const uninstall = async (portalId: number) => {
    if (!vault) throw new PermanentError('uninstalling is for OAuth installs; a private app is removed in HubSpot (Settings → Integrations → Private apps)');
    // No journal read runs meanwhile, and none afterwards makes the subscriptions again.
    await stopJournal(store, portalId, async () => { await journalClient?.unsubscribe(portalId); });
    await hubspot.request(portalId, 'appinstalls.uninstall', { method: 'DELETE', path: '/appinstalls/v3/external-install' });
    await vault.remove(portalId);
    log.info({ portalId }, 'app uninstalled');
  };

  // The worker's reads by id, list additions and timeline copies wait a batch window for others to share one call.
  const batchWindow = { windowMs: options.batchWindowMs ?? config.batchWindowMs, maxBatch: 100 };
  const batches: WorkerBatches = { records: new RecordReader(hubspot, batchWindow), listAdds: new ListAdds(hubspot, batchWindow), timelineCopies: new TimelineCopyBatch(hubspot, batchWindow) };
  const buildContext = async (portalId: number): Promise<AccountContext> => ({
    portalId, hubspot, store, settings: (await settings.read(portalId)).settings, log: log.child({ portalId }), batches,
  });

  const ready = async () => { await store.ping(); await queue.ping(); };

  /** Connections fail fast on purpose (a 503 lets HubSpot retry), so start waits until Redis answers. */
  const waitUntilReady = async (timeoutMs = config.redisWaitMs) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      try { return await ready(); } catch (err) {
        if (Date.now() > until) throw new StartupError(`Redis at REDIS_URL (${redactUrl(config.redisUrl ?? '')}) did not answer within ${timeoutMs / 1000} s: ${(err as Error).message}. Start Redis, or fix REDIS_URL (unset it for embedded mode).`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };

  const app = createHttpApp({
    log, metrics,
    webhook: webhookEdge({ clientSecret: config.clientSecret, publicBaseUrl: config.publicBaseUrl, store, queue, quarantine, metrics, log, knownTypes: subscribedTypes, allowLegacySignatures: config.allowLegacySignatures, waitReplicas: config.redisWaitReplicas, now: options.now }),
    extensionsAuth: verifyExtensionRequest({ clientSecret: config.clientSecret, publicBaseUrl: config.publicBaseUrl, appId: config.appId, isInstalled, log, now: options.now }),
    extensions: extensionsApi({ settings, store, queue, deadLetters, hubspot, isInstalled, uninstall, index: domainIndex, email, rules, portal, operatorAdmins: config.adminUserIds, journalOn: Boolean(journal) }),
    portal: { routes: portal.routes, oidc: portal.oidc },
    workflowActions: workflowActions({ clientSecret: config.clientSecret, publicBaseUrl: config.publicBaseUrl, store, settings, hubspot, queue, access: portal.access, index: domainIndex, isInstalled, log, now: options.now, answerWithinMs: options.workflowAnswerWithinMs }),
    oauth: oauth && vault ? oauthRoutes({
      clientId: config.clientId!, redirectUri, scopes: config.scopes, authorizeUrl: options.authorizeUrl ?? 'https://app.hubspot.com/oauth/authorize',
      oauth, vault, store, log, onInstalled: async (portalId) => {
        await rememberInstall(store, portalId);
        if (journalClient) await subscribeAtInstall(journalClient, store, portalId, log);
        await provisionAccount(portalId, hubspot, store, accountSetupTasks(settings, store));
      },
      stateKey: Buffer.from(hkdfSync('sha256', config.clientSecret, 'portal-autopilot', 'oauth-state', 32)), secure: config.publicBaseUrl.startsWith('https:'), redis, now: options.now,
    }) : undefined,
    ready, trustProxy: config.trustProxy,
  });

  /** A TOKEN_ENCRYPTION_KEY that opens nothing stored is an operator's fix: one line, exit 78 (main.ts). */
  const checkStoredSecrets = async () => {
    try {
      if ((await signingKeysState(store, portalCipher)) === 'older') log.warn('stored secrets are encrypted with an older key of TOKEN_ENCRYPTION_KEY: run npm run reencrypt');
    } catch (err) {
      if (err instanceof SecretKeyError) throw new StartupError(err.message, 78);
      throw err;
    }
  };

  let server: Server | undefined;
  const runsWeb = config.role !== 'worker';
  const runsWorker = config.role !== 'web';

  return {
    config, log, metrics, store, queue, deadLetters, quarantine, hubspot, settings, vault, app, waitUntilReady, email, rules, portal, journal,
    get url() {
      const address = server?.address();
      return address && typeof address === 'object' ? `http://127.0.0.1:${address.port}` : undefined;
    },
    async start(port = config.port): Promise<void> {
      await waitUntilReady();
      if (redis) await migrateKeyFormat(redis, baseStore, log);
      await checkStoredSecrets();
      if (runsWeb) await portal.start();
      if (redis) await warnWithoutPersistence(redis, log);
      if (runsWorker) queue.startWorker(routeEvent(options.handlers ?? createEventHandlers({ store, hubspot, queue, metrics, index: domainIndex, email, rules, portal, deadLetters, batchWindowMs: options.batchWindowMs ?? config.batchWindowMs }), buildContext, metrics,
        (type) => (type === BACKFILL ? 15 : 1) * config.workerJobTimeoutMs));
      if (runsWorker && journal) journal.start();
      if (runsWeb) {
        await new Promise<void>((resolve) => { server = app.listen(port, config.host, () => resolve()); });
        // HubSpot waits 5 s for an answer; keep-alive connections outlive a load balancer's.
        server!.keepAliveTimeout = 65_000;
      }
      if (runsWeb && !config.appId) log.warn('HUBSPOT_APP_ID is not set: card requests are not checked for this app\'s appId');
      if (runsWeb && config.allowLegacySignatures) log.warn('WEBHOOK_ALLOW_LEGACY_SIGNATURES is on: webhooks signed v1/v2 (no timestamp, replayable) are accepted');
      // The one URL signatures are checked against: when it is not the address HubSpot calls, every webhook fails.
      if (runsWeb) log.info({ webhookUrl: `${config.publicBaseUrl}/webhooks/hubspot`, cardApi: `${config.publicBaseUrl}/api/extensions`, issuer: portal.issuer }, 'HubSpot signatures are checked against these URLs');
      log.info({ role: config.role, mode: config.redisUrl ? 'production' : 'embedded', redis: config.redisUrl ? (config.redisCluster ? 'cluster' : 'server') : undefined, auth: config.authMode, url: this.url }, 'portal autopilot started');
    },
    /** Graceful: stop taking requests, let in-flight ones and running jobs finish, then close. */
    async stop(): Promise<void> {
      if (server) {
        await new Promise<void>((resolve) => { server!.close(() => resolve()); server!.closeIdleConnections(); });
      }
      await journal?.stop();
      await queue.close();
      await store.close();
    },
  };
}

export type Runtime = ReturnType<typeof createRuntime>;

/** A start-up problem an operator fixes (Redis away, a wrong setting): said in one line, without a stack trace. */
export class StartupError extends Error {
  /** 69 (EX_UNAVAILABLE): a service is away; 78 (EX_CONFIG): a setting is wrong. */
  constructor(message: string, readonly exitCode: 69 | 78 = 69) { super(message); this.name = 'StartupError'; }
}

/** A URL without its password, for messages. */
export function redactUrl(url: string): string {
  try { const u = new URL(url); if (u.password) u.password = '***'; return u.toString(); } catch { return '(not a URL)'; }
}

/**
 * Without an append-only file, a Redis restart loses queued events, dead letters, once-marks and
 * portal accounts. Managed Redis often refuses CONFIG: then nothing is said.
 */
async function warnWithoutPersistence(redis: RedisClient, log: Logger): Promise<void> {
  try {
    const [, appendonly] = (await redis.config('GET', 'appendonly')) as string[];
    if (appendonly === 'no') log.warn('Redis keeps no append-only file (appendonly no): a Redis restart loses queued events and what the app has recorded. Run it with appendonly yes and appendfsync everysec.');
  } catch { /* CONFIG is not allowed here */ }
}
