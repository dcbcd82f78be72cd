import nock from 'nock';
import { afterEach } from 'vitest';

// Unit tests talk to nock only; integration tests talk to loopback servers, never the internet.
nock.disableNetConnect();
nock.enableNetConnect(/(127\.0\.0\.1|localhost|\[::1\])/);
afterEach(() => { nock.cleanAll(); });
