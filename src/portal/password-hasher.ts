import { hash, verify } from '@node-rs/argon2';

// Algorithm.Argon2id (a const enum, which isolated modules cannot read).
const ARGON2ID = 2;

/**
 * argon2id with OWASP's first recommended setting (Password Storage Cheat Sheet: m = 19 MiB,
 * t = 2, p = 1): memory-hard, so a GPU farm gains little, and about 20–30 ms here per hash.
 * The parameters live in the PHC string of each hash; a stored hash with other parameters is
 * rehashed at the next successful sign-in.
 */
export interface HashParams { memoryCost: number; timeCost: number; parallelism: number }
export const OWASP_ARGON2ID: HashParams = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export class PasswordHasher {
  private dummy: Promise<string> | undefined;

  constructor(readonly params: HashParams = OWASP_ARGON2ID) {}

  hash(password: string): Promise<string> {
    return hash(password, { algorithm: ARGON2ID, ...this.params });
  }

  async verify(stored: string, password: string): Promise<boolean> {
    try {
      return await verify(stored, password);
    } catch {
      return false;
    }
  }

  /**
   * For an unknown address: the same work as a real check, so the answer's timing does not tell
   * whether an account exists.
   */
  async verifyNobody(password: string): Promise<false> {
    // Stryker disable next-line StringLiteral: any password makes the same dummy work.
    this.dummy ??= this.hash('not-a-real-password-for-timing');
    await this.verify(await this.dummy, password);
    return false;
  }

  needsRehash(stored: string): boolean {
    const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(stored);
    return !m || Number(m[1]) !== this.params.memoryCost || Number(m[2]) !== this.params.timeCost || Number(m[3]) !== this.params.parallelism;
  }
}
