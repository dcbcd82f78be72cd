import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';

export const PASSWORD_MIN = 10;
/** argon2 takes any length; the bound keeps a hostile 1 MB "password" from costing anything. */
export const PASSWORD_MAX = 256;
/** zxcvbn's "safely unguessable" (about 10^8 guesses and more). */
const STRONG = 3;

const zxcvbn = new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs });

export type PasswordProblem =
  | { kind: 'short' } | { kind: 'long' } | { kind: 'mismatch' } | { kind: 'weak' }
  /** Built from the customer's own name, address or company: `words` are the ones it uses. */
  | { kind: 'personal'; words: string[] };

/**
 * Length bounds, then zxcvbn-ts (Dropbox's estimator) with the customer's own words (see
 * personal-words.ts) as the ones an attacker tries first. zxcvbn prices every extra part of a
 * password at 10^4 guesses, so "ada" + "lovelace" + "1" reaches its score 3 even when both names
 * are known: the part that is not the customer's own must therefore be strong by itself.
 */
export function checkNewPassword(password: string, repeated: string, personal: string[]): PasswordProblem | null {
  if (password.length < PASSWORD_MIN) return { kind: 'short' };
  if (password.length > PASSWORD_MAX) return { kind: 'long' };
  if (password !== repeated) return { kind: 'mismatch' };
  const result = zxcvbn.check(password, personal);
  const own = result.sequence.filter((m) => m.pattern === 'dictionary' && m.dictionaryName === 'userInputs');
  if (own.length) {
    const rest = result.sequence.filter((m) => !own.includes(m)).map((m) => m.token).join('');
    if (result.score < STRONG || zxcvbn.check(rest, personal).score < STRONG) {
      return { kind: 'personal', words: [...new Set(own.map((m) => String(m.matchedWord)))] };
    }
  }
  return result.score >= STRONG ? null : { kind: 'weak' };
}
