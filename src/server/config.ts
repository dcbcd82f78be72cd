import { z } from 'zod';
import { defaultInstallScopes, requiredScopes } from '../auth/app-scopes.js';
import { parseTrustProxy, type TrustProxy } from './trust-proxy.js';

const optional = z.string().trim().min(1).optional().or(z.literal('').transform(() => undefined));

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_BASE_URL: z.url({ error: 'PUBLIC_BASE_URL must be the https URL HubSpot calls, e.g. https://autopilot.example.com' }).optional(),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'REDIS_URL must look like redis://127.0.0.1:6379 (or rediss:// for TLS)' }).optional().or(z.literal('').transform(() => undefined)),
  REDIS_CLUSTER: z.enum(['true', 'false'], { error: 'REDIS_CLUSTER must be true (REDIS_URL is a node of a Redis Cluster) or false' }).default('false').transform((v) => v === 'true'),
  REDIS_WAIT_REPLICAS: z.coerce.number({ error: 'REDIS_WAIT_REPLICAS must be a number of replicas from 0 to 5' }).int().min(0).max(5, 'REDIS_WAIT_REPLICAS must be a number of replicas from 0 to 5').default(0),
  WEBHOOK_ALLOW_LEGACY_SIGNATURES: z.enum(['true', 'false'], { error: 'WEBHOOK_ALLOW_LEGACY_SIGNATURES must be true or false' }).default('false').transform((v) => v === 'true'),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  REDIS_WAIT_MS: z.coerce.number().int().min(0).default(15_000),
  SMTP_ALLOWED_HOSTS: z.string().default(''),
  REDIS_KEY_PREFIX: z.string().max(64).regex(/^[\w.:-]*$/, 'REDIS_KEY_PREFIX may hold letters, digits, _ . : - only').default(''),
  HUBSPOT_ADMIN_USER_IDS: z.string().regex(/^[\d\s,]*$/, 'HUBSPOT_ADMIN_USER_IDS must be HubSpot user ids separated by commas').default(''),
  HUBSPOT_API_BASE_URL: z.url().default('https://api.hubapi.com'),
  HUBSPOT_APP_ID: z.string().trim().regex(/^[1-9]\d{0,15}$/, 'HUBSPOT_APP_ID must be the app\'s numeric id (app settings in HubSpot)').optional().or(z.literal('').transform(() => undefined)),
  HUBSPOT_PORTAL_ID: z.string().trim().regex(/^[1-9]\d{0,15}$/, 'HUBSPOT_PORTAL_ID must be the HubSpot account id (a positive number)').optional().or(z.literal('').transform(() => undefined)),
  HUBSPOT_CLIENT_ID: optional,
  HUBSPOT_CLIENT_SECRET: z.string({ error: 'HUBSPOT_CLIENT_SECRET is required: copy it from the app\'s Auth tab in HubSpot (it verifies every request HubSpot sends)' }).min(8, 'HUBSPOT_CLIENT_SECRET looks truncated (under 8 characters)'),
  HUBSPOT_ACCESS_TOKEN: optional,
  HUBSPOT_SCOPES: z.string().default(defaultInstallScopes),
  TOKEN_ENCRYPTION_KEY: optional,
  APP_ROLE: z.enum(['web', 'worker', 'all'], { error: 'APP_ROLE must be web, worker or all' }).default('all'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HUBSPOT_RATE_LIMIT_PER_10S: z.coerce.number().int().positive().optional(),
  HUBSPOT_SEARCH_RATE_PER_S: z.coerce.number().int().positive().default(5),
  HUBSPOT_CALL_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  WORKER_CONCURRENCY: z.coerce.number().int().positive().default(64),
  /** How long a job stays claimed by a worker that stopped answering (killed) before another takes it. */
  WORKER_LOCK_MS: z.coerce.number().int().min(1000, 'WORKER_LOCK_MS must be at least 1000').max(600_000, 'WORKER_LOCK_MS must be at most 600000').default(30_000),
  // 500 ms: in bench:inbound's burst it costs 8 % more calls than 3 s and drains in half the time (bench/README.md).
  HUBSPOT_BATCH_WINDOW_MS: z.coerce.number().int().min(0).default(500),
  WEBHOOKS_JOURNAL: z.enum(['auto', 'on', 'off'], { error: 'WEBHOOKS_JOURNAL must be auto (read the journal for OAuth installs), on (also for a private app, to recover events HubSpot stopped retrying) or off' }).default('auto'),
  WEBHOOKS_JOURNAL_POLL_MS: z.coerce.number({ error: 'WEBHOOKS_JOURNAL_POLL_MS must be a number of milliseconds' }).int().min(200, 'WEBHOOKS_JOURNAL_POLL_MS must be at least 200').max(300_000, 'WEBHOOKS_JOURNAL_POLL_MS must be at most 300000').default(2000),
  WORKER_JOB_TIMEOUT_MS: z.coerce.number({ error: 'WORKER_JOB_TIMEOUT_MS must be a number of milliseconds' }).int().min(10_000, 'WORKER_JOB_TIMEOUT_MS must be at least 10000').max(3_600_000, 'WORKER_JOB_TIMEOUT_MS must be at most 3600000').default(120_000),
});

export type AuthMode = 'private' | 'oauth';

export interface Config {
  port: number;
  publicBaseUrl: string;
  redisUrl?: string;
  /** REDIS_URL names one node of a Redis Cluster (ioredis finds the others). */
  redisCluster: boolean;
  /** How many replicas must hold queued events before the edge answers HubSpot 200. */
  redisWaitReplicas: number;
  hubspotApiBaseUrl: string;
  appId?: string;
  /** Private-app mode: the one account the token belongs to (looked up with account-info when unset). */
  portalId?: number;
  clientId?: string;
  clientSecret: string;
  accessToken?: string;
  scopes: string[];
  /** TOKEN_ENCRYPTION_KEY: newest first; the first encrypts, any decrypts (rotation). Empty when unset. */
  tokenEncryptionKeys: Buffer[];
  authMode: AuthMode;
  role: 'web' | 'worker' | 'all';
  logLevel: string;
  /** HubSpot's 10-second budget: 190 for private apps (Pro/Enterprise), 110 for OAuth installs. */
  rateLimitPer10s: number;
  searchRatePerSecond: number;
  callTimeoutMs: number;
  workerConcurrency: number;
  workerLockMs: number;
  /** How long senders are gathered into one HubSpot batch call (upsert, names, associations). */
  batchWindowMs: number;
  /** How long a job may run before it fails and is retried (a backfill: 15 times this). */
  workerJobTimeoutMs: number;
  /** Webhook signatures v1/v2 (no timestamp, replayable): off unless an operator turns them on. */
  allowLegacySignatures: boolean;
  /** The address the HTTP server listens on. */
  host: string;
  /** How long start waits for Redis to answer. */
  redisWaitMs: number;
  /** SMTP hosts or addresses inside the server's network that admins may use anyway (the sandbox, tests). */
  smtpAllowedHosts: string[];
  /** Put before every key the app writes (a Redis shared with other apps, tests). */
  redisKeyPrefix: string;
  /** HubSpot users who are admins of the app in every account (a private app has no installer to start from). */
  adminUserIds: number[];
  /** Which proxies may say the client's address (X-Forwarded-For): none unless an operator says so. */
  trustProxy: TrustProxy;
  /** Events from HubSpot's Webhooks Journal: OAuth installs get no webhooks on HubSpot's 2025.2 platform; a private app may read it too, to recover. */
  journal: boolean;
  /** How often each install's journal is read when it is caught up. */
  journalPollMs: number;
}

export class ConfigError extends Error {
  constructor(problems: string[]) {
    super(`Portal Autopilot cannot start; fix these settings (see the README's configuration table):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function parseKey(raw: string): Buffer | undefined {
  const key = /^[0-9a-f]{64}$/i.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  return key.length === 32 ? key : undefined;
}

/** Parsed once at start-up; nothing else reads process.env (DESIGN habit 3). */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const result = schema.safeParse(env);
  const problems: string[] = result.success ? [] : result.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`);
  // Every problem at once, the schema's and these, so one start names all that needs fixing.
  const str = (name: string) => (env[name] ?? '').trim() || undefined;
  if (!str('HUBSPOT_ACCESS_TOKEN') && !str('HUBSPOT_CLIENT_ID')) {
    problems.push('set HUBSPOT_ACCESS_TOKEN (private app, one account) or HUBSPOT_CLIENT_ID with TOKEN_ENCRYPTION_KEY (OAuth, many accounts)');
  }
  const tokenEncryptionKeys: Buffer[] = [];
  if (str('TOKEN_ENCRYPTION_KEY')) {
    const listed = str('TOKEN_ENCRYPTION_KEY')!.split(',').map((k) => k.trim());
    listed.forEach((raw, i) => {
      const key = parseKey(raw);
      if (key) tokenEncryptionKeys.push(key);
      else problems.push(`TOKEN_ENCRYPTION_KEY${listed.length > 1 ? ` (key ${i + 1} of ${listed.length})` : ''} must be 32 bytes, as 64 hex characters or base64 (make one with: openssl rand -hex 32); several keys are separated by commas, newest first`);
    });
    if (listed.length > 10) problems.push('TOKEN_ENCRYPTION_KEY holds more than 10 keys: run npm run reencrypt, then drop the old ones');
  } else if (str('HUBSPOT_CLIENT_ID') && !str('HUBSPOT_ACCESS_TOKEN')) {
    problems.push('TOKEN_ENCRYPTION_KEY is required in OAuth mode: tokens are encrypted at rest (make one with: openssl rand -hex 32)');
  }
  const missingScopes = requiredScopes.filter((scope) => !(str('HUBSPOT_SCOPES') ?? defaultInstallScopes).split(/\s+/).includes(scope));
  if (str('HUBSPOT_SCOPES') && missingScopes.length) problems.push(`HUBSPOT_SCOPES leaves out scopes src/app/app-hsmeta.json requires: ${missingScopes.join(' ')} (unset it to ask for exactly those)`);
  if (str('REDIS_CLUSTER') === 'true' && !str('REDIS_URL')) problems.push('REDIS_CLUSTER=true needs REDIS_URL: the address of one node of the cluster, e.g. redis://redis-node-1.internal:7000');
  if (Number(str('REDIS_WAIT_REPLICAS') ?? 0) > 0 && !str('REDIS_URL')) problems.push('REDIS_WAIT_REPLICAS needs REDIS_URL: embedded mode has no replicas');
  if (str('WEBHOOKS_JOURNAL') === 'on' && !str('HUBSPOT_CLIENT_ID')) problems.push('WEBHOOKS_JOURNAL=on needs HUBSPOT_CLIENT_ID: the journal is read with the app\'s client-credentials token (client id and secret from the app\'s Auth tab)');
  const trustProxy = parseTrustProxy(env.TRUST_PROXY);
  if ('problem' in trustProxy) problems.push(trustProxy.problem);
  if (problems.length || !result.success || 'problem' in trustProxy) throw new ConfigError(problems);
  const e = result.data;
  const authMode: AuthMode = e.HUBSPOT_ACCESS_TOKEN ? 'private' : 'oauth';
  return {
    port: e.PORT,
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    redisUrl: e.REDIS_URL,
    redisCluster: e.REDIS_CLUSTER,
    redisWaitReplicas: e.REDIS_WAIT_REPLICAS,
    hubspotApiBaseUrl: e.HUBSPOT_API_BASE_URL.replace(/\/$/, ''),
    appId: e.HUBSPOT_APP_ID,
    portalId: e.HUBSPOT_PORTAL_ID ? Number(e.HUBSPOT_PORTAL_ID) : undefined,
    clientId: e.HUBSPOT_CLIENT_ID,
    clientSecret: e.HUBSPOT_CLIENT_SECRET,
    accessToken: e.HUBSPOT_ACCESS_TOKEN,
    scopes: e.HUBSPOT_SCOPES.split(/\s+/).filter(Boolean),
    tokenEncryptionKeys,
    authMode,
    role: e.APP_ROLE,
    logLevel: e.LOG_LEVEL,
    rateLimitPer10s: e.HUBSPOT_RATE_LIMIT_PER_10S ?? (authMode === 'private' ? 190 : 110),
    searchRatePerSecond: e.HUBSPOT_SEARCH_RATE_PER_S,
    callTimeoutMs: e.HUBSPOT_CALL_TIMEOUT_MS,
    workerConcurrency: e.WORKER_CONCURRENCY,
    workerLockMs: e.WORKER_LOCK_MS,
    batchWindowMs: e.HUBSPOT_BATCH_WINDOW_MS,
    workerJobTimeoutMs: e.WORKER_JOB_TIMEOUT_MS,
    allowLegacySignatures: e.WEBHOOK_ALLOW_LEGACY_SIGNATURES,
    host: e.HOST,
    redisWaitMs: e.REDIS_WAIT_MS,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    trustProxy: trustProxy.value,
    journal: e.WEBHOOKS_JOURNAL === 'on' || (e.WEBHOOKS_JOURNAL === 'auto' && authMode === 'oauth'),
    journalPollMs: e.WEBHOOKS_JOURNAL_POLL_MS,
    adminUserIds: e.HUBSPOT_ADMIN_USER_IDS.split(/[\s,]+/).filter(Boolean).map(Number),
    smtpAllowedHosts: e.SMTP_ALLOWED_HOSTS.split(/[\s,]+/).map((h) => h.trim().toLowerCase()).filter(Boolean),
  };
}
