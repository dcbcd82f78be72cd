/** Every key the app writes, in one place (DESIGN habit 7). Each growing key has a TTL or a cap. */
const p = (portalId: number | string) => `portal:${portalId}`;

export const keys = {
  eventSeen: (portalId: number, dedupeKey: string) => `${p(portalId)}:event:${dedupeKey}`,
  idempotency: (portalId: number, key: string) => `${p(portalId)}:once:${key}`,
  tokens: (portalId: number) => `${p(portalId)}:oauth-tokens`,
  tokenRefreshLock: (portalId: number) => `${p(portalId)}:oauth-refresh-lock`,
  settings: (portalId: number) => `${p(portalId)}:settings`,
  settingsHistory: (portalId: number) => `${p(portalId)}:settings-history`,
  provisioning: (portalId: number) => `${p(portalId)}:provisioning`,
  installedAccounts: () => 'app:installed-accounts',
  oauthState: (state: string) => `app:oauth-state:${state}`,
  deadLetters: () => 'app:dead-letters',
  rateLimit: (portalId: number, bucket: string) => `${p(portalId)}:rate:${bucket}`,
  domainIndex: (portalId: number) => `${p(portalId)}:domain-index`,
  threadClaim: (portalId: number, threadId: string) => `${p(portalId)}:thread-claim:${threadId}`,
  threadResolved: (portalId: number, threadId: string) => `${p(portalId)}:thread-resolved:${threadId}`,
  contactFiling: (portalId: number, contactId: string) => `${p(portalId)}:filing:${contactId}`,
  backfill: (portalId: number) => `${p(portalId)}:backfill`,
  templates: (portalId: number) => `${p(portalId)}:email-templates`,
  emailSend: (portalId: number, key: string) => `${p(portalId)}:email:${key}`,
  emailLog: (portalId: number, contactId: string) => `${p(portalId)}:email-log:${contactId}`,
  outbox: (portalId: number) => `${p(portalId)}:outbox`,
  recipientRate: (portalId: number, email: string, hour: number) => `${p(portalId)}:email-rate:${email}:${hour}`,
  smtpPassword: (portalId: number) => `${p(portalId)}:smtp-password`,
  rules: (portalId: number) => `${p(portalId)}:rules`,
  ruleFired: (portalId: number, ticketId: string, ruleId: string, trigger: string) => `${p(portalId)}:rule-fired:${ticketId}:${ruleId}:${trigger}`,
  ruleAction: (portalId: number, ticketId: string, ruleId: string, index: number) => `${p(portalId)}:rule-action:${ticketId}:${ruleId}:${index}`,
  ruleActionCount: (portalId: number, ticketId: string, hour: number) => `${p(portalId)}:rule-actions:${ticketId}:${hour}`,
  selfWrite: (portalId: number, ticketId: string, property: string) => `${p(portalId)}:self-write:${ticketId}:${property}`,
  ruleAudit: (portalId: number) => `${p(portalId)}:rule-audit`,
  ticketRuleAudit: (portalId: number, ticketId: string) => `${p(portalId)}:rule-audit:${ticketId}`,
} as const;

/** TTLs in seconds. HubSpot retries a webhook for up to 24 h, so dedupe outlives that. */
export const ttl = {
  eventSeen: 48 * 3600,
  idempotency: 30 * 24 * 3600,
  oauthState: 10 * 60,
  /** A claimed thread that its job never resolved can be claimed again after this. */
  threadClaim: 15 * 60,
  threadResolved: 30 * 24 * 3600,
  contactFiling: 365 * 24 * 3600,
} as const;

export const caps = {
  deadLetters: 10_000,
  outbox: 1_000,
  ruleAudit: 5_000,
  ticketRuleAudit: 50,
  emailLog: 50,
  settingsHistory: 50,
} as const;
