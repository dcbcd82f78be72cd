import nock from 'nock';

// Unit tests talk to nock only: any request that reaches the network fails.
nock.disableNetConnect();
nock.enableNetConnect(/(127\.0\.0\.1|localhost)/);
(globalThis as { __nock?: typeof nock }).__nock = nock;

export { nock };
