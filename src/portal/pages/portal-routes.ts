import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import cookieParser from 'cookie-parser';
import { doubleCsrf } from 'csrf-csrf';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import { normalizeEmail } from '../../contacts/normalize-email.js';
import type { Language } from '../../i18n/messages.js';
import { pageText, type PageKey } from '../../i18n/portal-pages.js';
import type { Settings } from '../../settings/settings-schema.js';
import { keys } from '../../store/keys.js';
import type { Store } from '../../store/store.js';
import { subjectOf } from '../oidc/create-provider.js';
import { OidcClients } from '../oidc/oidc-clients.js';
import type { PasswordHasher } from '../password-hasher.js';
import { companiesOfDomain } from '../../companies/companies-of-domain.js';
import { checkNewPassword, PASSWORD_MAX, PASSWORD_MIN, type PasswordProblem } from '../password-policy.js';
import { personalWords } from '../personal-words.js';
import type { PortalAccount, PortalAccounts } from '../portal-accounts.js';
import type { LimitVerdict, SignInLimiter } from '../sign-in-limiter.js';
import { SIGN_IN_CODE, SignInCodes } from '../sign-in-codes.js';
import { pageLanguage } from './page-language.js';
import { pageDeadline, sendBusy } from './busy-page.js';
import type { Passkeys } from '../passkeys.js';
import { passkeyRoutes } from './passkey-routes.js';
import { PASSKEY_JS, PORTAL_CSS, renderPage, type PageSpec } from './render-page.js';

export interface PortalRoutesDeps {
  provider: () => Provider;
  store: Store;
  accounts: PortalAccounts;
  hasher: PasswordHasher;
  limiter: SignInLimiter;
  settingsOf: (portalId: number) => Promise<Settings>;
  /** Queues "email this address a new link if it has an account": the answer never depends on it. */
  queueReset: (portalId: number, email: string) => Promise<void>;
  /** Queues "give this address access if its domain is a customer company's": the answer never depends on it. */
  queueRegistration: (portalId: number, email: string) => Promise<void>;
  /** Sign-in codes: the page keeps the request and checks typed codes; the worker mints and emails them. */
  codes: SignInCodes;
  /** Queues "email this address a sign-in code if it has an active account": the answer never depends on it. */
  queueCode: (portalId: number, email: string, challenge: string) => Promise<void>;
  /** Customers' passkeys (where the account turned them on). */
  passkeys: Passkeys;
  /** Signs the CSRF tokens; a server secret. */
  csrfSecret: string;
  /** https in production: cookies are Secure and __Host- prefixed. */
  secure: boolean;
  log: Logger;
}

const BROWSER_COOKIE = 'pa_bid';

/** @simplewebauthn/browser's own browser bundle (it defines window.SimpleWebAuthnBrowser), read once. */
let webauthnBundle: string | undefined;
const webauthnBrowser = () => (webauthnBundle ??= readFileSync(join(dirname(createRequire(import.meta.url).resolve('@simplewebauthn/browser')), '../dist/bundle/index.umd.min.js'), 'utf8'));
/** The email-only forms and the autocomplete hint of their field. */
const EMAIL_FORMS = { forgot: 'username', register: 'email' } as const;
type EmailForm = keyof typeof EMAIL_FORMS;
const EMAIL_MAX = 254;
const PORTAL_ID = /^[1-9]\d{0,15}$/;

/**
 * Strict CSP: nothing inline, nothing from elsewhere; forms post here (and, on sign-in, on to the
 * client). `scripts`: a page with the passkey button runs our two script files and calls back here.
 */
function securityHeaders(formTargets: string[] = [], scripts = false) {
  return (_req: Request, res: Response, next: NextFunction) => {
    res.set({
      'content-security-policy': `default-src 'none'; style-src 'self'; img-src 'self';${scripts ? " script-src 'self'; connect-src 'self';" : ''} base-uri 'none'; frame-ancestors 'none'; form-action 'self'${formTargets.map((t) => ` ${t}`).join('')}`,
      'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store',
    });
    next();
  };
}

/**
 * The pages customers see: sign in (oidc-provider's login interaction), forgot password, set
 * password (behind a one-time link). Server-rendered, no script, localised, CSRF-protected.
 * Messages never tell whether an account exists.
 */
export function portalRoutes(d: PortalRoutesDeps): Router {
  const r = Router();
  const { generateCsrfToken, doubleCsrfProtection } = doubleCsrf({
    getSecret: () => d.csrfSecret,
    getSessionIdentifier: (req) => String((req.cookies as Record<string, string>)[BROWSER_COOKIE] ?? ''),
    cookieName: d.secure ? '__Host-pa.csrf' : 'pa.csrf',
    cookieOptions: { sameSite: 'lax', secure: d.secure, path: '/' },
    getCsrfTokenFromRequest: (req) => (req.body as Record<string, string> | undefined)?._csrf,
  });

  r.get('/portal/assets/portal.css', (_req, res) => { res.type('text/css').set('cache-control', 'public, max-age=3600').send(PORTAL_CSS); });
  r.get('/portal/assets/passkeys.js', (_req, res) => { res.type('text/javascript').set({ 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' }).send(PASSKEY_JS); });
  r.get('/portal/assets/webauthn.js', (_req, res) => { res.type('text/javascript').set({ 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' }).send(webauthnBrowser()); });

  r.use('/portal', pageDeadline(d.log));
  r.use('/portal', cookieParser(), express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 }), (req, res, next) => {
    // A random id per browser that the CSRF token is bound to (the double-submit pattern's session).
    const cookies = req.cookies as Record<string, string>;
    if (!cookies[BROWSER_COOKIE]) {
      cookies[BROWSER_COOKIE] = randomBytes(18).toString('base64url');
      res.cookie(BROWSER_COOKIE, cookies[BROWSER_COOKIE], { httpOnly: true, sameSite: 'lax', secure: d.secure, path: '/' });
    }
    next();
  });

  const send = (res: Response, status: number, spec: PageSpec) => { res.status(status).type('html').send(renderPage(spec)); };
  const lang = (req: Request, uiLocales?: string, contactLocale?: string) => pageLanguage(uiLocales, contactLocale, (l) => req.acceptsLanguages(...l));
  const csrf = (req: Request, res: Response) => generateCsrfToken(req, res, { overwrite: true });
  const body = (req: Request, name: string, max: number) => {
    const v = (req.body as Record<string, unknown> | undefined)?.[name];
    return typeof v === 'string' ? v.slice(0, max + 1) : '';
  };

  /** The customer's own words (name, address, company) for the password check. */
  const wordsOf = async (account: PortalAccount) => personalWords(account, await companiesOfDomain(d.store, account.portalId, account.email.split('@')[1] ?? ''));

  const sessionExpired = (res: Response, language: Language) => send(res, 400, {
    language, title: 'error.title', intro: [pageText(language, 'error.intro', { reason: pageText(language, 'error.session') })],
  });

  /** Loads the login interaction and the account (HubSpot portal) of its client. */
  const interaction = async (req: Request, res: Response) => {
    try {
      const details = await d.provider().interactionDetails(req, res);
      const portalId = OidcClients.portalOf(String(details.params.client_id ?? ''));
      if (portalId === null) return null;
      const client = await d.provider().Client.find(String(details.params.client_id));
      return { details, portalId, uiLocales: details.params.ui_locales as string | undefined, redirectOrigins: (client?.redirectUris ?? []).map((u) => new URL(u).origin) };
    } catch {
      return null;
    }
  };

  type Found = NonNullable<Awaited<ReturnType<typeof interaction>>>;

  const signInPage = async (req: Request, res: Response, uid: string, portalId: number, language: Language, opts: { status?: number; alert?: string; email?: string; redirectOrigins?: string[]; notice?: string } = {}) => {
    const back = encodeURIComponent(`/portal/interaction/${uid}`);
    const { selfRegistration, emailCode, passkeys } = (await d.settingsOf(portalId)).portal;
    if (passkeys) securityHeaders(opts.redirectOrigins ?? [], true)(req, res, () => undefined);
    const token = csrf(req, res);
    send(res, opts.status ?? 200, {
      language, title: 'signin.title', intro: [pageText(language, 'signin.intro')], alert: opts.alert, status: passkeys ? opts.notice : undefined,
      passkey: passkeys ? { mode: 'sign-in', options: `/portal/interaction/${uid}/passkey/options`, verify: `/portal/interaction/${uid}/passkey`, csrf: token, label: 'signin.passkey', secondary: true } : undefined,
      form: {
        action: `/portal/interaction/${uid}/login`, csrf: token, submit: 'signin.submit',
        fields: [
          { name: 'email', label: 'signin.email', type: 'email', value: opts.email, autocomplete: 'username' },
          { name: 'password', label: 'signin.password', type: 'password', autocomplete: 'current-password' },
          // Where the page offered passkeys, the sign-in asks whether the passkeys page comes next (elsewhere it reads nothing more).
          ...(passkeys ? [{ name: 'pk', label: 'signin.passkey' as PageKey, type: 'hidden' as const, value: '1' }] : []),
        ],
      },
      links: [
        ...(emailCode ? [{ href: `/portal/interaction/${uid}/code`, label: 'signin.code' as PageKey }] : []),
        { href: `/portal/${portalId}/forgot?return=${back}`, label: 'signin.forgot' },
        ...(selfRegistration ? [{ href: `/portal/${portalId}/register?return=${back}`, label: 'signin.register' as PageKey }] : []),
        ...(passkeys ? [{ href: `/portal/interaction/${uid}/passkeys`, label: 'signin.passkeys.manage' as PageKey }] : []),
      ],
    });
  };

  r.get('/portal/interaction/:uid', async (req, res) => {
    const found = await interaction(req, res);
    if (!found) return sessionExpired(res, lang(req));
    securityHeaders(found.redirectOrigins)(req, res, () => undefined);
    const language = lang(req, found.uiLocales);
    await signInPage(req, res, String(req.params.uid), found.portalId, language, { redirectOrigins: found.redirectOrigins, notice: req.query.passkeys === '1' ? pageText(language, 'passkey.manage.first') : undefined });
  });

  r.post('/portal/interaction/:uid/login', doubleCsrfProtection, async (req, res) => {
    const found = await interaction(req, res);
    if (!found) return sessionExpired(res, lang(req));
    securityHeaders(found.redirectOrigins)(req, res, () => undefined);
    const { portalId } = found;
    const uid = String(req.params.uid);
    const language = lang(req, found.uiLocales);
    const typed = body(req, 'email', EMAIL_MAX);
    const email = typed.length <= EMAIL_MAX ? normalizeEmail(typed)?.email : undefined;
    const password = body(req, 'password', PASSWORD_MAX);
    if (!typed || !password) return void await signInPage(req, res, uid, portalId, language, { status: 400, alert: pageText(language, 'signin.missing'), email: typed });

    const accountKey = `${portalId}:${email ?? typed.toLowerCase()}`;
    // The limits and the account are read at once (one wait for Redis); a limited attempt uses neither the account nor its hash.
    const [limit, account] = await Promise.all([d.limiter.attempt(req.ip ?? 'unknown', accountKey), email ? d.accounts.findByLogin(portalId, email) : null]);
    if (limit.limited) {
      return void await signInPage(req, res, uid, portalId, language, { status: 429, alert: pageText(language, 'signin.limited', { minutes: Math.max(1, Math.ceil(limit.retryAfterMs / 60_000)) }), email: typed });
    }
    // An unknown address costs one hash check too, so timing does not tell who has an account.
    const passwordOk = account?.passwordHash && password.length <= PASSWORD_MAX ? await d.hasher.verify(account.passwordHash, password) : await d.hasher.verifyNobody(password);
    if (!account || !passwordOk || account.state !== 'active') {
      await d.limiter.failed(accountKey);
      d.log.info({ portalId, outcome: 'refused' }, 'portal sign-in');
      return void await signInPage(req, res, uid, portalId, language, { status: 401, alert: pageText(language, 'signin.failed'), email: typed });
    }
    // The account's wrong passwords are forgotten (nothing to forget, no call).
    if (limit.failures) await d.limiter.succeeded(accountKey);
    await signedIn(req, res, uid, found, account, 'password', d.hasher.needsRehash(account.passwordHash!) ? await d.hasher.hash(password) : undefined, body(req, 'pk', 1) === '1');
  });

  /** A sign-in that proved who it is (password or code): recorded, then a temporary password to replace, or back to the client. */
  const signedIn = async (req: Request, res: Response, uid: string, found: Found, account: PortalAccount, method: 'password' | 'code', rehashed?: string, passkeysOffered = true) => {
    const { portalId } = account;
    await d.accounts.update({ ...account, lastSignInAt: new Date().toISOString(), ...(rehashed ? { passwordHash: rehashed } : {}) });
    d.log.info({ portalId, contactId: account.contactId, outcome: 'signed-in', method }, 'portal sign-in');
    if (account.mustChangePassword) {
      await d.store.set(keys.idempotency(portalId, `password-change:${uid}`), account.contactId, 600);
      return changePasswordPage(req, res, uid, account, lang(req, found.uiLocales, account.locale));
    }
    if (passkeysOffered && await passkeyPages.afterSignIn(req, uid, account)) return void res.redirect(303, `/portal/interaction/${uid}/passkeys`);
    await finish(req, res, account, found.details);
  };
  /**
   * Back to the client, signed in. With the interaction this request already loaded, its result is
   * saved on it as oidc-provider's interactionFinished does (one read of it fewer); else that call.
   */
  const finish = async (req: Request, res: Response, account: PortalAccount, loaded?: Found['details']) => {
    const result = { login: { accountId: subjectOf(account.portalId, account.contactId) } };
    if (!loaded) return d.provider().interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    loaded.result = result;
    await loaded.save(loaded.exp - Math.floor(Date.now() / 1000));
    res.redirect(303, loaded.returnTo);
  };

  // ---- passkeys: sign in with one; the customer's passkeys page after a sign-in ----
  const passkeyPages = passkeyRoutes(r, {
    store: d.store, accounts: d.accounts, passkeys: d.passkeys, limiter: d.limiter, settingsOf: d.settingsOf, log: d.log,
    csrfProtection: doubleCsrfProtection, interaction, send, lang, csrf, sessionExpired,
    headers: (req, res, formTargets, scripts) => securityHeaders(formTargets, scripts)(req, res, () => undefined),
    challengeOf: (req, uid) => challengeOf(req, uid),
    finish,
    finishUrl: (req, res, account) => d.provider().interactionResult(req, res, { login: { accountId: subjectOf(account.portalId, account.contactId) } }, { mergeWithLastSubmission: false }),
  });

  // ---- sign in with a code by email: the same answer for every address, the code bound to this browser and sign-in ----
  const challengeOf = (req: Request, uid: string) => SignInCodes.challengeOf(String((req.cookies as Record<string, string>)[BROWSER_COOKIE] ?? ''), uid);
  const codeLinks = (uid: string): PageSpec['links'] => [{ href: `/portal/interaction/${uid}/code`, label: 'code.again' }, { href: `/portal/interaction/${uid}`, label: 'code.password' }];
  const codeRequestPage = (req: Request, res: Response, uid: string, language: Language, opts: { status?: number; error?: string; alert?: string; email?: string } = {}) => send(res, opts.status ?? 200, {
    language, title: 'code.title', intro: [pageText(language, 'code.intro')], alert: opts.alert,
    form: {
      action: `/portal/interaction/${uid}/code`, csrf: csrf(req, res), submit: 'code.request',
      fields: [{ name: 'email', label: 'signin.email', type: 'email', value: opts.email, autocomplete: 'username', error: opts.error }],
    },
    links: [{ href: `/portal/interaction/${uid}`, label: 'code.password' }],
  });
  const codeEntryPage = (req: Request, res: Response, uid: string, language: Language, intro: string, opts: { status?: number; error?: string } = {}) => send(res, opts.status ?? 200, {
    language, title: 'code.enter.title', intro: [intro],
    form: {
      action: `/portal/interaction/${uid}/code/verify`, csrf: csrf(req, res), submit: 'code.submit',
      fields: [{ name: 'code', label: 'code.field', type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: 12, error: opts.error }],
    },
    links: codeLinks(uid),
  });
  /** The code pages exist where the account turned the sign-in by code on; elsewhere the sign-in page answers. */
  const codeInteraction = async (req: Request, res: Response) => {
    const found = await interaction(req, res);
    if (!found) { sessionExpired(res, lang(req)); return null; }
    securityHeaders(found.redirectOrigins)(req, res, () => undefined);
    const uid = String(req.params.uid);
    const language = lang(req, found.uiLocales);
    if (!(await d.settingsOf(found.portalId)).portal.emailCode) { await signInPage(req, res, uid, found.portalId, language, { status: 404 }); return null; }
    return { ...found, uid, language };
  };

  r.get('/portal/interaction/:uid/code', async (req, res) => {
    const found = await codeInteraction(req, res);
    if (found) codeRequestPage(req, res, found.uid, found.language);
  });

  r.post('/portal/interaction/:uid/code', doubleCsrfProtection, async (req, res) => {
    const found = await codeInteraction(req, res);
    if (!found) return;
    const { uid, language, portalId } = found;
    const typed = body(req, 'email', EMAIL_MAX);
    const email = typed.length <= EMAIL_MAX ? normalizeEmail(typed)?.email : undefined;
    if (!email) return codeRequestPage(req, res, uid, language, { status: 400, error: pageText(language, 'forgot.invalid'), email: typed });
    const verdict = await d.limiter.codeRequest(req.ip ?? 'unknown', `${portalId}:${email}`);
    if (verdict.limited) return codeRequestPage(req, res, uid, language, { status: 429, error: pageText(language, 'signin.limited', { minutes: Math.max(1, Math.ceil(verdict.retryAfterMs / 60_000)) }), email: typed });
    // Kept and queued for every address alike: whether it has an account is the worker's to find out.
    const challenge = challengeOf(req, uid);
    await d.codes.request(portalId, challenge, email);
    await d.queueCode(portalId, email, challenge);
    codeEntryPage(req, res, uid, language, pageText(language, 'code.sent', { email, minutes: SIGN_IN_CODE.ttlSeconds / 60 }));
  });

  r.post('/portal/interaction/:uid/code/verify', doubleCsrfProtection, async (req, res) => {
    const found = await codeInteraction(req, res);
    if (!found) return;
    const { uid, language, portalId } = found;
    const challenge = challengeOf(req, uid);
    // Every try counts for the client address too, like a password.
    const limit = await d.limiter.attempt(req.ip ?? 'unknown', `${portalId}:code:${challenge}`);
    const retry = (minutes: number) => pageText(language, 'signin.limited', { minutes });
    if (limit.limited) return codeEntryPage(req, res, uid, language, pageText(language, 'code.enter.intro'), { status: 429, error: retry(Math.max(1, Math.ceil(limit.retryAfterMs / 60_000))) });
    const verdict = await d.codes.verify(portalId, challenge, body(req, 'code', 12));
    const account = verdict.ok ? await d.accounts.get(portalId, verdict.contactId) : null;
    if (verdict.ok && account?.state === 'active' && account.email === verdict.email) return void await signedIn(req, res, uid, found, account, 'code');
    d.log.info({ portalId, outcome: 'refused', method: 'code', reason: verdict.ok ? 'account' : verdict.reason }, 'portal sign-in');
    if (!verdict.ok && verdict.reason === 'wrong') return codeEntryPage(req, res, uid, language, pageText(language, 'code.enter.intro'), { status: 401, error: pageText(language, 'code.wrong', { tries: verdict.triesLeft }) });
    send(res, verdict.ok || verdict.reason === 'none' ? 410 : 429, {
      language, title: 'code.title', alert: pageText(language, verdict.ok || verdict.reason === 'none' ? 'code.none' : 'code.tries'), links: codeLinks(uid),
    });
  });

  const passwordFields = (problem?: PasswordProblem | null, language?: Language) => {
    const message = problem && language ? problemText(problem, language) : undefined;
    return [
      { name: 'password', label: 'set.password' as PageKey, type: 'password' as const, autocomplete: 'new-password', error: problem && problem.kind !== 'mismatch' ? message : undefined },
      { name: 'confirm', label: 'set.confirm' as PageKey, type: 'password' as const, autocomplete: 'new-password', error: problem?.kind === 'mismatch' ? message : undefined },
    ];
  };

  const changePasswordPage = (req: Request, res: Response, uid: string, account: PortalAccount, language: Language, problem?: PasswordProblem) => send(res, problem ? 400 : 200, {
    language, title: 'set.title', intro: [pageText(language, 'set.change.intro'), pageText(language, 'set.intro', { email: account.email, min: PASSWORD_MIN })],
    form: { action: `/portal/interaction/${uid}/change`, csrf: csrf(req, res), submit: 'set.submit', fields: passwordFields(problem, language) },
  });

  // Temporary-password mode: the first sign-in must choose a password before it completes.
  r.post('/portal/interaction/:uid/change', doubleCsrfProtection, async (req, res) => {
    const found = await interaction(req, res);
    if (!found) return sessionExpired(res, lang(req));
    const uid = String(req.params.uid);
    const contactId = await d.store.get(keys.idempotency(found.portalId, `password-change:${uid}`));
    const account = contactId ? await d.accounts.get(found.portalId, contactId) : null;
    if (!account || account.state !== 'active') return sessionExpired(res, lang(req, found.uiLocales));
    const language = lang(req, found.uiLocales, account.locale);
    const problem = checkNewPassword(body(req, 'password', PASSWORD_MAX), body(req, 'confirm', PASSWORD_MAX), await wordsOf(account));
    if (problem) return changePasswordPage(req, res, uid, account, language, problem);
    await d.accounts.save({ ...account, passwordHash: await d.hasher.hash(body(req, 'password', PASSWORD_MAX)), mustChangePassword: false });
    await d.accounts.record(found.portalId, account.contactId, { action: 'password-set', by: 'customer', why: 'replaced the temporary password' });
    await d.store.del(keys.idempotency(found.portalId, `password-change:${uid}`));
    securityHeaders(found.redirectOrigins)(req, res, () => undefined);
    await d.provider().interactionFinished(req, res, { login: { accountId: subjectOf(found.portalId, account.contactId) } }, { mergeWithLastSubmission: false });
  });

  // ---- forgot password: the same page and the same work whether or not the address has an account ----
  const portalParam = (req: Request) => (PORTAL_ID.test(String(req.params.portalId)) ? Number(req.params.portalId) : null);
  const safeReturn = (req: Request) => {
    const back = typeof req.query.return === 'string' ? req.query.return : '';
    return /^\/portal\/interaction\/[\w-]{1,64}$/.test(back) ? back : undefined;
  };

  /** Back to the sign-in that sent the customer here, or else to the customer portal. */
  const backLinks = async (req: Request, portalId: number): Promise<PageSpec['links']> => {
    const back = safeReturn(req);
    if (back) return [{ href: back, label: 'forgot.back' }];
    const portalUrl = (await d.settingsOf(portalId)).portal.portalUrl;
    return portalUrl ? [{ href: portalUrl, label: 'set.done.go' }] : [];
  };

  /** A page with one email field that posts to `/portal/{portalId}/{page}` (forgot password, request access), keeping where to go back to. */
  const emailFormPage = async (req: Request, res: Response, portalId: number, language: Language, page: EmailForm, opts: { status?: number; error?: string; email?: string } = {}) => {
    const back = safeReturn(req);
    send(res, opts.status ?? 200, {
      language, title: `${page}.title`, intro: [pageText(language, `${page}.intro`)],
      form: {
        action: `/portal/${portalId}/${page}${back ? `?return=${encodeURIComponent(back)}` : ''}`, csrf: csrf(req, res), submit: `${page}.submit`,
        fields: [{ name: 'email', label: 'signin.email', type: 'email', value: opts.email, autocomplete: EMAIL_FORMS[page], error: opts.error }],
      },
      links: await backLinks(req, portalId),
    });
  };
  const unknownPortal = (res: Response, language: Language) => send(res, 404, { language, title: 'link.unknown.title', intro: [pageText(language, 'link.unknown.intro')] });

  /**
   * The address posted to an email-only form, counted by `limit`; or undefined once the form has
   * been shown again with what is wrong (not an address: 400; over the limit: 429, with the wait).
   */
  const postedAddress = async (req: Request, res: Response, portalId: number, language: Language, page: EmailForm, limit: (email: string) => Promise<LimitVerdict>) => {
    const typed = body(req, 'email', EMAIL_MAX);
    const email = typed.length <= EMAIL_MAX ? normalizeEmail(typed)?.email : undefined;
    if (!email) return void await emailFormPage(req, res, portalId, language, page, { status: 400, error: pageText(language, 'forgot.invalid'), email: typed });
    const verdict = await limit(email);
    if (verdict.limited) return void await emailFormPage(req, res, portalId, language, page, { status: 429, error: pageText(language, 'signin.limited', { minutes: Math.max(1, Math.ceil(verdict.retryAfterMs / 60_000)) }), email: typed });
    return email;
  };

  r.get('/portal/:portalId/forgot', securityHeaders(), async (req, res) => {
    const portalId = portalParam(req);
    if (portalId === null) return unknownPortal(res, lang(req));
    await emailFormPage(req, res, portalId, lang(req, typeof req.query.ui_locales === 'string' ? req.query.ui_locales : undefined), 'forgot');
  });

  r.post('/portal/:portalId/forgot', securityHeaders(), doubleCsrfProtection, async (req, res) => {
    const portalId = portalParam(req);
    const language = lang(req);
    if (portalId === null) return unknownPortal(res, language);
    const email = await postedAddress(req, res, portalId, language, 'forgot', () => d.limiter.forgotRequest(req.ip ?? 'unknown'));
    if (!email) return;
    await d.queueReset(portalId, email);
    const hours = (await d.settingsOf(portalId)).portal.linkExpiryHours;
    send(res, 200, { language, title: 'forgot.title', intro: [pageText(language, 'forgot.sent', { email, hours })], links: await backLinks(req, portalId) });
  });

  // ---- request access (self-registration): the same page and the same work whatever the address ----
  /** Self-registration is the account's choice: where it is off, the page says who gives access. */
  const registrationOff = async (req: Request, res: Response, portalId: number, language: Language) => send(res, 404, {
    language, title: 'register.off.title', intro: [pageText(language, 'register.off.intro')], links: await backLinks(req, portalId),
  });

  r.get('/portal/:portalId/register', securityHeaders(), async (req, res) => {
    const portalId = portalParam(req);
    const language = lang(req, typeof req.query.ui_locales === 'string' ? req.query.ui_locales : undefined);
    if (portalId === null) return unknownPortal(res, language);
    if (!(await d.settingsOf(portalId)).portal.selfRegistration) return void await registrationOff(req, res, portalId, language);
    await emailFormPage(req, res, portalId, language, 'register');
  });

  r.post('/portal/:portalId/register', securityHeaders(), doubleCsrfProtection, async (req, res) => {
    const portalId = portalParam(req);
    const language = lang(req);
    if (portalId === null) return unknownPortal(res, language);
    const settings = await d.settingsOf(portalId);
    if (!settings.portal.selfRegistration) return void await registrationOff(req, res, portalId, language);
    const email = await postedAddress(req, res, portalId, language, 'register', (address) => d.limiter.registerRequest(req.ip ?? 'unknown', `${portalId}:${address}`));
    if (!email) return;
    // Whether the address qualifies is decided by the worker, after this answer: the page, its
    // status and its timing are the same for a customer's colleague, a stranger and an account holder.
    await d.queueRegistration(portalId, email);
    send(res, 200, { language, title: 'register.title', intro: [pageText(language, 'register.sent', { email, hours: settings.portal.linkExpiryHours })], links: await backLinks(req, portalId) });
  });

  // ---- set password behind a one-time link ----
  const linkProblemPage = (res: Response, portalId: number, language: Language, reason: 'unknown' | 'expired' | 'used' | 'superseded' | 'revoked') => send(res, reason === 'unknown' ? 404 : 410, {
    language, title: `link.${reason}.title` as PageKey, intro: [pageText(language, `link.${reason}.intro` as PageKey)],
    links: reason === 'revoked' ? [] : [{ href: `/portal/${portalId}/forgot`, label: 'link.askNew' }],
  });

  const setPasswordPage = (req: Request, res: Response, portalId: number, token: string, account: PortalAccount, language: Language, problem?: PasswordProblem) => send(res, problem ? 400 : 200, {
    language, title: 'set.title', intro: [pageText(language, 'set.intro', { email: account.email, min: PASSWORD_MIN })],
    form: { action: `/portal/${portalId}/set-password/${token}`, csrf: csrf(req, res), submit: 'set.submit', fields: passwordFields(problem, language) },
  });

  r.get('/portal/:portalId/set-password/:token', securityHeaders(), async (req, res) => {
    const portalId = portalParam(req);
    if (portalId === null) return linkProblemPage(res, 0, lang(req), 'unknown');
    const verdict = await d.accounts.checkLink(portalId, String(req.params.token));
    if (!verdict.ok) return linkProblemPage(res, portalId, lang(req), verdict.reason);
    setPasswordPage(req, res, portalId, String(req.params.token), verdict.account, lang(req, undefined, verdict.account.locale));
  });

  r.post('/portal/:portalId/set-password/:token', securityHeaders(), doubleCsrfProtection, async (req, res) => {
    const portalId = portalParam(req);
    if (portalId === null) return linkProblemPage(res, 0, lang(req), 'unknown');
    const token = String(req.params.token);
    const verdict = await d.accounts.checkLink(portalId, token);
    if (!verdict.ok) return linkProblemPage(res, portalId, lang(req), verdict.reason);
    const { account } = verdict;
    const language = lang(req, undefined, account.locale);
    const password = body(req, 'password', PASSWORD_MAX);
    const problem = checkNewPassword(password, body(req, 'confirm', PASSWORD_MAX), await wordsOf(account));
    if (problem) return setPasswordPage(req, res, portalId, token, account, language, problem);
    // Two tabs posting the same link at once: only the first one sets the password.
    if (!(await d.store.setIfAbsent(keys.idempotency(portalId, `link-used:${verdict.hash}`), '1', 8 * 24 * 3600))) return linkProblemPage(res, portalId, language, 'used');
    await d.accounts.save({ ...account, state: 'active', passwordHash: await d.hasher.hash(password), mustChangePassword: false, currentLinkHash: null, sessionsValidAfter: Date.now() });
    await d.accounts.markLinkUsed(portalId, verdict.hash);
    await d.accounts.record(portalId, account.contactId, { action: 'password-set', by: 'customer', why: 'one-time link' });
    d.log.info({ portalId, contactId: account.contactId }, 'portal password set');
    const portalUrl = (await d.settingsOf(portalId)).portal.portalUrl;
    send(res, 200, {
      language, title: 'set.done.title', intro: [pageText(language, 'set.done.intro', { email: account.email })],
      links: portalUrl ? [{ href: portalUrl, label: 'set.done.go' }] : [],
    });
  });

  // A stale or forged CSRF token: a page that says what to do, never a stack trace. Anything else
  // (Redis not answering, say) is logged and the customer is asked to try again in a moment.
  r.use('/portal', (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if ((err as { code?: string })?.code === 'EBADCSRFTOKEN') return send(res, 403, { language: lang(req), title: 'error.title', intro: [pageText(lang(req), 'error.csrf')] });
    // What the body parsers refuse (over their limit, not JSON): the sender's fault, said as such.
    const status = (err as { status?: number; type?: string })?.type?.startsWith('entity.') ? (err as { status: number }).status : 0;
    if (status >= 400 && status < 500) {
      const message = pageText(lang(req), 'error.intro', { reason: pageText(lang(req), 'error.reason.sent') });
      return void (req.is('application/json') ? res.status(status).json({ message }) : send(res, status, { language: lang(req), title: 'error.title', intro: [message] }));
    }
    d.log.error({ err, path: req.path.replace(/\/set-password\/[^/]+/, '/set-password/[token]') }, 'customer page failed');
    sendBusy(req, res);
  });
  return r;
}

function problemText(problem: PasswordProblem, language: Language): string {
  switch (problem.kind) {
    case 'short': return pageText(language, 'set.short', { min: PASSWORD_MIN });
    case 'long': return pageText(language, 'set.long', { max: PASSWORD_MAX });
    case 'mismatch': return pageText(language, 'set.mismatch');
    case 'weak': return pageText(language, 'set.weak', { hint: pageText(language, 'hint.common') });
    case 'personal': return pageText(language, 'set.personal', { words: problem.words.join(', ') });
  }
}
