import { randomBytes } from 'node:crypto';
import { addToList } from '../hubspot/list-adds.js';
import { readById } from '../hubspot/record-reader.js';
import { normalizeEmail } from '../contacts/normalize-email.js';
import { matchLanguage } from '../i18n/messages.js';
import { PermanentError } from '../queue/errors.js';
import type { AccountContext } from '../webhooks/route-event.js';
import { caps, keys } from '../store/keys.js';
import { crashPoint } from '../platform/crash-points.js';
import type { PasswordHasher } from './password-hasher.js';
import type { PortalAccount, PortalAccounts } from './portal-accounts.js';

export interface PortalAccessDeps {
  accounts: PortalAccounts;
  hasher: PasswordHasher;
  /** Where our pages are: set-password links point here. */
  publicBaseUrl: string;
  now?: () => number;
}

export interface AccessChange { account: PortalAccount; changed: boolean }

/** The welcome until a contact has chosen a password (an active account), then the reset email. */
export const credentialsTemplateFor = (account: PortalAccount | null | undefined): 'portal-credentials' | 'portal-reset' =>
  (account?.state === 'active' ? 'portal-reset' : 'portal-credentials');

/** The address of the page behind a set-password link (the token is the last path segment). */
export const setPasswordUrl = (publicBaseUrl: string, portalId: number, token: string) => `${publicBaseUrl}/portal/${portalId}/set-password/${token}`;

/**
 * Grant and revoke portal access, and the credentials that go out by email. Access in HubSpot is
 * membership of the account's access list; the sign-in account beside it is ours. Both are
 * idempotent: granting twice adds nothing, revoking twice changes nothing.
 */
export class PortalAccess {
  private readonly now: () => number;

  constructor(private readonly d: PortalAccessDeps) { this.now = d.now ?? Date.now; }

  async grant(ctx: AccountContext, contactId: string, by: string, why: string): Promise<AccessChange> {
    const listId = ctx.settings.portal.accessListId;
    if (!listId) throw new PermanentError('no portal access list is set: run the setup on the settings page, or choose a MANUAL list there');
    const contact = await readById(ctx, 'contacts', contactId, ['email', 'firstname', 'lastname', 'hs_language']);
    const email = normalizeEmail(contact.email ?? '');
    if (!email) throw new PermanentError(`contact ${contactId} has no valid email address, so it cannot have a portal account`);
    await addToList(ctx, listId, contactId);
    const existing = await this.d.accounts.get(ctx.portalId, contactId);
    const name = [contact.firstname, contact.lastname].filter(Boolean).join(' ') || undefined;
    const locale = matchLanguage(contact.hs_language) ?? undefined;
    if (existing && existing.state !== 'disabled') {
      // A grant interrupted between saving the account and recording it (a crash) is recorded now,
      // with the grant's own time, so the history says "granted" once.
      const history = await this.d.accounts.history(ctx.portalId, contactId);
      const full = history.length >= caps.portalAccessLog; // the oldest entries may have left the capped list
      if (!full && !history.some((h) => h.action === 'granted' && h.at >= existing.grantedAt)) {
        await this.d.accounts.record(ctx.portalId, contactId, { action: 'granted', by, why, at: existing.grantedAt });
      }
      const refreshed = { ...existing, name, locale };
      if (existing.email !== email.email) {
        // The contact's address changed in HubSpot: the sign-in name follows it.
        await ctx.store.del(keys.portalLogin(ctx.portalId, existing.email));
        refreshed.email = email.email;
      }
      await this.d.accounts.save(refreshed);
      return { account: refreshed, changed: false };
    }
    const account: PortalAccount = {
      ...(existing ?? {}), portalId: ctx.portalId, contactId, email: email.email, name, locale,
      state: existing?.passwordHash ? 'active' : 'invited', grantedAt: new Date(this.now()).toISOString(), currentLinkHash: null,
    };
    await this.d.accounts.save(account);
    crashPoint('portal.account-saved');
    await this.d.accounts.record(ctx.portalId, contactId, { action: 'granted', by, why, at: account.grantedAt });
    ctx.log.info({ contactId, listId }, 'portal access granted');
    return { account, changed: true };
  }

  async revoke(ctx: AccountContext, contactId: string, by: string, why: string): Promise<AccessChange | null> {
    const existing = await this.d.accounts.get(ctx.portalId, contactId);
    const listId = ctx.settings.portal.accessListId;
    if (listId) await ctx.hubspot.request(ctx.portalId, 'crm.lists.memberships.remove', { method: 'PUT', path: `/crm/v3/lists/${listId}/memberships/remove`, body: [contactId] });
    if (!existing) return null;
    if (existing.state === 'disabled') return { account: existing, changed: false };
    // Disabled, sessions ended, open links dead (the link check wants the current link hash).
    const account: PortalAccount = { ...existing, state: 'disabled', currentLinkHash: null, sessionsValidAfter: this.now() };
    await this.d.accounts.save(account);
    await this.d.accounts.record(ctx.portalId, contactId, { action: 'revoked', by, why });
    ctx.log.info({ contactId }, 'portal access revoked');
    return { account, changed: true };
  }

  /**
   * Which credentials email a contact gets: the welcome until they have chosen a password, then
   * the reset ("you already have access", a link in case they forgot it). Decided when the email
   * is queued, so a retried job sends the same one.
   */
  async credentialsTemplate(ctx: { portalId: number }, contactId: string): Promise<'portal-credentials' | 'portal-reset'> {
    return credentialsTemplateFor(await this.d.accounts.get(ctx.portalId, contactId));
  }

  /**
   * The snippet values of a credentials email, made at send time and never queued: a new one-time
   * link (which supersedes every older one), or in "temporary" mode a random password that must
   * be changed at the first sign-in.
   */
  async credentialValues(ctx: AccountContext, contactId: string, purpose: 'welcome' | 'reset' = 'welcome'): Promise<Record<string, string>> {
    const account = await this.d.accounts.get(ctx.portalId, contactId);
    if (!account || account.state === 'disabled') throw new PermanentError(`contact ${contactId} has no portal access: grant it first (card, settings or the rule action grantPortalAccess)`);
    const portal = ctx.settings.portal;
    if (!portal.portalUrl) throw new PermanentError('settings.portal.portalUrl is not set: the email would have no portal address');
    let password: string;
    // A reset never replaces the password a customer has: it sends a link, and the current
    // password works until a new one is set through it.
    if (portal.passwordMode === 'temporary' && purpose === 'welcome') {
      password = randomBytes(12).toString('base64url');
      await this.d.accounts.save({ ...account, state: 'active', passwordHash: await this.d.hasher.hash(password), mustChangePassword: true, currentLinkHash: null });
    } else {
      password = setPasswordUrl(this.d.publicBaseUrl, ctx.portalId, await this.d.accounts.mintLink(account, portal.linkExpiryHours));
    }
    await this.d.accounts.record(ctx.portalId, contactId, { action: 'link-sent', by: 'email', why: portal.passwordMode === 'temporary' && purpose === 'welcome' ? 'temporary password' : `${purpose === 'reset' ? 'reset' : 'set-password'} link, ${portal.linkExpiryHours} h` });
    return { 'Portal Address': portal.portalUrl, 'Portal Username': account.email, 'Portal Password': password };
  }

  /** Placeholders for a preview: no link is made and nothing changes. */
  static previewValues(ctx: AccountContext, email: string): Record<string, string> {
    return { 'Portal Address': ctx.settings.portal.portalUrl ?? '(portal address not set)', 'Portal Username': email, 'Portal Password': '[a one-time link to choose a password, made when the email is sent]' };
  }

  /** "Sign out everywhere": every session of this account's contacts that began before now ends. */
  async signOutEverywhere(ctx: AccountContext): Promise<void> {
    await ctx.store.set(keys.portalSignOutAll(ctx.portalId), String(this.now()));
  }
}
