import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/store/keys.js';
import { startPortalEnv, type PortalEnv } from '../support/portal-env.js';

// oidc-provider's own pages (an authorization request it cannot continue, sign-out), as a
// customer sees them: our layout, their language, a reason they can act on, strict headers.
let env: PortalEnv;
beforeAll(async () => { env = await startPortalEnv(); });
afterAll(async () => { await env.stop(); });

const authorize = (params: Record<string, string>) => `${env.app.portal.issuer}/auth?${new URLSearchParams(params)}`;
const valid = () => ({ client_id: env.client.clientId, redirect_uri: env.sandbox.portal.redirectUri(env.P), response_type: 'code', scope: 'openid', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' });

describe('the identity provider\'s own pages', () => {
  it('an unknown portal (client): "not known to the sign-in service", in the browser\'s language, with no script, no framing and no referrer', async () => {
    const b = env.browser();
    b.headers['accept-language'] = 'de-DE,de;q=0.9';
    await b.get(authorize({ ...valid(), client_id: 'hs-999999-unknownclient1' }));
    expect(b.status).toBe(400);
    expect(b.html).toContain('<html lang="de">');
    expect(b.text()).toContain('Etwas ist schiefgelaufen');
    expect(b.text()).toContain('dieses Portal ist dem Anmeldedienst nicht bekannt');
    expect(b.received.get('content-security-policy')).toBe("default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'");
    expect(b.received.get('referrer-policy')).toBe('no-referrer');
    expect(b.received.get('content-type')).toMatch(/^text\/html/);
  });

  it('a return address the portal did not register: that reason, in the relying party\'s ui_locales', async () => {
    const b = env.browser();
    await b.get(authorize({ ...valid(), redirect_uri: 'https://elsewhere.example/callback', ui_locales: 'es' }));
    expect(b.status).toBe(400);
    expect(b.html).toContain('<html lang="es">');
    expect(b.text()).not.toContain('dieses Portal');
    expect(b.text()).toContain('la dirección de vuelta no está registrada para este portal');
  });

  it('any other request it refuses: the error code, in the customer\'s words around it', async () => {
    const b = env.browser();
    await b.get(authorize({ response_type: 'code', scope: 'openid' }));
    expect(b.status).toBe(400);
    expect(b.html).toContain('<html lang="en">');
    expect(b.text()).toContain('The sign-in could not continue: the sign-in request is not valid (invalid_request).');
    expect(b.text()).not.toContain('not known to the sign-in service');
    expect(b.text()).not.toContain('not registered for this portal');
  });

  it('its own failure (a client record it cannot read) is "try again in a moment", 503 with Retry-After, not an error of the customer\'s', async () => {
    await env.app.store.set(keys.oidcClient(777), 'not a client record');
    const b = env.browser();
    b.headers['accept-language'] = 'de';
    await b.get(authorize({ ...valid(), client_id: 'hs-777-brokenclient1' }));
    expect(b.status).toBe(503);
    expect(b.received.get('retry-after')).toBe('5');
    expect(b.html).toContain('<html lang="de">');
    expect(b.text()).toContain('Bitte versuchen Sie es gleich noch einmal');
    expect(b.text()).toContain('Der Anmeldedienst hat nicht rechtzeitig geantwortet.');
    expect(b.text()).not.toContain('Etwas ist schiefgelaufen');
  });

  it('sign-out asks first, with the provider\'s own form behind two buttons, then says it is done, in Italian', async () => {
    const { P } = env;
    await env.app.portal.accounts.save({ portalId: P, contactId: '8101', email: 'ada@acme.example', name: 'Ada Lovelace', state: 'active', passwordHash: await env.app.portal.hasher.hash('correct horse battery staple'), grantedAt: new Date().toISOString() });
    const b = env.browser();
    b.headers['accept-language'] = 'it-IT,it;q=0.9';
    const callback = valid().redirect_uri;
    b.stopAt = (u) => u.href.startsWith(callback);
    await b.get(authorize({ ...valid(), state: 'st-1' }));
    await b.submit({ email: 'ada@acme.example', password: 'correct horse battery staple' });
    expect(b.url.startsWith(callback)).toBe(true);
    b.stopAt = undefined;

    await b.get(`${env.app.portal.issuer}/session/end`);
    expect(b.status).toBe(200);
    expect(b.html).toContain('<html lang="it">');
    expect(b.html).toContain('<h1>Esci</h1>');
    expect(b.text()).toContain('Vuoi uscire dal portale clienti?');
    const formId = /<form[^>]*id="([^"]+)"/.exec(b.html)?.[1];
    expect(formId).toBeTruthy();
    expect(b.html).toContain(`<button type="submit" form="${formId}" name="logout" value="yes" autofocus>Esci</button>`);
    expect(b.html).toContain(`<button type="submit" form="${formId}" class="secondary">Resta connesso</button>`);
    expect(b.received.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(b.received.get('referrer-policy')).toBe('no-referrer');
    await b.submit({ logout: 'yes' });
    expect(b.status).toBe(200);
    expect(b.html).toContain('<html lang="it">');
    expect(b.html).toContain('<h1>Sei uscito</h1>');
    expect(b.text()).toContain('Sei uscito dal portale clienti.');
    expect(b.html).not.toContain('<form');
  });
});
