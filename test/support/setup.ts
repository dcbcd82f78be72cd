import { afterEach } from 'vitest';

// nock is loaded only by the unit tests that use it; when it is, nothing leaves loopback.
afterEach(async () => {
  const nock = (globalThis as { __nock?: typeof import('nock') }).__nock;
  nock?.cleanAll();
});
