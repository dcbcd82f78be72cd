import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** A stored secret that none of the configured keys opens (another key wrote it, or it was altered). */
export class SecretKeyError extends Error {
  constructor(message: string) { super(message); this.name = 'SecretKeyError'; }
}

/** Names a key in a blob without saying anything about it (8 bytes of a hash of it). */
const keyId = (key: Buffer) => createHash('sha256').update('portal-autopilot key id').update(key).digest().subarray(0, 8).toString('base64url');

/**
 * AES-256-GCM for secrets at rest, with keys newest first: the newest encrypts, any of them
 * decrypts, so an operator rotates TOKEN_ENCRYPTION_KEY by putting a new key in front of the old
 * one (then `npm run reencrypt`). Blobs are "v2.<key id>.<iv>.<tag>.<ciphertext>" (base64url);
 * "v1.<iv>.<tag>.<ciphertext>" from before key ids is still read, trying each key.
 */
export class TokenCipher {
  private readonly keys: { id: string; key: Buffer }[];

  constructor(keys: Buffer | Buffer[]) {
    const list = Array.isArray(keys) ? keys : [keys];
    if (!list.length || list.some((k) => k.length !== 32)) throw new Error('token encryption keys must be 32 bytes each');
    this.keys = list.map((key) => ({ id: keyId(key), key }));
  }

  encrypt(plain: string, context: string): string {
    const { id, key } = this.keys[0]!;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    // The account id is bound as associated data: a blob copied to another account won't decrypt.
    cipher.setAAD(Buffer.from(context));
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v2', id, ...[iv, cipher.getAuthTag(), ct].map((p) => p.toString('base64url'))].join('.');
  }

  decrypt(blob: string, context: string): string {
    const parts = blob.split('.');
    if (parts[0] === 'v2' && parts.length === 5) {
      const key = this.keys.find((k) => k.id === parts[1]);
      if (!key) throw new SecretKeyError('written with a key that is not among the configured ones');
      return open(key.key, parts.slice(2) as [string, string, string], context);
    }
    if (parts[0] === 'v1' && parts.length === 4) {
      for (const { key } of this.keys) {
        try { return open(key, parts.slice(1) as [string, string, string], context); } catch { /* the next key */ }
      }
      throw new SecretKeyError('none of the configured keys opens it');
    }
    throw new SecretKeyError('unknown secret format');
  }

  /** Whether the newest key wrote this blob (else `npm run reencrypt` rewrites it). */
  isCurrent(blob: string): boolean {
    return blob.startsWith(`v2.${this.keys[0]!.id}.`);
  }
}

function open(key: Buffer, [iv, tag, ct]: [string, string, string], context: string): string {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretKeyError('it does not decrypt (altered, or bound to another account)');
  }
}
