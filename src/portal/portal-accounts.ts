import { createHash, randomBytes } from 'node:crypto';
import { caps, keys } from '../store/keys.js';
import type { Store } from '../store/store.js';
import { rememberContactData } from '../contacts/contact-data.js';

export type PortalAccountState = 'invited' | 'active' | 'disabled';

/** A passkey as the account keeps it: only its public half, and what the list shows. */
export interface StoredPasskey {
  /** The credential id (base64url), as the authenticator names it. */
  id: string;
  /** The COSE public key, base64url. */
  publicKey: string;
  counter: number;
  transports?: string[];
  /** Synced by the platform (a phone's or a password manager's passkey) or bound to one device. */
  synced: boolean;
  createdAt: string;
  lastUsedAt?: string;
}

/** Where a passkey's credential id (its SHA-256) names the contact whose account holds it. */
export const passkeyIndexKey = (portalId: number, credentialId: string) => keys.passkeyCredential(portalId, createHash('sha256').update(credentialId).digest('base64url'));

/** One contact's customer-portal account. The password exists only as an argon2id hash. */
export interface PortalAccount {
  portalId: number;
  contactId: string;
  /** The sign-in name: the contact's normalised email address. */
  email: string;
  name?: string;
  locale?: string;
  state: PortalAccountState;
  passwordHash?: string;
  /** Temporary-password mode: the emailed password must be replaced at the first sign-in. */
  mustChangePassword?: boolean;
  /** The only set-password link that still works (the SHA-256 of its token). */
  currentLinkHash?: string | null;
  grantedAt: string;
  lastSignInAt?: string;
  /** Sessions that began before this (epoch ms) are ended: revoke, reset, "sign out everywhere". */
  sessionsValidAfter?: number;
  /** The customer's passkeys (public keys only): see passkeys.ts. */
  passkeys?: StoredPasskey[];
  /** When the customer last answered "not now" to the passkey offer after a sign-in. */
  passkeyOfferDeclinedAt?: string;
}

export interface AccessEvent { at: string; action: 'granted' | 'revoked' | 'password-set' | 'link-sent' | 'signed-out-everywhere' | 'passkey-added' | 'passkey-removed'; by: string; why: string }

export interface LinkRecord { contactId: string; exp: number; usedAt?: number }

export type LinkVerdict =
  | { ok: true; account: PortalAccount; hash: string }
  | { ok: false; reason: 'unknown' | 'expired' | 'used' | 'superseded' | 'revoked' };

/** Links are kept a week past their expiry so a late click is told "expired", not "unknown". */
const LINK_GRACE_S = 7 * 24 * 3600;

export const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

/** Portal accounts, their sign-in index, set-password links and the access history, per HubSpot account. */
export class PortalAccounts {
  constructor(private readonly store: Store, private readonly now: () => number = Date.now) {}

  async get(portalId: number, contactId: string): Promise<PortalAccount | null> {
    const raw = await this.store.get(keys.portalAccount(portalId, contactId));
    return raw ? (JSON.parse(raw) as PortalAccount) : null;
  }

  async getMany(portalId: number, contactIds: string[]): Promise<(PortalAccount | null)[]> {
    // The store answers an empty list with an empty list (no Redis call).
    return (await this.store.getMany(contactIds.map((id) => keys.portalAccount(portalId, id)))).map((r) => (r ? (JSON.parse(r) as PortalAccount) : null));
  }

  async findByLogin(portalId: number, email: string): Promise<PortalAccount | null> {
    const contactId = await this.store.get(keys.portalLogin(portalId, email));
    return contactId ? this.get(portalId, contactId) : null;
  }

  /** Writes back an account whose address did not change (a sign-in's time, a rehash): one write, its login mapping left as it is. */
  async update(account: PortalAccount): Promise<void> {
    await this.store.set(keys.portalAccount(account.portalId, account.contactId), JSON.stringify(account));
  }

  /** The account and its account-wide sign-out time, read together (one round trip: they share the account's slot). */
  async getWithSignOutAll(portalId: number, contactId: string): Promise<{ account: PortalAccount | null; signOutAll: number }> {
    const [raw, all] = await this.store.getMany([keys.portalAccount(portalId, contactId), keys.portalSignOutAll(portalId)]);
    return { account: raw ? (JSON.parse(raw) as PortalAccount) : null, signOutAll: Number(all ?? 0) };
  }

  async save(account: PortalAccount): Promise<void> {
    await this.update(account);
    await this.store.set(keys.portalLogin(account.portalId, account.email), account.contactId);
  }

  async remove(portalId: number, contactId: string): Promise<void> {
    const account = await this.get(portalId, contactId);
    if (account) await this.store.del(keys.portalLogin(portalId, account.email));
    if (account?.currentLinkHash) await this.store.del(keys.portalLink(portalId, account.currentLinkHash));
    for (const k of account?.passkeys ?? []) await this.store.del(passkeyIndexKey(portalId, k.id));
    await this.store.del(keys.portalAccount(portalId, contactId));
    await this.store.del(keys.portalAccessLog(portalId, contactId));
  }

  async record(portalId: number, contactId: string, event: Omit<AccessEvent, 'at'> & { at?: string }): Promise<void> {
    await this.store.pushCapped(keys.portalAccessLog(portalId, contactId), JSON.stringify({ at: new Date(this.now()).toISOString(), ...event }), caps.portalAccessLog);
  }

  async history(portalId: number, contactId: string): Promise<AccessEvent[]> {
    return (await this.store.range(keys.portalAccessLog(portalId, contactId), 0, -1)).map((r) => JSON.parse(r) as AccessEvent);
  }

  /**
   * A new one-time set-password link: 256 random bits, stored only as a hash, and the only link
   * of this account that works from now on (a newer link supersedes every older one).
   */
  async mintLink(account: PortalAccount, expiryHours: number): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const hash = hashToken(token);
    const record: LinkRecord = { contactId: account.contactId, exp: this.now() + expiryHours * 3_600_000 };
    await this.store.set(keys.portalLink(account.portalId, hash), JSON.stringify(record), expiryHours * 3600 + LINK_GRACE_S);
    await rememberContactData(this.store, account.portalId, account.contactId, keys.portalLink(account.portalId, hash));
    await this.save({ ...account, currentLinkHash: hash });
    return token;
  }

  async checkLink(portalId: number, token: string): Promise<LinkVerdict> {
    if (!/^[\w-]{43}$/.test(token)) return { ok: false, reason: 'unknown' };
    const hash = hashToken(token);
    const raw = await this.store.get(keys.portalLink(portalId, hash));
    if (!raw) return { ok: false, reason: 'unknown' };
    const link = JSON.parse(raw) as LinkRecord;
    if (link.usedAt) return { ok: false, reason: 'used' };
    const account = await this.get(portalId, link.contactId);
    if (!account || account.state === 'disabled') return { ok: false, reason: 'revoked' };
    if (account.currentLinkHash !== hash) return { ok: false, reason: 'superseded' };
    if (link.exp < this.now()) return { ok: false, reason: 'expired' };
    return { ok: true, account, hash };
  }

  async markLinkUsed(portalId: number, hash: string): Promise<void> {
    const raw = await this.store.get(keys.portalLink(portalId, hash));
    if (!raw) return;
    const link = JSON.parse(raw) as LinkRecord;
    await this.store.set(keys.portalLink(portalId, hash), JSON.stringify({ ...link, usedAt: this.now() }), LINK_GRACE_S);
  }
}
