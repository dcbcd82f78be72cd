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
  ctx.type = 'html';
  ctx.body = renderPage(spec);
}

/** oidc-provider's pages (errors, sign-out), in our layout and the customer's language. */
export const providerPages = {
  async renderError(ctx: KoaContextWithOIDC, out: { error?: string; error_description?: string }): Promise<void> {
    const language = languageOf(ctx);
    // The description is the provider's own text (no user data), e.g. "redirect_uri did not match any of the client's registered redirect_uris".
    send(ctx, { language, title: 'error.title', intro: [pageText(language, 'error.intro', { reason: out.error_description ?? out.error ?? 'invalid_request' })] });
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
