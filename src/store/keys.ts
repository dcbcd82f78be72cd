/**
 * Every key the app writes, in one place (DESIGN habit 7). Each growing key has a TTL or a cap.
 * An account's keys carry its id as a Redis Cluster hash tag (`portal:{123}:…`), so all of them
 * live in one slot: an account's multi-key commands (MGET, the write scripts, the rate limiter's scripts)
 * work on a cluster, and accounts spread over its nodes. Installs from before the tag are moved
 * over at start (migrate-key-format.ts). `app:` keys are global and only ever used one at a time.
 */
const p = (portalId: number | string) => `portal:{${portalId}}`;

export const keys = {
  eventSeen: (portalId: number, dedupeKey: string) => `${p(portalId)}:event:${dedupeKey}`,
  idempotency: (portalId: number, key: string) => `${p(portalId)}:once:${key}`,
  /** "This sender's name goes on the contact our upsert creates": open until the name is written. */
  nameIntent: (portalId: number, email: string) => `${p(portalId)}:name-intent:${email}`,
  tokens: (portalId: number) => `${p(portalId)}:oauth-tokens`,
  tokenRefreshLock: (portalId: number) => `${p(portalId)}:oauth-refresh-lock`,
  settings: (portalId: number) => `${p(portalId)}:settings`,
  settingsHistory: (portalId: number) => `${p(portalId)}:settings-history`,
  provisioning: (portalId: number) => `${p(portalId)}:provisioning`,
  /** What the setup checklist cannot read elsewhere: the first SSO sign-in, the last test email. */
  setup: (portalId: number) => `${p(portalId)}:setup`,
  /** The quick replies with portal credentials posted on a ticket (who, when, where). */
  portalReplies: (portalId: number, ticketId: string) => `${p(portalId)}:portal-replies:${ticketId}`,
  installer: (portalId: number) => `${p(portalId)}:installer`,
  adminAudit: (portalId: number) => `${p(portalId)}:admin-audit`,
  /** OAuth installs, for the journal reader (which accounts to read); added at install, removed at uninstall. */
  installedAccounts: () => 'app:installed-accounts',
  /** Where the account's journal reading stands (offset, subscriptions made, lag, a replay's start). */
  journal: (portalId: number) => `${p(portalId)}:journal`,
  /** The lease of the one process reading the account's journal: it lapses when its holder dies. */
  journalLease: (portalId: number) => `${p(portalId)}:journal-lease`,
  oauthState: (state: string) => `app:oauth-state:${state}`,
  deadLetters: () => 'app:dead-letters',
  quarantine: () => 'app:quarantine',
  accountDeadLetters: (portalId: number) => `${p(portalId)}:dead-letters`,
  rateLimit: (portalId: number, bucket: string) => `${p(portalId)}:rate:${bucket}`,
  domainIndex: (portalId: number) => `${p(portalId)}:domain-index`,
  threadClaim: (portalId: number, threadId: string) => `${p(portalId)}:thread-claim:${threadId}`,
  threadResolved: (portalId: number, threadId: string) => `${p(portalId)}:thread-resolved:${threadId}`,
  contactFiling: (portalId: number, contactId: string) => `${p(portalId)}:filing:${contactId}`,
  /** Who of a company got access by requesting it on the sign-in page (contact ids and when, newest first). */
  selfRegistered: (portalId: number, companyId: string) => `${p(portalId)}:self-registered:${companyId}`,
  backfill: (portalId: number) => `${p(portalId)}:backfill`,
  templates: (portalId: number) => `${p(portalId)}:email-templates`,
  emailSend: (portalId: number, key: string) => `${p(portalId)}:email:${key}`,
  emailLog: (portalId: number, contactId: string) => `${p(portalId)}:email-log:${contactId}`,
  /** A sent email's timeline copy (without secrets) until HubSpot holds it: made once, whatever is retried. */
  timelineCopy: (portalId: number, sendKey: string) => `${p(portalId)}:timeline-copy:${sendKey}`,
  outbox: (portalId: number) => `${p(portalId)}:outbox`,
  outboxMailbox: (portalId: number) => `${p(portalId)}:outbox-mailbox`,
  recipientRate: (portalId: number, email: string, hour: number) => `${p(portalId)}:email-rate:${email}:${hour}`,
  smtpPassword: (portalId: number) => `${p(portalId)}:smtp-password`,
  rules: (portalId: number) => `${p(portalId)}:rules`,
  ruleFired: (portalId: number, ticketId: string, ruleId: string, trigger: string) => `${p(portalId)}:rule-fired:${ticketId}:${ruleId}:${trigger}`,
  ruleAction: (portalId: number, ticketId: string, ruleId: string, index: number) => `${p(portalId)}:rule-action:${ticketId}:${ruleId}:${index}`,
  ruleActionCount: (portalId: number, ticketId: string, hour: number) => `${p(portalId)}:rule-actions:${ticketId}:${hour}`,
  selfWrite: (portalId: number, ticketId: string, property: string) => `${p(portalId)}:self-write:${ticketId}:${property}`,
  ruleAudit: (portalId: number) => `${p(portalId)}:rule-audit`,
  ticketRuleAudit: (portalId: number, ticketId: string) => `${p(portalId)}:rule-audit:${ticketId}`,
  /** Keys elsewhere that hold a contact's personal data (send records, rate keys, ticket audits), so erasing it finds them. */
  contactData: (portalId: number, contactId: string) => `${p(portalId)}:contact-data:${contactId}`,
  supportLabel: (portalId: number) => `${p(portalId)}:support-label`,
  supportHistory: (portalId: number, companyId: string) => `${p(portalId)}:support-history:${companyId}`,
  // --- customer portal ---
  portalAccount: (portalId: number, contactId: string) => `${p(portalId)}:portal-account:${contactId}`,
  /** Sign-in name (normalised email) → contact id, per account: a client signs in only its account's contacts. */
  portalLogin: (portalId: number, email: string) => `${p(portalId)}:portal-login:${email}`,
  /** Set-password links, by the SHA-256 of their token (the token itself is never stored). */
  /** A sign-in code asked for in one browser's sign-in (its challenge), and the tries at it: 10 minutes each. */
  signInCode: (portalId: number, challenge: string) => `${p(portalId)}:sign-in-code:${challenge}`,
  signInCodeTries: (portalId: number, challenge: string) => `${p(portalId)}:sign-in-code-tries:${challenge}`,
  /** A passkey ceremony's challenge (sign-in or registration, in one browser's sign-in): 5 minutes, taken once. */
  passkeyChallenge: (portalId: number, id: string) => `${p(portalId)}:passkey-challenge:${id}`,
  /** A passkey's credential id (its SHA-256) → the contact whose account holds it. */
  passkeyCredential: (portalId: number, credentialHash: string) => `${p(portalId)}:passkey:${credentialHash}`,
  portalLink: (portalId: number, tokenHash: string) => `${p(portalId)}:portal-link:${tokenHash}`,
  portalAccessLog: (portalId: number, contactId: string) => `${p(portalId)}:portal-access-log:${contactId}`,
  portalSignOutAll: (portalId: number) => `${p(portalId)}:portal-sign-out-all`,
  oidcClient: (portalId: number) => `${p(portalId)}:oidc-client`,
  /** oidc-provider's own models (sessions, codes, interactions, grants), scoped by the model's own id. */
  oidcModel: (model: string, id: string) => `app:oidc:${model}:${id}`,
  oidcGrantIndex: (grantId: string) => `app:oidc-grant:${grantId}`,
  oidcSessionUid: (uid: string) => `app:oidc-session-uid:${uid}`,
  oidcSigningKeys: () => 'app:oidc-signing-keys',
  oidcCookieKeys: () => 'app:oidc-cookie-keys',
  portalRate: (kind: string, id: string) => `app:portal-rate:${kind}:${id}`,
  /** Which key format this Redis holds ('2': hash-tagged accounts), and the lock of the one process that moves keys over. */
  keyFormat: () => 'app:key-format',
  keyFormatLock: () => 'app:key-format-lock',
} as const;

/** TTLs in seconds. HubSpot retries a webhook for up to 24 h, so dedupe outlives that. */
export const ttl = {
  eventSeen: 48 * 3600,
  idempotency: 30 * 24 * 3600,
  /** Longer than a job's retries (BullMQ's last attempt comes within hours). */
  nameIntent: 24 * 3600,
  oauthState: 10 * 60,
  /** A claimed thread that its job never resolved can be claimed again after this. */
  threadClaim: 15 * 60,
  threadResolved: 30 * 24 * 3600,
  contactFiling: 365 * 24 * 3600,
  outboxMailbox: 7 * 24 * 3600,
  /** Longer than a job's retries: a copy still pending after this is given up (the send record says so). */
  timelineCopy: 7 * 24 * 3600,
  portalReplies: 90 * 24 * 3600,
} as const;

export const caps = {
  installedAccounts: 100_000,
  deadLetters: 10_000,
  quarantine: 10_000,
  accountDeadLetters: 1_000,
  outbox: 1_000,
  outboxMailbox: 200,
  ruleAudit: 5_000,
  ticketRuleAudit: 50,
  emailLog: 50,
  settingsHistory: 50,
  adminAudit: 500,
  selfRegistered: 200,
  portalAccessLog: 50,
  contactData: 1_000,
  supportHistory: 50,
  portalReplies: 20,
  /** Keys one OIDC grant holds (codes, tokens): a grant lives for one sign-in, so a few suffice. */
  oidcGrantIndex: 100,
} as const;
