import { createHash, createHmac, hkdfSync, randomInt, timingSafeEqual } from 'node:crypto';
import { PermanentError } from '../queue/errors.js';
import { keys } from '../store/keys.js';
import type { Store } from '../store/store.js';

/** A code works this long after it is emailed, for this many tries, once. */
export const SIGN_IN_CODE = { digits: 6, ttlSeconds: 10 * 60, tries: 5 } as const;

interface CodeRecord {
  email: string;
  /** Set by the worker that emails the code: whose it is and its HMAC (the code itself is never stored). */
  contactId?: string;
  mac?: string;
}

export type CodeVerdict = { ok: true; contactId: string; email: string } | { ok: false; reason: 'none' | 'tries' } | { ok: false; reason: 'wrong'; triesLeft: number };

/**
 * One-time sign-in codes by email. A code belongs to one sign-in in one browser: its record is
 * kept under a challenge made from the browser's own cookie and the sign-in's interaction id,
 * neither of which the email carries, so a code typed in another browser, or in another sign-in,
 * finds nothing. The page stores the request; the worker that emails the code mints it and keeps
 * only its HMAC under a server key (six digits hashed without a key would fall to a dictionary).
 */
export class SignInCodes {
  private readonly key: Buffer;

  constructor(private readonly store: Store, serverSecret: string) {
    this.key = Buffer.from(hkdfSync('sha256', serverSecret, 'portal-autopilot', 'sign-in-code', 32));
  }

  /** The challenge of a browser (its pa_bid cookie) in one sign-in (the interaction's uid). */
  static challengeOf(browserId: string, interactionUid: string): string {
    return createHash('sha256').update(`${browserId}\n${interactionUid}`).digest('base64url');
  }

  /** The page: this browser asks for a code for this address (any earlier code of the challenge stops working). */
  async request(portalId: number, challenge: string, email: string): Promise<void> {
    await this.store.set(keys.signInCode(portalId, challenge), JSON.stringify({ email } satisfies CodeRecord), SIGN_IN_CODE.ttlSeconds);
    await this.store.del(keys.signInCodeTries(portalId, challenge));
  }

  /** The worker, when it emails the code: mints it for the contact whose address was asked for. */
  async issue(portalId: number, challenge: string, contactId: string): Promise<string> {
    const raw = await this.store.get(keys.signInCode(portalId, challenge));
    if (!raw) throw new PermanentError('the sign-in code request has expired (10 minutes) or was replaced by a newer one');
    const record = JSON.parse(raw) as CodeRecord;
    const code = String(randomInt(0, 10 ** SIGN_IN_CODE.digits)).padStart(SIGN_IN_CODE.digits, '0');
    await this.store.set(keys.signInCode(portalId, challenge), JSON.stringify({ ...record, contactId, mac: this.mac(challenge, code) } satisfies CodeRecord), SIGN_IN_CODE.ttlSeconds);
    return code;
  }

  /** The page: a typed code. Every try counts (five per code); the right one is used up as it signs in. */
  async verify(portalId: number, challenge: string, typed: string): Promise<CodeVerdict> {
    const recordKey = keys.signInCode(portalId, challenge);
    const tries = await this.store.increment(keys.signInCodeTries(portalId, challenge), SIGN_IN_CODE.ttlSeconds);
    const raw = await this.store.get(recordKey);
    const record = raw ? JSON.parse(raw) as CodeRecord : null;
    if (!record?.mac || !record.contactId) return { ok: false, reason: 'none' };
    if (tries > SIGN_IN_CODE.tries) { await this.store.del(recordKey); return { ok: false, reason: 'tries' }; }
    const code = typed.replace(/\s+/g, '');
    const right = /^\d{6}$/.test(code) && timingSafeEqual(Buffer.from(this.mac(challenge, code)), Buffer.from(record.mac));
    if (!right) {
      if (tries >= SIGN_IN_CODE.tries) { await this.store.del(recordKey); return { ok: false, reason: 'tries' }; }
      return { ok: false, reason: 'wrong', triesLeft: SIGN_IN_CODE.tries - tries };
    }
    // Two tabs posting the right code at once: only the one that takes the record signs in.
    if (!(await this.store.take(recordKey))) return { ok: false, reason: 'none' };
    await this.store.del(keys.signInCodeTries(portalId, challenge));
    return { ok: true, contactId: record.contactId, email: record.email };
  }

  private mac(challenge: string, code: string): string {
    return createHmac('sha256', this.key).update(`${challenge}:${code}`).digest('base64url');
  }
}
