import { createHash } from 'node:crypto';
import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
  type AuthenticationResponseJSON, type PublicKeyCredentialCreationOptionsJSON, type PublicKeyCredentialRequestOptionsJSON, type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { z } from 'zod';
import { keys } from '../store/keys.js';
import type { Store } from '../store/store.js';
import { passkeyIndexKey, type PortalAccount, type PortalAccounts, type StoredPasskey } from './portal-accounts.js';

export const PASSKEY = {
  /** Passkeys one account may keep. */
  max: 10,
  /** A ceremony's challenge lives this long, and is used once. */
  challengeTtlSeconds: 5 * 60,
  /** What the browser is given to finish a ceremony (the options' timeout). */
  timeoutMs: 2 * 60_000,
} as const;

/**
 * What a browser posts back: WebAuthn's JSON shapes, bounded (an authenticator's answer is a few
 * kilobytes at most); the library checks the rest.
 */
const b64url = (max: number) => z.string().regex(/^[\w-]*$/).max(max);
const clientResponse = {
  id: b64url(1400), rawId: b64url(1400), type: z.literal('public-key'),
  clientExtensionResults: z.looseObject({}), authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
};
export const authenticationResponse = z.strictObject({
  ...clientResponse,
  response: z.strictObject({ clientDataJSON: b64url(4000), authenticatorData: b64url(4000), signature: b64url(2000), userHandle: b64url(200).optional() }),
});
export const registrationResponse = z.strictObject({
  ...clientResponse,
  response: z.looseObject({
    clientDataJSON: b64url(4000), attestationObject: b64url(16_000),
    transports: z.array(z.string().max(20)).max(10).optional(), publicKeyAlgorithm: z.number().int().optional(),
    publicKey: b64url(4000).optional(), authenticatorData: b64url(16_000).optional(),
  }),
});

export type PasskeySignIn = { ok: true; account: PortalAccount } | { ok: false; reason: 'expired' | 'unknown' | 'inactive' | 'refused' };

/**
 * Passkeys (WebAuthn, through @simplewebauthn/server) for portal accounts: registered by a
 * customer who has just signed in another way, then a sign-in of their own. The relying party is
 * the app's public address (PUBLIC_BASE_URL); discoverable credentials, so the customer picks
 * their passkey without typing an address. Each ceremony's challenge is kept under the browser's
 * own challenge for this sign-in (as a sign-in code is) and taken once: a replayed answer, or one
 * from another browser or sign-in, finds none.
 */
export class Passkeys {
  private readonly rpID: string;
  private readonly origin: string;

  constructor(private readonly store: Store, private readonly accounts: PortalAccounts, publicBaseUrl: string, private readonly now: () => number = Date.now) {
    const url = new URL(publicBaseUrl);
    this.rpID = url.hostname;
    this.origin = url.origin;
  }

  /** The options for "sign in with a passkey"; the challenge is kept for this browser's sign-in. */
  async signInOptions(portalId: number, challenge: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const options = await generateAuthenticationOptions({ rpID: this.rpID, userVerification: 'preferred', timeout: PASSKEY.timeoutMs });
    await this.store.set(keys.passkeyChallenge(portalId, `sign-in:${challenge}`), options.challenge, PASSKEY.challengeTtlSeconds);
    return options;
  }

  /** A passkey's answer to that challenge: whose account it opens, if any (used up either way). */
  async signIn(portalId: number, challenge: string, response: AuthenticationResponseJSON): Promise<PasskeySignIn> {
    const expected = await this.store.take(keys.passkeyChallenge(portalId, `sign-in:${challenge}`));
    if (!expected) return { ok: false, reason: 'expired' };
    const contactId = await this.store.get(passkeyIndexKey(portalId, response.id));
    const account = contactId ? await this.accounts.get(portalId, contactId) : null;
    const passkey = account?.passkeys?.find((k) => k.id === response.id);
    if (!account || !passkey) return { ok: false, reason: 'unknown' };
    // Revoked or not yet active: refused before anything is checked or written.
    if (account.state !== 'active') return { ok: false, reason: 'inactive' };
    let verified;
    try {
      verified = await verifyAuthenticationResponse({
        response, expectedChallenge: expected, expectedOrigin: this.origin, expectedRPID: this.rpID, requireUserVerification: false,
        credential: { id: passkey.id, publicKey: Buffer.from(passkey.publicKey, 'base64url'), counter: passkey.counter, transports: passkey.transports },
      });
    } catch {
      return { ok: false, reason: 'refused' };
    }
    if (!verified.verified) return { ok: false, reason: 'refused' };
    // The passkey's counter and use, and the account's sign-in, in one write.
    const at = new Date(this.now()).toISOString();
    const used = { ...passkey, counter: verified.authenticationInfo.newCounter, lastUsedAt: at };
    const updated = { ...account, lastSignInAt: at, passkeys: account.passkeys!.map((k) => (k.id === passkey.id ? used : k)) };
    await this.accounts.update(updated);
    return { ok: true, account: updated };
  }

  /** The options to add a passkey to an account its customer has just signed in to. */
  async registrationOptions(account: PortalAccount, challenge: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const options = await generateRegistrationOptions({
      rpName: 'Customer portal', rpID: this.rpID, userName: account.email, userDisplayName: account.name ?? account.email,
      // The user handle names no one: a digest of the account and contact.
      userID: createHash('sha256').update(`portal-autopilot:${account.portalId}:${account.contactId}`).digest().subarray(0, 32),
      attestationType: 'none', timeout: PASSKEY.timeoutMs,
      excludeCredentials: (account.passkeys ?? []).map((k) => ({ id: k.id, transports: k.transports })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    });
    await this.store.set(keys.passkeyChallenge(account.portalId, `register:${challenge}`), options.challenge, PASSKEY.challengeTtlSeconds);
    return options;
  }

  /** The new passkey's answer: kept on the account (its public key only), or why not. */
  async register(account: PortalAccount, challenge: string, response: RegistrationResponseJSON): Promise<{ ok: true; account: PortalAccount } | { ok: false; reason: 'expired' | 'refused' | 'full' }> {
    const expected = await this.store.take(keys.passkeyChallenge(account.portalId, `register:${challenge}`));
    if (!expected) return { ok: false, reason: 'expired' };
    if ((account.passkeys ?? []).length >= PASSKEY.max) return { ok: false, reason: 'full' };
    let verified;
    try {
      verified = await verifyRegistrationResponse({ response, expectedChallenge: expected, expectedOrigin: this.origin, expectedRPID: this.rpID, requireUserVerification: false });
    } catch {
      return { ok: false, reason: 'refused' };
    }
    if (!verified.verified) return { ok: false, reason: 'refused' };
    const { credential, credentialDeviceType } = verified.registrationInfo;
    const stored: StoredPasskey = {
      id: credential.id, publicKey: Buffer.from(credential.publicKey).toString('base64url'), counter: credential.counter,
      transports: credential.transports, synced: credentialDeviceType === 'multiDevice', createdAt: new Date(this.now()).toISOString(),
    };
    const updated = { ...account, passkeys: [...(account.passkeys ?? []).filter((k) => k.id !== stored.id), stored] };
    await this.accounts.update(updated);
    await this.store.set(passkeyIndexKey(account.portalId, stored.id), account.contactId);
    await this.accounts.record(account.portalId, account.contactId, { action: 'passkey-added', by: 'customer', why: stored.synced ? 'a synced passkey' : 'a passkey on one device' });
    return { ok: true, account: updated };
  }

  /** Removes one of the account's passkeys: it signs in no more. */
  async remove(account: PortalAccount, id: string): Promise<PortalAccount> {
    if (!(account.passkeys ?? []).some((k) => k.id === id)) return account;
    const updated = { ...account, passkeys: account.passkeys!.filter((k) => k.id !== id) };
    await this.accounts.update(updated);
    await this.store.del(passkeyIndexKey(account.portalId, id));
    await this.accounts.record(account.portalId, account.contactId, { action: 'passkey-removed', by: 'customer', why: 'removed on the passkeys page' });
    return updated;
  }
}
