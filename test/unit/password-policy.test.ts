import { describe, expect, it } from 'vitest';
import { checkNewPassword, PASSWORD_MAX, PASSWORD_MIN } from '../../src/portal/password-policy.js';

const check = (p: string, inputs: string[] = []) => checkNewPassword(p, p, inputs);

describe('a customer\'s new password', () => {
  it('is at least 10 characters: 9 is too short, 10 is enough', () => {
    expect(PASSWORD_MIN).toBe(10);
    expect(check('Qx7#vL2!pm')).toBeNull();
    expect(check('Qx7#vL2!p')).toEqual({ kind: 'short' });
  });

  it('is at most 256 characters: 256 is fine, 257 is too long (a 1 MB "password" never reaches the hasher)', () => {
    expect(PASSWORD_MAX).toBe(256);
    const strong = 'Tr0ub4dor&3-kettle-lamp-';
    expect(check(strong.repeat(11).slice(0, 256))).toBeNull();
    expect(check(strong.repeat(11).slice(0, 257))).toEqual({ kind: 'long' });
  });

  it('must be typed the same twice', () => {
    expect(checkNewPassword('kettle-lamp-9', 'kettle-lamp-8', [])).toEqual({ kind: 'mismatch' });
  });

  it('must reach zxcvbn score 3: "kettle-lamp" (score 3) passes, "password12" (1) and "correcthorse" (2) do not', () => {
    expect(check('kettle-lamp')).toBeNull();
    expect(check('password12')).toEqual({ kind: 'weak' });
    expect(check('correcthorse')).toEqual({ kind: 'weak' });
  });

  it('counts the customer\'s own email and name as words an attacker tries first', () => {
    expect(check('lovelace-ada')).toBeNull();
    expect(check('lovelace-ada', ['ada@acme.example', 'Ada Lovelace', 'lovelace'])).toEqual({ kind: 'weak' });
    expect(check('ada@acme.example', ['ada@acme.example'])).toEqual({ kind: 'weak' });
  });

  it('checks length before anything else, and the repeat before strength', () => {
    expect(checkNewPassword('short', 'other', [])).toEqual({ kind: 'short' });
    expect(checkNewPassword('password12', 'password13', [])).toEqual({ kind: 'mismatch' });
  });
});
