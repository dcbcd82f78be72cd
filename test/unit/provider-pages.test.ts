import type { KoaContextWithOIDC } from 'oidc-provider';
import { describe, expect, it } from 'vitest';
import { providerPages } from '../../src/portal/pages/provider-pages.js';

// The sign-out page wraps whatever form oidc-provider hands over: its buttons must submit that
// form, by the id the form has (the integration test signs out through the real provider).
function context(acceptLanguage = 'en') {
  const headers: Record<string, string> = {};
  const ctx = {
    oidc: { params: {} }, body: '' as unknown, status: 200,
    set(name: string, value: string) { headers[name.toLowerCase()] = value; },
    acceptsLanguages: (...langs: string[]) => (langs.includes(acceptLanguage) ? acceptLanguage : false),
  };
  return { ctx, headers, html: () => String(ctx.body) };
}

describe('the sign-out page around the provider\'s form', () => {
  it('points both buttons at the form the provider gave, whatever its id', async () => {
    const page = context('es');
    await providerPages.logoutSource(page.ctx as unknown as KoaContextWithOIDC, '<form id="provider.form-7" method="post" action="/oidc/session/end/confirm"><input type="hidden" name="xsrf" value="x"/></form>');
    expect(page.html()).toContain('<form id="provider.form-7" method="post" action="/oidc/session/end/confirm">');
    expect(page.html()).toContain('<button type="submit" form="provider.form-7" name="logout" value="yes" autofocus>Cerrar sesión</button>');
    expect(page.html()).toContain('<button type="submit" form="provider.form-7" class="secondary">Seguir con la sesión iniciada</button>');
    expect(page.headers['content-security-policy']).toBe("default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'");
    expect(page.headers['referrer-policy']).toBe('no-referrer');
  });

  it('falls back to the provider\'s usual id when its form names none', async () => {
    const page = context();
    await providerPages.logoutSource(page.ctx as unknown as KoaContextWithOIDC, '<form method="post" action="/oidc/session/end/confirm"></form>');
    expect(page.html()).toContain('<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Sign out</button>');
  });
});
