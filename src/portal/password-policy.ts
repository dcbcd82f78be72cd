import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';

export const PASSWORD_MIN = 10;
/** argon2 takes any length; the bound keeps a hostile 1 MB "password" from costing anything. */
export const PASSWORD_MAX = 256;

const zxcvbn = new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs });

export type PasswordProblem = { kind: 'short' } | { kind: 'long' } | { kind: 'mismatch' } | { kind: 'weak'; hint?: string };

/**
 * Length bounds, then zxcvbn-ts (Dropbox's estimator, maintained as zxcvbn-ts) with the
 * account's own email and name as words an attacker would try first: a score of 3 ("safely
 * unguessable", about 10^8 guesses and more) is the floor.
 */
export function checkNewPassword(password: string, repeated: string, userInputs: string[]): PasswordProblem | null {
  if (password.length < PASSWORD_MIN) return { kind: 'short' };
  if (password.length > PASSWORD_MAX) return { kind: 'long' };
  if (password !== repeated) return { kind: 'mismatch' };
  // Stryker disable next-line MethodExpression: zxcvbn-ts gives the same score with empty words; the filter saves it the work.
  const result = zxcvbn.check(password, userInputs.filter(Boolean));
  return result.score >= 3 ? null : { kind: 'weak' };
}
