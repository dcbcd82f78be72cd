import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Language } from '../../i18n/messages.js';
import { pageText } from '../../i18n/portal-pages.js';
import { pageLanguage } from './page-language.js';
import { renderPage, type PageSpec } from './render-page.js';

const CSP = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'";

function languageOf(ctx: KoaContextWithOIDC): Language {
  const uiLocales = (ctx.oidc?.params?.ui_locales as string | undefined) ?? undefined;
  return pageLanguage(uiLocales, undefined, (langs) => ctx.acceptsLanguages(...langs));
}

function send(ctx: KoaContextWithOIDC, spec: PageSpec): void {
  ctx.set('content-security-policy', CSP);
  ctx.set('referrer-policy', 'no-referrer');
  // A string body that starts with '<' is text/html to Koa.
  ctx.body = renderPage(spec);
}

/** oidc-provider's pages (errors, sign-out), in our layout and the customer's language. */
export const providerPages = {
  async renderError(ctx: KoaContextWithOIDC, out: { error?: string; error_description?: string }): Promise<void> {
    const language = languageOf(ctx);
    // The provider's own description is English and technical; the customer gets a reason in their language.
    const code = out.error ?? 'invalid_request';
    // The provider's own failure (its storage not answering, say): nothing the customer did; try again.
    if (code === 'server_error') {
      ctx.status = 503;
      ctx.set('retry-after', '5');
      return send(ctx, { language, title: 'busy.title', intro: [pageText(language, 'busy.intro')] });
    }
    const reason = code === 'invalid_redirect_uri' ? pageText(language, 'error.reason.redirect')
      : code === 'invalid_client' ? pageText(language, 'error.reason.client')
        : pageText(language, 'error.reason.request', { code });
    send(ctx, { language, title: 'error.title', intro: [pageText(language, 'error.intro', { reason })] });
  },
  async logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void> {
    const language = languageOf(ctx);
    const id = /id="([^"]+)"/.exec(form)?.[1] ?? 'op.logoutForm';
    send(ctx, { language, title: 'signout.title', intro: [pageText(language, 'signout.intro')], providerForm: { html: form, id, yes: 'signout.yes', no: 'signout.no' } });
  },
  async postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
    const language = languageOf(ctx);
    send(ctx, { language, title: 'signout.done.title', intro: [pageText(language, 'signout.done.intro')] });
  },
};
