import { describe, expect, it } from 'vitest';
import { OWASP_ARGON2ID, PasswordHasher } from '../../src/portal/password-hasher.js';

// Small parameters keep the test fast; the PHC string records them either way.
const light = { memoryCost: 8192, timeCost: 1, parallelism: 1 };

describe('PasswordHasher', () => {
  it('uses OWASP\'s first argon2id setting by default (m=19456 KiB, t=2, p=1), written into the hash', async () => {
    expect(OWASP_ARGON2ID).toEqual({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    const h = new PasswordHasher();
    const stored = await h.hash('kettle-lamp-9');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await h.verify(stored, 'kettle-lamp-9')).toBe(true);
  });

  it('hashes with the parameters it was given', async () => {
    const stored = await new PasswordHasher(light).hash('kettle-lamp-9');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=8192,t=1,p=1\$/);
  });

  it('verifies the right password and refuses a wrong one or a stored value that is not a hash', async () => {
    const h = new PasswordHasher(light);
    const stored = await h.hash('kettle-lamp-9');
    expect(await h.verify(stored, 'kettle-lamp-8')).toBe(false);
    expect(await h.verify('not a hash', 'kettle-lamp-9')).toBe(false);
    expect(await h.verify('', '')).toBe(false);
  });

  it('answers an unknown address with false after a real argon2id check with the same parameters', async () => {
    const checked: string[] = [];
    class Watched extends PasswordHasher {
      override async verify(stored: string, password: string) { checked.push(stored); return super.verify(stored, password); }
    }
    const h = new Watched(light);
    expect(await h.verifyNobody('kettle-lamp-9')).toBe(false);
    expect(await h.verifyNobody('not-a-real-password-for-timing')).toBe(false);
    expect(checked).toHaveLength(2);
    expect(checked[0]).toMatch(/^\$argon2id\$v=19\$m=8192,t=1,p=1\$/);
    expect(checked[1]).toBe(checked[0]); // the dummy hash is made once
  });

  it('asks for a rehash exactly when a stored hash has other parameters or is not argon2id', async () => {
    const h = new PasswordHasher(light);
    const own = await h.hash('kettle-lamp-9');
    expect(h.needsRehash(own)).toBe(false);
    expect(new PasswordHasher().needsRehash(await new PasswordHasher().hash('x'))).toBe(false);
    expect(h.needsRehash(own.replace('m=8192', 'm=4096'))).toBe(true);
    expect(h.needsRehash(own.replace('m=8192', 'm=81920'))).toBe(true);
    expect(h.needsRehash(own.replace('t=1', 't=3'))).toBe(true);
    expect(h.needsRehash(own.replace('t=1', 't=11'))).toBe(true);
    expect(h.needsRehash(own.replace('p=1', 'p=2'))).toBe(true);
    expect(h.needsRehash(own.replace('p=1', 'p=11'))).toBe(true);
    expect(h.needsRehash(own.replace('argon2id', 'argon2i'))).toBe(true);
    expect(h.needsRehash(`x${own}`)).toBe(true);
    expect(h.needsRehash('$2b$12$abcdefghijklmnopqrstuv')).toBe(true);
    const wide = new PasswordHasher({ memoryCost: 19_456, timeCost: 12, parallelism: 14 });
    expect(wide.needsRehash('$argon2id$v=19$m=19456,t=12,p=14$c2FsdA$aGFzaA')).toBe(false);
  });
});
