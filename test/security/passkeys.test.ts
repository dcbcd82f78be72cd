import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPortalEnv, type PortalEnv } from '../support/portal-env.js';

let env: PortalEnv;
beforeAll(async () => { env = await startPortalEnv({ host: 'localhost' }); }, 60_000);
afterAll(async () => { await env.stop(); });

const setPasskeys = async (on: boolean) => {
  const current = await env.app.settings.read(env.P);
  await env.app.settings.save(env.P, { ...current.settings, portal: { ...current.settings.portal, emailCode: true, passkeys: on } }, current.version, 'admin');
};
/** A sign-in page in a fresh browser: its interaction's address and the form's CSRF token. */
async function signInPage() {
  const b = env.browser();
  await b.get(env.sandbox.portal.portalUrl(env.P));
  return { b, interaction: b.url, csrf: /name="_csrf" value="([^"]+)"/.exec(b.html)![1]! };
}

describe('the passkey endpoints, tried as an attacker would', () => {
  it('answer 404 where the account did not turn passkeys on, and the sign-in page has no script there', async () => {
    await setPasskeys(false);
    const { b, interaction, csrf } = await signInPage();
    expect(b.html).not.toContain('<script');
    await b.json(`${interaction}/passkey/options`, { _csrf: csrf });
    expect(b.status).toBe(404);
    // The passkeys page's address typed by hand: back to the sign-in page, which says nothing of passkeys.
    await b.get(`${interaction}/passkeys`);
    expect(b.url).toBe(interaction);
    expect(b.html).not.toMatch(/passkey/i);
    await setPasskeys(true);
  });

  it('need the form\'s token (CSRF) on every call, and a sign-in page with the button allows scripts from the app only', async () => {
    const { b, interaction, csrf } = await signInPage();
    expect(b.html).toContain('<script src="/portal/assets/passkeys.js" defer></script>');
    expect(b.received.get('content-security-policy')).toMatch(/script-src 'self'; connect-src 'self';/);
    expect(b.received.get('content-security-policy')).not.toMatch(/unsafe-inline|unsafe-eval/);
    await b.json(`${interaction}/passkey/options`, {});
    expect(b.status).toBe(403);
    await b.json(`${interaction}/passkey`, { response: {} });
    expect(b.status).toBe(403);
    await b.json(`${interaction}/passkey/options`, { _csrf: csrf });
    expect(b.status).toBe(200);
    const options = JSON.parse(b.html) as { challenge: string; rpId: string; allowCredentials?: unknown[] };
    // Discoverable credentials: the options name no one's passkeys, so they tell nothing about who has an account.
    expect(options.rpId).toBe('localhost');
    expect(options.allowCredentials ?? []).toEqual([]);
    expect(options.challenge).toMatch(/^[\w-]{43}$/);
  });

  it('refuse an answer that is not WebAuthn\'s shape or is too large, and one of no account\'s passkey with the same words as a wrong one', async () => {
    const { b, interaction, csrf } = await signInPage();
    await b.json(`${interaction}/passkey/options`, { _csrf: csrf });
    await b.json(`${interaction}/passkey`, { _csrf: csrf, response: { id: '../../x', rawId: 'x', type: 'public-key', response: {}, clientExtensionResults: {} } });
    expect(b.status).toBe(400);
    expect(JSON.parse(b.html)).toEqual({ message: 'That passkey did not sign you in. Try again, or sign in with your password or a code by email.' });
    await b.json(`${interaction}/passkey`, JSON.stringify({ _csrf: csrf, response: { id: 'a'.repeat(70_000) } }));
    expect(b.status).toBe(413);
    expect(JSON.parse(b.html)).toEqual({ message: 'The sign-in could not continue: what this page sent is too large or not readable. Go back to the customer portal and try again.' });
    // A well-formed answer for a passkey no account has: the same words as a wrong one.
    await b.json(`${interaction}/passkey/options`, { _csrf: csrf });
    await b.json(`${interaction}/passkey`, { _csrf: csrf, response: { id: 'AAAA', rawId: 'AAAA', type: 'public-key', clientExtensionResults: {}, response: { clientDataJSON: 'e30', authenticatorData: 'AAAA', signature: 'AAAA' } } });
    expect(b.status).toBe(401);
    expect(JSON.parse(b.html)).toEqual({ message: 'That passkey did not sign you in. Try again, or sign in with your password or a code by email.' });
  });

  it('show the passkeys page, and add or remove a passkey, only after a sign-in in this browser', async () => {
    const { b, interaction, csrf } = await signInPage();
    await b.json(`${interaction}/passkeys/options`, { _csrf: csrf });
    expect(b.status).toBe(403);
    await b.json(`${interaction}/passkeys/register`, { _csrf: csrf, response: {} });
    expect(b.status).toBe(403);
    await b.request('POST', `${interaction}/passkeys/remove`, { _csrf: csrf, id: 'AAAA' });
    expect(b.status).toBe(400);
    await b.get(`${interaction}/passkeys`);
    // Sent to sign in first, with a word of why.
    expect(b.url).toBe(`${interaction}?passkeys=1`);
    expect(b.html).toContain('Sign in first, then you can see and remove your passkeys.');
  });
});
