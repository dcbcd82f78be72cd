import { afterAll, afterEach, expect } from 'vitest';
import { logViolations } from './test-log.js';

// nock is loaded only by the unit tests that use it; when it is, nothing leaves loopback.
afterEach(async () => {
  const nock = (globalThis as { __nock?: typeof import('nock') }).__nock;
  nock?.cleanAll();
});

// Every test app logs through test-log.ts: no line of the file may have held a secret or a link.
afterAll(() => {
  expect(logViolations(), 'log lines that held a secret, a set-password link or an unredacted credential').toEqual([]);
});
