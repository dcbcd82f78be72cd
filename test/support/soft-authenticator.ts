import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

/**
 * A software WebAuthn authenticator for tests without a browser, written from the W3C WebAuthn
 * Level 2 spec (§6.1 authenticator data, §6.5 attestation objects with the "none" format, §5.8.1
 * client data) and RFC 8152 (a COSE EC2 key), independent of the library the app verifies with.
 * One ES256 credential; its signature counter goes up by one per assertion (or as a test sets it).
 */
export class SoftAuthenticator {
  readonly id = randomBytes(16).toString('base64url');
  counter = 0;
  private readonly key: KeyObject;
  private readonly publicJwk: { x: string; y: string };
  readonly userHandles = new Map<string, string>();

  /** synced: a passkey kept in a cloud account (backup flags set); verifies: whether it checks the person (PIN, biometrics) — a plain security key does not. */
  constructor(private readonly origin: string, readonly synced = false, readonly verifies = true) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.key = privateKey;
    const jwk = publicKey.export({ format: 'jwk' });
    this.publicJwk = { x: jwk.x!, y: jwk.y! };
  }

  private get rpId() { return new URL(this.origin).hostname; }

  private authData(flags: number, attested?: Buffer): Buffer {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(this.counter);
    return Buffer.concat([createHash('sha256').update(this.rpId).digest(), Buffer.from([flags]), count, ...(attested ? [attested] : [])]);
  }

  private clientData(type: 'webauthn.create' | 'webauthn.get', challenge: string, origin: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  /** navigator.credentials.create() answered, as the browser's JSON (what @simplewebauthn/browser posts). */
  register(options: { challenge: string; user: { id: string } }, origin = this.origin) {
    this.userHandles.set(this.id, options.user.id);
    const cose = cbor(new Map<number, unknown>([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(this.publicJwk.x, 'base64url')], [-3, Buffer.from(this.publicJwk.y, 'base64url')]]));
    const credId = Buffer.from(this.id, 'base64url');
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credId.length);
    // UP, UV, AT, and for a synced passkey BE and BS.
    const flags = 0x01 | (this.verifies ? 0x04 : 0) | 0x40 | (this.synced ? 0x08 | 0x10 : 0);
    const authData = this.authData(flags, Buffer.concat([Buffer.alloc(16), idLength, credId, cose]));
    const attestationObject = cbor(new Map<string, unknown>([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]));
    return {
      id: this.id, rawId: this.id, type: 'public-key' as const, clientExtensionResults: {}, authenticatorAttachment: 'platform' as const,
      response: { clientDataJSON: this.clientData('webauthn.create', options.challenge, origin).toString('base64url'), attestationObject: attestationObject.toString('base64url'), transports: ['internal'] },
    };
  }

  /** navigator.credentials.get() answered with this credential. */
  assert(options: { challenge: string }, origin = this.origin) {
    this.counter++;
    const authenticatorData = this.authData(0x01 | (this.verifies ? 0x04 : 0) | (this.synced ? 0x08 | 0x10 : 0));
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, origin);
    const signature = sign('sha256', Buffer.concat([authenticatorData, createHash('sha256').update(clientDataJSON).digest()]), this.key);
    return {
      id: this.id, rawId: this.id, type: 'public-key' as const, clientExtensionResults: {}, authenticatorAttachment: 'platform' as const,
      response: { clientDataJSON: clientDataJSON.toString('base64url'), authenticatorData: authenticatorData.toString('base64url'), signature: signature.toString('base64url'), userHandle: this.userHandles.get(this.id) },
    };
  }
}

/** CBOR (RFC 8949) for what an attestation object holds: integers, byte and text strings, maps. */
function cbor(value: unknown): Buffer {
  const head = (major: number, n: number) => {
    if (n < 24) return Buffer.from([(major << 5) | n]);
    if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
    const b = Buffer.alloc(3); b[0] = (major << 5) | 25; b.writeUInt16BE(n, 1); return b;
  };
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  if (typeof value === 'string') { const s = Buffer.from(value); return Buffer.concat([head(3, s.length), s]); }
  if (value instanceof Map) return Buffer.concat([head(5, value.size), ...[...value].flatMap(([k, v]) => [cbor(k), cbor(v)])]);
  throw new Error(`cbor: cannot encode ${typeof value}`);
}
