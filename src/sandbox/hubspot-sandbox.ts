import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response } from 'express';
import { associationRoutes } from './association-routes.js';
import { ContractValidator } from './contract-validator.js';
import { controlRoutes } from './control-routes.js';
import { CustomerPortal } from './customer-portal.js';
import { consoleRoutes, type AppView } from './console-page.js';
import { crmRoutes } from './crm-routes.js';
import { FaultInjector, type FaultConfig, type FaultRule } from './faults.js';
import { hsError } from './hubspot-errors.js';
import { otherRoutes } from './other-routes.js';
import { RollingWindow } from './rolling-window.js';
import { SandboxAccount } from './sandbox-account.js';
import { EventFactory, readSubscriptions, type EmitChange } from './sandbox-events.js';
import { WebhookSender, type WebhookSenderOptions } from './webhook-sender.js';
import { SandboxJournal } from './journal-routes.js';
import { SandboxWorkflows, type CallbackCompletion } from './workflow-runner.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface SandboxOptions {
  rateLimitPer10s?: number;
  /**
   * "Another integration" installed on the same account: this many of the window's calls are its
   * own, so the app meets a spent window (429 with Remaining 0) before its own count reaches the limit.
   */
  otherIntegrationPer10s?: number;
  searchPerSecond?: number;
  /** How long a new or changed record stays invisible to search (HubSpot's index lag). */
  searchDelayMs?: number;
  faults?: FaultConfig;
  webhook?: Partial<WebhookSenderOptions> & { targetUrl: string; clientSecret: string; appId?: number };
  oauth?: { clientId: string; clientSecret: string };
  /** HubSpot's official specs; every exchange is checked against them when the folder exists. */
  specDir?: string;
}

export interface RecordedCall { at: number; method: string; path: string; route: string; portalId?: number; status: number }

/**
 * A local, stateful HubSpot: the endpoints Portal Autopilot calls, HubSpot's limits and error
 * shapes, fault injection, and HubSpot's side of the conversation (signed webhook deliveries).
 */
export class HubSpotSandbox {
  readonly accounts = new Map<number, SandboxAccount>();
  private readonly byToken = new Map<string, SandboxAccount>();
  readonly calls: RecordedCall[] = [];
  readonly violations: string[] = [];
  private readonly limiter = new RollingWindow();
  private readonly faults: FaultInjector;
  private readonly events: EventFactory;
  webhooks?: WebhookSender;
  workflows?: SandboxWorkflows;
  private readonly authCodes = new Map<string, number>();
  private readonly refreshTokens = new Map<string, number>();
  private validator?: ContractValidator;
  private server?: Server;
  private searchDelayMs: number;
  /** HubSpot's customer portal, signing customers in through the app's OpenID Connect provider. */
  readonly portal = new CustomerPortal(() => this.url, (portalId) => this.account(portalId));
  /** HubSpot's Webhooks Journal, fed by the same changes as the webhook sender. */
  readonly journal: SandboxJournal;
  /** Client-credentials tokens: the app's, for no account (the journal's), with the scopes asked for. */
  private readonly appTokens = new Map<string, Set<string>>();

  constructor(private readonly o: SandboxOptions = {}) {
    this.faults = new FaultInjector(o.faults);
    this.searchDelayMs = o.searchDelayMs ?? 1500;
    this.events = new EventFactory(readSubscriptions(resolve(repoRoot, 'src/app/webhooks/webhooks-hsmeta.json')), o.webhook?.appId ?? 77);
    this.journal = new SandboxJournal(() => this.url, o.webhook?.appId ?? 77);
    if (o.webhook) this.connectWebhooks(o.webhook);
  }

  get url(): string {
    const address = this.server?.address();
    if (!address || typeof address !== 'object') throw new Error('sandbox is not started');
    return `http://127.0.0.1:${address.port}`;
  }

  setSearchDelay(ms: number): void { this.searchDelayMs = ms; }

  /** A fault from now on (e.g. the next create's answer lost), beside those the sandbox started with. */
  injectFault(rule: FaultRule): void { this.faults.add(rule); }

  /** HubSpot's workflow engine calling the app's custom workflow actions (see workflow-runner.ts). */
  connectWorkflows(o: { appBaseUrl: string; clientSecret: string; blockWaitMs?: number }): SandboxWorkflows {
    this.workflows = new SandboxWorkflows(o);
    return this.workflows;
  }

  /** Points HubSpot's webhook deliveries at an app (when the app starts after the sandbox). */
  connectWebhooks(o: Partial<WebhookSenderOptions> & { targetUrl: string; clientSecret: string }): void {
    this.webhooks = new WebhookSender({ batchWindowMs: 20, maxAttempts: 10, retryBaseMs: 100, maxConcurrentRequests: 10, ...o });
  }

  addAccount(portalId: number, token = `sandbox-${randomBytes(12).toString('hex')}`): SandboxAccount {
    const account = new SandboxAccount(portalId, token, Date.now, () => this.searchDelayMs);
    this.accounts.set(portalId, account);
    this.byToken.set(token, account);
    return account;
  }

  account(portalId: number): SandboxAccount {
    const a = this.accounts.get(portalId);
    if (!a) throw new Error(`sandbox has no account ${portalId}`);
    return a;
  }

  /** For the OAuth flow: the code HubSpot would put on the redirect after an admin consents. */
  issueAuthCode(portalId: number): string {
    const code = randomBytes(12).toString('hex');
    this.authCodes.set(code, portalId);
    return code;
  }

  readonly emit: EmitChange = (account, objectType, kind, record, changed, source) => {
    for (const e of this.events.forCrmChange(account, objectType, kind, record, changed, source)) { this.webhooks?.push(e); this.journal.record(e); }
  };

  // ---- HubSpot's side of the story -------------------------------------------------------

  /** "An email arrives from x@y in inbox Z": a new thread (or a reply on one), with its webhooks. */
  inboundEmail(portalId: number, m: { from: string; name?: string; subject: string; text: string; threadId?: string; spam?: boolean; to?: string }) {
    const a = this.account(portalId);
    let thread = m.threadId ? a.threads.get(m.threadId) : undefined;
    const isNew = !thread;
    if (!thread) {
      thread = { id: a.newId(), inboxId: a.inboxes[0]!.id, status: 'OPEN', spam: m.spam ?? false, createdAt: new Date().toISOString(), channelId: '1002', channelAccountId: '5001' };
      a.threads.set(thread.id, thread);
    }
    const message = {
      id: randomBytes(8).toString('hex'), threadId: thread.id, direction: 'INCOMING' as const, createdAt: new Date().toISOString(),
      // Email senders are visitor actors; HubSpot no longer gives them "E-<address>" ids.
      subject: m.subject, text: m.text, sender: { name: m.name, email: m.from, actorId: `V-${randomBytes(6).toString('hex')}` }, recipients: [m.to ?? 'support@sandbox.example'],
    };
    a.messages.set(thread.id, [...(a.messages.get(thread.id) ?? []), message]);
    if (isNew) for (const e of this.events.forConversation(portalId, 'conversation.creation', thread.id)) this.webhooks?.push(e);
    for (const e of this.events.forConversation(portalId, 'conversation.newMessage', thread.id, message)) this.webhooks?.push(e);
    return { threadId: thread.id, messageId: message.id };
  }

  /** An agent writes to a customer first: a new thread whose first message is outgoing. */
  agentStartsThread(portalId: number, m: { to: string; subject: string; text: string }) {
    const a = this.account(portalId);
    const thread = { id: a.newId(), inboxId: a.inboxes[0]!.id, status: 'OPEN' as const, spam: false, createdAt: new Date().toISOString(), channelId: '1002', channelAccountId: '5001' };
    a.threads.set(thread.id, thread);
    const message = {
      id: randomBytes(8).toString('hex'), threadId: thread.id, direction: 'OUTGOING' as const, createdAt: new Date().toISOString(),
      subject: m.subject, text: m.text, sender: { name: 'Support Agent', email: 'agent@sandbox.example', actorId: 'A-101' }, recipients: [m.to],
    };
    a.messages.set(thread.id, [message]);
    for (const e of this.events.forConversation(portalId, 'conversation.creation', thread.id)) this.webhooks?.push(e);
    return { threadId: thread.id };
  }

  /** An agent answers in the inbox: an outgoing message on the thread. */
  agentReply(portalId: number, threadId: string, text: string, agent = { email: 'agent@sandbox.example', name: 'Support Agent', actorId: 'A-101' }) {
    const a = this.account(portalId);
    const thread = a.threads.get(threadId);
    if (!thread) throw new Error(`no thread ${threadId}`);
    const first = a.messages.get(threadId)?.[0];
    const message = {
      id: randomBytes(8).toString('hex'), threadId, direction: 'OUTGOING' as const, createdAt: new Date().toISOString(),
      subject: `Re: ${first?.subject ?? ''}`, text, sender: { name: agent.name, email: agent.email, actorId: agent.actorId }, recipients: first ? [first.sender.email] : [],
    };
    a.messages.set(threadId, [...(a.messages.get(threadId) ?? []), message]);
    for (const e of this.events.forConversation(portalId, 'conversation.newMessage', threadId, message)) this.webhooks?.push(e);
    return { messageId: message.id };
  }

  /** HubSpot's help desk makes a ticket of a conversation: associated with its contact and its thread. */
  ticketFromThread(portalId: number, threadId: string, properties: Record<string, string>) {
    const a = this.account(portalId);
    const thread = a.threads.get(threadId);
    if (!thread) throw new Error(`no thread ${threadId}`);
    const sender = a.messages.get(threadId)?.[0]?.sender.email;
    const contact = sender ? a.objects.contacts!.all().find((c) => c.properties.email === sender) : undefined;
    const ticket = this.createTicket(portalId, { subject: a.messages.get(threadId)?.[0]?.subject ?? '', ...properties }, contact?.id);
    thread.ticketId = ticket.id;
    return ticket;
  }

  /** "An agent creates a ticket titled T" in HubSpot's UI. */
  createTicket(portalId: number, properties: Record<string, string>, contactId?: string) {
    const a = this.account(portalId);
    const ticket = a.objects.tickets!.create({ hs_pipeline: '0', hs_pipeline_stage: '1', ...properties });
    if (contactId) a.associate('tickets', ticket.id, 'contacts', contactId, [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 16 }]);
    this.emit(a, 'tickets', 'creation', ticket, [], 'CRM_UI');
    return ticket;
  }

  /**
   * A contact made in HubSpot, by a person in its UI (CRM_UI), its mobile app, an import or another
   * integration: contact.creation reaches the app with that changeSource, as HubSpot sends it.
   */
  createContact(portalId: number, properties: Record<string, string>, source: 'CRM_UI' | 'MOBILE_IOS' | 'IMPORT' | 'INTEGRATION' = 'CRM_UI') {
    const a = this.account(portalId);
    const created = a.objects.contacts!.create(properties);
    this.emit(a, 'contacts', 'creation', created, [], source);
    return created;
  }

  /** Someone creates a company in HubSpot's UI (company.creation reaches the app). */
  createCompany(portalId: number, properties: Record<string, string>) {
    const a = this.account(portalId);
    const created = a.objects.companies!.create(properties);
    this.emit(a, 'companies', 'creation', created, [], 'CRM_UI');
    return created;
  }

  /** Someone edits a company in HubSpot's UI (property changes reach the app as webhooks). */
  changeCompany(portalId: number, companyId: string, properties: Record<string, string>) {
    const a = this.account(portalId);
    const updated = a.objects.companies!.update(companyId, properties);
    if (!updated) throw new Error(`no company ${companyId}`);
    this.emit(a, 'companies', 'propertyChange', updated.record, updated.changed, 'CRM_UI');
    return updated.record;
  }

  /** What the app knows, shown on the console (the demo connects it). */
  private appView?: AppView;
  showAppOnConsole(view: AppView): void { this.appView = view; }

  /** An agent edits a ticket in HubSpot's UI (title changes reach the app as propertyChange webhooks). */
  changeTicket(portalId: number, ticketId: string, properties: Record<string, string>) {
    const a = this.account(portalId);
    const updated = a.objects.tickets!.update(ticketId, properties);
    if (!updated) throw new Error(`no ticket ${ticketId}`);
    this.emit(a, 'tickets', 'propertyChange', updated.record, updated.changed, 'CRM_UI');
    return updated.record;
  }

  /** State that existed before the story starts: no webhooks. */
  seed(portalId: number, objectType: 'contacts' | 'companies' | 'tickets' | 'users', properties: Record<string, string>) {
    return this.account(portalId).objects[objectType]!.create(properties);
  }

  // ---- HTTP ----------------------------------------------------------------------------

  private app(): express.Express {
    const app = express();
    app.disable('x-powered-by');
    app.use(express.json({ limit: '5mb' }), express.urlencoded({ extended: false }));
    app.use((req, res, next) => this.record(req, res, next));
    app.use(controlRoutes(this));
    app.use(this.portal.routes());
    app.use(consoleRoutes({ account: () => [...this.accounts.values()][0]!, portalUrl: () => this.portal.portalUrl([...this.accounts.values()][0]!.portalId), app: () => this.appView }));
    app.get('/', (_req, res) => { res.type('html').send('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>HubSpot sandbox</title></head><body><h1>HubSpot sandbox</h1><p id="signed-out">You are signed out of the customer portal.</p></body></html>'); });
    app.post('/oauth/v3/token', (req, res) => this.token(req, res));
    app.use(this.journal.fileRoutes());
    app.use((req, res, next) => this.authenticate(req, res, next));
    app.use((req, res, next) => this.checkScopes(req, res, next));
    app.use((req, res, next) => void this.limitAndFault(req, res, next));
    app.use(this.journal.routes((res) => res.locals.appScopes as Set<string> | undefined));
    app.use((req, res, next) => (res.locals.account ? next() : hsError(res, 401, 'INVALID_AUTHENTICATION', 'This API needs an account\'s access token, not the app\'s client credentials token.')));
    app.use(crmRoutes(this.emit), associationRoutes(), otherRoutes());
    app.post('/automation/v4/actions/callbacks/:callbackId/complete', (req, res) => {
      const body = req.body as CallbackCompletion | undefined;
      if (!body || typeof body.outputFields !== 'object' || typeof body.typedOutputs !== 'object') return void hsError(res, 400, 'VALIDATION_ERROR', 'outputFields and typedOutputs are required');
      if (!this.workflows?.complete((res.locals.account as SandboxAccount).portalId, req.params.callbackId, body)) return void hsError(res, 404, 'OBJECT_NOT_FOUND', `No blocked action execution ${req.params.callbackId}`);
      res.status(204).end();
    });
    app.use((req, res) => hsError(res, 404, 'OBJECT_NOT_FOUND', `No route for ${req.method} ${req.path}`));
    return app;
  }

  private record(req: Request, res: Response, next: NextFunction) {
    const at = Date.now();
    let responseBody: unknown;
    const json = res.json.bind(res);
    res.json = (body: unknown) => { responseBody = body; return json(body); };
    res.on('finish', () => {
      const portalId = (res.locals.account as SandboxAccount | undefined)?.portalId;
      // Our control routes and the customer portal's pages are not HubSpot's API.
      if (req.path.startsWith('/_sandbox') || req.path.startsWith('/_portal') || req.path.startsWith('/_console') || req.path === '/' || req.path === '/favicon.ico') return;
      this.calls.push({ at, method: req.method, path: req.path, route: `${req.method} ${routeOf(req)}`, portalId, status: res.statusCode });
      if (this.validator) {
        const isForm = req.is('application/x-www-form-urlencoded');
        const problems = this.validator.check({
          method: req.method.toLowerCase(), path: req.path, query: req.query as Record<string, string>,
          headers: { 'content-type': isForm ? 'application/x-www-form-urlencoded' : 'application/json' },
          body: req.body && Object.keys(req.body).length ? req.body : undefined, status: res.statusCode, responseBody,
        });
        this.violations.push(...problems);
      }
    });
    next();
  }

  private authenticate(req: Request, res: Response, next: NextFunction) {
    const token = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    const account = token ? this.byToken.get(token) : undefined;
    const appScopes = token ? this.appTokens.get(token) : undefined;
    if (appScopes) { res.locals.appScopes = appScopes; return next(); }
    if (!account) return hsError(res, 401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview');
    res.locals.account = account;
    next();
  }

  /** HubSpot's answer to a call whose scopes the token lacks (its documented MISSING_SCOPES body). */
  private checkScopes(req: Request, res: Response, next: NextFunction) {
    // The app's own token: the journal routes check the scopes its guide names.
    if (!res.locals.account) return next();
    const granted = (res.locals.account as SandboxAccount).scopes;
    const needed = this.validator ? scopesForObjectType(this.validator.scopesFor(req.method.toLowerCase(), req.path), req.path) : undefined;
    if (!needed || needed.some((alternative) => alternative.every((s) => granted.has(s)))) return next();
    hsError(res, 403, 'MISSING_SCOPES', 'This app hasn\'t been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.', {
      errors: [{ message: 'One or more of the following scopes are required.', context: { requiredGranularScopes: needed.flat() } }],
      links: { scopes: 'https://developers.hubspot.com/scopes' },
    });
  }

  private async limitAndFault(req: Request, res: Response, next: NextFunction) {
    // The app's client-credentials calls count in a window of their own.
    const account = (res.locals.account as SandboxAccount | undefined) ?? { portalId: 'app' };
    const max = this.o.rateLimitPer10s ?? 110;
    const fault = this.faults.decide(req.path);
    if (fault.latencyMs) await new Promise((r) => setTimeout(r, fault.latencyMs));
    if (fault.hold) await fault.hold;
    if (fault.kind === 'drop') { req.socket.destroy(); return; }
    // Carried out, but the answer never arrives (HubSpot applied it; the connection broke on the way back).
    if (fault.kind === 'lost-answer') res.end = (() => { req.socket.destroy(); return res; }) as typeof res.end;
    if (fault.kind === '5xx') return hsError(res, 502, 'INTERNAL_ERROR', 'Injected fault: bad gateway');
    const other = Math.min(max, this.o.otherIntegrationPer10s ?? 0);
    const wait = !this.limiter.admit(`${account.portalId}`, max - other, 10_000);
    const isSearch = req.path.endsWith('/search');
    const searchWait = isSearch && !wait && !this.limiter.admit(`${account.portalId}:search`, this.o.searchPerSecond ?? 5, 1000);
    const remaining = Math.max(0, max - other - this.limiter.counted(`${account.portalId}`));
    res.setHeader('X-HubSpot-RateLimit-Max', String(max));
    res.setHeader('X-HubSpot-RateLimit-Interval-Milliseconds', '10000');
    if (wait || searchWait || fault.kind === '429') {
      // A spent window says Remaining 0; an injected 429 (HubSpot's own hiccup) leaves the count as it is.
      res.setHeader('X-HubSpot-RateLimit-Remaining', wait || searchWait ? '0' : String(remaining));
      const policyName = searchWait ? 'SECONDLY' : 'TEN_SECONDLY_ROLLING';
      return hsError(res, 429, 'RATE_LIMITS', `You have reached your ${policyName.toLowerCase()} limit.`, { errorType: 'RATE_LIMIT', policyName });
    }
    res.setHeader('X-HubSpot-RateLimit-Remaining', String(remaining));
    next();
  }

  private token(req: Request, res: Response) {
    const b = req.body as Record<string, string>;
    if (!this.o.oauth || b.client_id !== this.o.oauth.clientId || b.client_secret !== this.o.oauth.clientSecret) {
      return hsError(res, 400, 'BAD_CLIENT_ID', 'missing or unknown client_id / client_secret', { status: 'BAD_CLIENT_ID' });
    }
    if (b.grant_type === 'client_credentials') {
      const access = `sandbox-app-${randomBytes(12).toString('hex')}`;
      this.appTokens.set(access, new Set((b.scope ?? '').split(/\s+/).filter(Boolean)));
      return void res.json({ access_token: access, expires_in: 1800, token_type: 'bearer', token_use: 'client_credentials', scopes: [...this.appTokens.get(access)!] });
    }
    const portalId = b.grant_type === 'authorization_code' ? this.authCodes.get(b.code ?? '') : b.grant_type === 'refresh_token' ? this.refreshTokens.get(b.refresh_token ?? '') : undefined;
    if (b.grant_type === 'authorization_code') this.authCodes.delete(b.code ?? '');
    if (portalId === undefined) return hsError(res, 400, 'BAD_AUTH_CODE', `unknown or used ${b.grant_type === 'refresh_token' ? 'refresh token' : 'authorization code'}`);
    const account = this.account(portalId);
    const access = `sandbox-${randomBytes(12).toString('hex')}`;
    const refresh = randomBytes(16).toString('hex');
    this.byToken.set(access, account);
    this.refreshTokens.set(refresh, portalId);
    res.json({ access_token: access, refresh_token: refresh, expires_in: 1800, hub_id: portalId, token_type: 'bearer', token_use: 'access_token', scopes: ['oauth'] });
  }

  async start(port = 0): Promise<void> {
    const specDir = this.o.specDir ?? resolve(repoRoot, 'spec/hubspot-openapi');
    if (existsSync(specDir)) this.validator = await ContractValidator.load(specDir);
    await new Promise<void>((r) => { this.server = this.app().listen(port, '127.0.0.1', () => r()); });
  }

  get validatesContract(): boolean { return Boolean(this.validator); }

  async stop(): Promise<void> {
    this.webhooks?.stop();
    await new Promise<void>((r) => { this.server?.close(() => r()); this.server?.closeAllConnections(); });
  }

  /** Calls per route ("POST /crm/v3/objects/:type/batch/upsert" → n), for tests, benchmarks and the demo. */
  callsByRoute(since = 0): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.calls.filter((x) => x.at >= since)) out[c.route] = (out[c.route] ?? 0) + 1;
    return out;
  }
}

function routeOf(req: Request): string {
  const route = (req as Request & { route?: { path?: string } }).route?.path;
  const type = typeof req.params.type === 'string' ? req.params.type : ':type';
  return route ? String(route).replace(':type', type) : req.path;
}

/**
 * The specs list one operation for every object type (`/crm/v3/properties/{objectType}` names the
 * scopes of all of them); HubSpot asks for the one of the type in the path (companies' properties
 * need crm.schemas.companies.write). Alternatives that name the path's type are kept, if any do.
 */
function scopesForObjectType(alternatives: string[][] | undefined, path: string): string[][] | undefined {
  const type = /^\/crm\/v3\/(?:properties|objects|schemas)\/([a-z_]+)(?:\/|$)/.exec(path)?.[1];
  if (!alternatives || !type) return alternatives;
  const named = alternatives.filter((a) => a.some((s) => s === type || s.split('.').includes(type)));
  return named.length ? named : alternatives;
}
