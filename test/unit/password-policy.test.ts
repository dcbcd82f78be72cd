import { describe, expect, it } from 'vitest';
import { checkNewPassword, PASSWORD_MAX, PASSWORD_MIN } from '../../src/portal/password-policy.js';
import { personalWords } from '../../src/portal/personal-words.js';

const check = (p: string, inputs: string[] = []) => checkNewPassword(p, p, inputs);

/** Ada Lovelace <ada@acme.example>, of Acme, which also owns acme-labs.example. */
const ada = personalWords({ email: 'ada@acme.example', name: 'Ada Lovelace' }, [{ name: 'Acme', domains: ['acme.example', 'acme-labs.example'] }]);

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

  it('checks length before anything else, and the repeat before strength', () => {
    expect(checkNewPassword('short', 'other', [])).toEqual({ kind: 'short' });
    expect(checkNewPassword('password12', 'password13', [])).toEqual({ kind: 'mismatch' });
  });
});

describe('a password built from the customer\'s own name, address or company', () => {
  it.each([
    ['adalovelace1', ['adalovelace']],
    ['AdaLovelace!', ['adalovelace']],
    ['Lovelace1815', ['lovelace']],
    ['acme.example1', ['acme.example']],
    ['adaacmeexample', ['ada', 'acme', 'example']],
  ])('is refused, naming the words it is built from: %s', (password, words) => {
    expect(check(password, ada)).toEqual({ kind: 'personal', words });
  });

  it('passed before these words were given in parts (the whole name and address alone match nothing)', () => {
    for (const p of ['adalovelace1', 'AdaLovelace!', 'Lovelace1815', 'acme.example1', 'adaacmeexample']) expect(check(p, ['ada@acme.example', 'Ada Lovelace'])).toBeNull();
  });

  it('counts every domain the company owns and its name', () => {
    expect(check('acmelabs2026', ada)).toMatchObject({ kind: 'personal' });
    const engines = personalWords({ email: 'ada@acme.example', name: 'Ada' }, [{ name: 'Analytical Engines Ltd', domains: ['acme.example'] }]);
    expect(check('AnalyticalEngines1', engines)).toEqual({ kind: 'personal', words: ['analytical', 'engines'] });
    expect(check('analytical-engines', engines)).toMatchObject({ kind: 'personal' });
  });

  it('is fine when what is not the customer\'s own is strong by itself', () => {
    expect(check('lovelace-kettle-lamp-9Qz', ada)).toBeNull();
    expect(check('Qx7#vL2!pm-ada', ada)).toBeNull();
  });

  it('is "too easy to guess", not "personal", when it holds none of the customer\'s words', () => {
    expect(check('password12', ada)).toEqual({ kind: 'weak' });
  });
});

describe('the customer\'s own words', () => {
  it('are the name, the address\'s local part and domain labels, the company\'s name and domains, whole and in parts', () => {
    expect(personalWords({ email: 'ada.king+support@mail.acme.co.uk', name: 'Ada King-Lovelace' }, [{ name: 'Acme & Sons', domains: ['acme.co.uk', 'acme-sons.example'] }])).toEqual([
      'ada', 'king', 'lovelace', 'adakinglovelace', 'ada.king+support', 'support', 'mail.acme.co.uk', 'mail', 'acme',
      'acmesons', 'sons', 'acme.co.uk', 'acme-sons.example', 'acme-sons', 'example',
    ]);
  });

  it('leave out parts under 3 characters, and are at most 100', () => {
    expect(personalWords({ email: 'li@ab.cd', name: 'Li Bo' })).toEqual(['libo', 'ab.cd']);
    const many = Array.from({ length: 200 }, (_, i) => ({ name: `Company ${i}`, domains: [] }));
    expect(personalWords({ email: 'x@y.example' }, many)).toHaveLength(100);
  });
});
