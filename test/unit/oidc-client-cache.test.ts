import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TokenCipher } from '../../src/auth/token-cipher.js';
import { OidcClients } from '../../src/portal/oidc/oidc-clients.js';
import { MemoryStore } from '../../src/store/memory-store.js';

const REDIRECT = 'https://support.acme.example/_hcms/oidc/callback';

describe('the OIDC client lookups oidc-provider makes several times per sign-in', () => {
  it('are answered from memory for two seconds; a change saved in this process counts at once, one saved by another process after at most two seconds', async () => {
    const store = new MemoryStore();
    const cipher = new TokenCipher(randomBytes(32));
    const clock = { now: 1_000_000 };
    const here = new OidcClients(store, cipher, () => clock.now);
    const elsewhere = new OidcClients(store, cipher, () => clock.now); // another web process on the same store
    const first = await here.save(4242, [REDIRECT]);
    const secretOf = async (clients: OidcClients) => (await clients.metadata(first.clientId))?.client_secret;
    expect(await secretOf(here)).toBe(first.clientSecret);
    expect(await secretOf(elsewhere)).toBe(first.clientSecret);

    const rotated = await here.save(4242, [REDIRECT], true);
    expect(await secretOf(here)).toBe(rotated.clientSecret);
    clock.now += 1999;
    expect(await secretOf(elsewhere)).toBe(first.clientSecret);
    clock.now += 2;
    expect(await secretOf(elsewhere)).toBe(rotated.clientSecret);
    // An id that is not the account's current client is never answered, cached or not.
    expect(await here.metadata(`hs-4242-${'x'.repeat(12)}`)).toBeUndefined();
  });
});
