import { z } from 'zod';
import { languages } from '../i18n/messages.js';

const domain = z.string().trim().toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'is not a domain name (expected e.g. example.com)');

/** Account settings; later capabilities add their sections here. Versioned by the repository. */
/** Senders whose address matches one of these (local part, or whole address) are never made contacts. */
export const defaultIgnoredSenders = ['no-reply', 'noreply', 'do-not-reply', 'donotreply', 'mailer-daemon', 'postmaster', 'bounce', 'bounces'];
/** Subjects that mark an automatic reply (out of office) in the articles' languages. */
export const defaultAutoReplySubjects = ['automatic reply', 'auto-reply', 'autoreply', 'out of office', 'abwesenheitsnotiz', 'automatische antwort', 'risposta automatica', 'fuori sede', 'respuesta automática', 'fuera de la oficina'];

const pattern = z.string().trim().toLowerCase().min(1, 'must not be empty').max(200);

export const settingsSchema = z.strictObject({
  defaultLanguage: z.enum(languages, { error: `must be one of ${languages.join(', ')}` }).default('en'),
  /** Our own domains: senders from them are colleagues, not customers. */
  internalDomains: z.array(domain).max(200).default([]),
  inbound: z.strictObject({
    freeMailAdditions: z.array(domain).max(500).default([]),
    ignoredSenders: z.array(pattern).max(200).default(defaultIgnoredSenders),
    autoReplySubjects: z.array(pattern).max(200).default(defaultAutoReplySubjects),
    matchSubdomains: z.boolean().default(true),
    /** The articles' "Unassigned" customer; null = leave unmatched contacts without a company. */
    defaultCompanyId: z.string().regex(/^\d+$/, 'must be a HubSpot company id (digits)').nullable().default(null),
    stripPlusAddresses: z.boolean().default(false),
  }).prefault({}),
  email: z.strictObject({
    /** outbox: kept and listed, nothing leaves (the embedded default); hubspot: transactional single-send; smtp: your server. */
    transport: z.enum(['outbox', 'hubspot', 'smtp'], { error: 'must be outbox, hubspot or smtp' }).default('outbox'),
    /** HubSpot transactional email ids per template name (the HubSpot email renders our snippets from custom properties). */
    hubspotEmailIds: z.record(z.string(), z.number().int().positive()).default({}),
    smtp: z.strictObject({
      host: z.string().trim().min(1, 'is required'),
      port: z.number().int().min(1).max(65535),
      secure: z.boolean().default(false),
      user: z.string().trim().default(''),
      from: z.string().trim().min(3, 'is required, e.g. "Support <support@acme.example>"'),
    }).nullable().default(null),
    maxPerRecipientPerHour: z.number().int().min(1).max(100).default(5),
  }).prefault({}),
  access: z.strictObject({
    /** HubSpot user ids who may change the app's settings, rules, templates and run account-wide actions, beside the installer. */
    adminUserIds: z.array(z.number().int().positive()).max(100).default([]),
  }).prefault({}),
  portal: z.strictObject({
    /** The MANUAL contact list whose members may sign in to the HubSpot customer portal; null until install creates one or an admin picks one. */
    accessListId: z.string().regex(/^\d+$/, 'must be a HubSpot list id (digits)').nullable().default(null),
    /** The articles' "send an email to a newly added contact": new inbound contacts get access and credentials. */
    onboardNewContacts: z.boolean().default(false),
    /** The customer portal's address, shown as {[Portal Address]} (e.g. https://support.acme.example). */
    portalUrl: z.url({ error: 'must be the customer portal\'s address, e.g. https://support.acme.example' }).nullable().default(null),
    /** How long a set-password link works. */
    linkExpiryHours: z.number().int().min(1, 'must be at least 1 hour').max(168, 'must be at most 168 hours (7 days)').default(24),
    /** link: a one-time set-password link (default); temporary: a random password, changed at first sign-in. */
    passwordMode: z.enum(['link', 'temporary'], { error: 'must be link or temporary' }).default('link'),
    /** HubSpot's "allow self-registration", made safe: the sign-in page offers "request access", granted only to addresses of a customer company's domain. */
    selfRegistration: z.boolean().default(false),
    /** Sign-in without a password: a one-time 6-digit code by email (10 minutes, 5 tries, this browser only). */
    emailCode: z.boolean().default(false),
    /** Passkeys (WebAuthn): added after a password or code sign-in, then a sign-in with the device's screen lock; needs emailCode as the way back in. */
    passkeys: z.boolean().default(false),
  }).prefault({}).superRefine((portal, ctx) => {
    // A customer who loses every passkey signs in with a code by email: no passkeys without it.
    if (portal.passkeys && !portal.emailCode) ctx.addIssue({ code: 'custom', path: ['emailCode'], message: 'must be on when passkeys is on (a customer who loses every passkey signs in with a code by email)' });
    // Credentials emails name the portal's address: onboarding without it would send broken emails.
    if (portal.onboardNewContacts && !portal.portalUrl) ctx.addIssue({ code: 'custom', path: ['portalUrl'], message: 'is required when onboardNewContacts is on (the credentials email names it)' });
    if (portal.selfRegistration && !portal.portalUrl) ctx.addIssue({ code: 'custom', path: ['portalUrl'], message: 'is required when selfRegistration is on (the credentials email names it)' });
  }),
  supportContacts: z.strictObject({
    /** every: each new ticket of a company reports to its support contacts; rules: only the rule action notifySupportContacts does. */
    reports: z.enum(['every', 'rules'], { error: 'must be every or rules' }).default('every'),
    /** Which companies must keep at least one support contact: this company property having this value. */
    customerProperty: z.string().regex(/^[a-z][a-z0-9_]{0,99}$/, 'must be a HubSpot property name').default('lifecyclestage'),
    customerValue: z.string().trim().min(1).max(100).default('customer'),
    /** Who may change a company's support contacts: everyone, or admins of the app. */
    editors: z.enum(['everyone', 'admins'], { error: 'must be everyone or admins' }).default('everyone'),
    maxPerCompany: z.number().int().min(1).max(100).default(25),
    /**
     * Loop stop for issue reports: at most this many to one support contact in an hour (a busy
     * company files more tickets than a customer gets emails; an autoresponder answering reports
     * with new tickets is still stopped). Customers' emails have their own cap (email section).
     */
    maxReportsPerRecipientPerHour: z.number().int().min(1).max(1000).default(60),
  }).prefault({}),
  rules: z.strictObject({
    /** How long every evaluation of every ticket is kept (the audit). */
    auditRetentionDays: z.number().int().min(1).max(365).default(30),
    /** Loop stop: no ticket gets more rule actions than this in an hour. */
    maxActionsPerTicketPerHour: z.number().int().min(1).max(200).default(20),
  }).prefault({}),
});

export type Settings = z.infer<typeof settingsSchema>;

export const defaultSettings: Settings = settingsSchema.parse({});
