import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import type { Language } from '../../i18n/messages.js';
import { pageText } from '../../i18n/portal-pages.js';
import type { Settings } from '../../settings/settings-schema.js';
import { keys } from '../../store/keys.js';
import type { Store } from '../../store/store.js';
import { authenticationResponse, PASSKEY, type Passkeys, registrationResponse } from '../passkeys.js';
import type { PortalAccount, PortalAccounts } from '../portal-accounts.js';
import type { SignInLimiter } from '../sign-in-limiter.js';
import type { PageSpec } from './render-page.js';

/** How long the passkeys page stays open after a sign-in in this browser. */
const PAGE_TTL_S = 10 * 60;
/** A customer who said "not now" is not offered a passkey again for this long. */
const OFFER_PAUSE_MS = 30 * 24 * 3600_000;

/** What the passkey pages share with the other sign-in pages (portal-routes.ts). */
export interface PasskeyPageDeps {
  store: Store;
  accounts: PortalAccounts;
  passkeys: Passkeys;
  limiter: SignInLimiter;
  settingsOf: (portalId: number) => Promise<Settings>;
  log: Logger;
  csrfProtection: RequestHandler;
  interaction: (req: Request, res: Response) => Promise<{ portalId: number; uiLocales?: string; redirectOrigins: string[] } | null>;
  /** Strict headers for a page; `scripts`: the passkey script may run and call back here. */
  headers: (req: Request, res: Response, formTargets: string[], scripts: boolean) => void;
  send: (res: Response, status: number, spec: PageSpec) => void;
  lang: (req: Request, uiLocales?: string, contactLocale?: string) => Language;
  csrf: (req: Request, res: Response) => string;
  challengeOf: (req: Request, uid: string) => string;
  sessionExpired: (res: Response, language: Language) => void;
  /** Ends the sign-in for this account: back to the client (a form post), or the URL to go to (the script). */
  finish: (req: Request, res: Response, account: PortalAccount) => Promise<void>;
  finishUrl: (req: Request, res: Response, account: PortalAccount) => Promise<string>;
}

/**
 * Passkeys in the sign-in interaction: "Sign in with a passkey" on the sign-in page, and the
 * customer's passkeys page (list, add, remove) after a sign-in in this browser. JSON for the
 * script's two calls per ceremony; forms for the rest.
 */
export function passkeyRoutes(r: Router, d: PasskeyPageDeps): { afterSignIn: (req: Request, uid: string, account: PortalAccount) => Promise<boolean> } {
  const json = express.json({ limit: '64kb' });
  const pageKey = (portalId: number, challenge: string) => keys.idempotency(portalId, `passkeys-page:${challenge}`);
  const manageKey = (portalId: number, challenge: string) => keys.idempotency(portalId, `passkeys-manage:${challenge}`);

  /** The interaction, where its account turned passkeys on (else a 404 in the page's kind). */
  const enabled = async (req: Request, res: Response, asJson: boolean) => {
    const found = await d.interaction(req, res);
    const language = d.lang(req, found?.uiLocales);
    if (!found) {
      if (asJson) res.status(400).json({ message: pageText(language, 'passkey.expired') });
      else d.sessionExpired(res, language);
      return null;
    }
    if (!(await d.settingsOf(found.portalId)).portal.passkeys) {
      // Not offered here: the script is told so; a person who typed the page's address goes back to the sign-in.
      if (asJson) res.status(404).json({ message: pageText(language, 'passkey.unsupported') });
      else res.redirect(303, `/portal/interaction/${String(req.params.uid)}`);
      return null;
    }
    const uid = String(req.params.uid);
    return { ...found, uid, language, challenge: d.challengeOf(req, uid) };
  };

  /** The account whose passkeys page this browser opened by signing in, still able to sign in. */
  const pageAccount = async (portalId: number, challenge: string) => {
    const contactId = await d.store.get(pageKey(portalId, challenge));
    const account = contactId ? await d.accounts.get(portalId, contactId) : null;
    return account?.state === 'active' ? account : null;
  };

  const refused = (res: Response, status: number, message: string) => void res.status(status).json({ message });

  // ---- sign in with a passkey ----
  r.post('/portal/interaction/:uid/passkey/options', json, d.csrfProtection, async (req, res) => {
    const found = await enabled(req, res, true);
    if (!found) return;
    res.set('cache-control', 'no-store').json(await d.passkeys.signInOptions(found.portalId, found.challenge));
  });

  r.post('/portal/interaction/:uid/passkey', json, d.csrfProtection, async (req, res) => {
    const found = await enabled(req, res, true);
    if (!found) return;
    const { portalId, language, challenge } = found;
    const parsed = authenticationResponse.safeParse((req.body as { response?: unknown }).response);
    // Every answer counts for the client address, like a password.
    const limit = await d.limiter.attempt(req.ip ?? 'unknown', `${portalId}:passkey:${challenge}`);
    if (limit.limited) return refused(res, 429, pageText(language, 'signin.limited', { minutes: Math.max(1, Math.ceil(limit.retryAfterMs / 60_000)) }));
    if (!parsed.success) return refused(res, 400, pageText(language, 'passkey.failed'));
    const verdict = await d.passkeys.signIn(portalId, challenge, parsed.data);
    if (!verdict.ok) {
      d.log.info({ portalId, outcome: 'refused', method: 'passkey', reason: verdict.reason }, 'portal sign-in');
      const expired = verdict.reason === 'expired';
      return refused(res, expired ? 410 : 401, pageText(language, expired ? 'passkey.expired' : 'passkey.failed'));
    }
    const { account } = verdict;
    d.log.info({ portalId, contactId: account.contactId, outcome: 'signed-in', method: 'passkey' }, 'portal sign-in');
    if (await d.store.take(manageKey(portalId, challenge))) {
      await d.store.set(pageKey(portalId, challenge), account.contactId, PAGE_TTL_S);
      return void res.json({ redirect: `/portal/interaction/${found.uid}/passkeys` });
    }
    res.json({ redirect: await d.finishUrl(req, res, account) });
  });

  // ---- the customer's passkeys page ----
  const passkeysPage = (req: Request, res: Response, uid: string, redirectOrigins: string[], account: PortalAccount, language: Language, notice?: string) => {
    d.headers(req, res, redirectOrigins, true);
    const csrf = d.csrf(req, res);
    const date = (iso: string) => new Intl.DateTimeFormat(pageText(language, 'page.lang'), { dateStyle: 'medium' }).format(new Date(iso));
    const list = account.passkeys ?? [];
    d.send(res, 200, {
      language, title: 'passkeys.title', status: notice,
      intro: [list.length ? pageText(language, 'passkeys.intro') : `${pageText(language, 'passkeys.offer')} ${pageText(language, 'passkeys.intro')}`, ...(list.length ? [] : [pageText(language, 'passkeys.none')])],
      items: list.map((k) => ({
        title: pageText(language, k.synced ? 'passkeys.synced' : 'passkeys.device'),
        detail: `${pageText(language, 'passkeys.added', { date: date(k.createdAt) })}, ${k.lastUsedAt ? pageText(language, 'passkeys.used', { date: date(k.lastUsedAt) }) : pageText(language, 'passkeys.never')}`,
        remove: { action: `/portal/interaction/${uid}/passkeys/remove`, csrf, name: 'id', value: k.id, label: 'passkeys.remove' },
      })),
      passkey: list.length < PASSKEY.max
        ? { mode: 'register', options: `/portal/interaction/${uid}/passkeys/options`, verify: `/portal/interaction/${uid}/passkeys/register`, csrf, label: 'passkeys.add', unsupportedNote: true, secondary: list.length > 0 }
        : undefined,
      form: { action: `/portal/interaction/${uid}/passkeys/done`, csrf, fields: [], submit: list.length ? 'passkeys.continue' : 'passkeys.later', quiet: !list.length },
    });
  };

  r.get('/portal/interaction/:uid/passkeys', async (req, res) => {
    const found = await enabled(req, res, false);
    if (!found) return;
    const account = await pageAccount(found.portalId, found.challenge);
    if (!account) {
      // Not signed in in this browser yet: sign in first, then this page follows.
      await d.store.set(manageKey(found.portalId, found.challenge), '1', PAGE_TTL_S);
      return void res.redirect(303, `/portal/interaction/${found.uid}?passkeys=1`);
    }
    const language = d.lang(req, found.uiLocales, account.locale);
    const notice = req.query.added === '1' ? pageText(language, 'passkeys.done.added') : req.query.removed === '1' ? pageText(language, 'passkeys.done.removed') : undefined;
    passkeysPage(req, res, found.uid, found.redirectOrigins, account, language, notice);
  });

  /** The script's calls on the passkeys page: the interaction and the account this browser signed in to, or refused (403). */
  const signedInJson = async (req: Request, res: Response) => {
    const found = await enabled(req, res, true);
    if (!found) return null;
    const account = await pageAccount(found.portalId, found.challenge);
    if (!account) return void refused(res, 403, pageText(found.language, 'passkey.manage.first'));
    return { found, account, language: d.lang(req, found.uiLocales, account.locale) };
  };

  r.post('/portal/interaction/:uid/passkeys/options', json, d.csrfProtection, async (req, res) => {
    const open = await signedInJson(req, res);
    if (!open) return;
    const { found, account, language } = open;
    if ((account.passkeys ?? []).length >= PASSKEY.max) return refused(res, 409, pageText(language, 'passkeys.full', { max: PASSKEY.max }));
    res.set('cache-control', 'no-store').json(await d.passkeys.registrationOptions(account, found.challenge));
  });

  r.post('/portal/interaction/:uid/passkeys/register', json, d.csrfProtection, async (req, res) => {
    const open = await signedInJson(req, res);
    if (!open) return;
    const { found, account, language } = open;
    const parsed = registrationResponse.safeParse((req.body as { response?: unknown }).response);
    if (!parsed.success) return refused(res, 400, pageText(language, 'passkeys.refused'));
    const verdict = await d.passkeys.register(account, found.challenge, parsed.data);
    if (!verdict.ok) {
      const message = verdict.reason === 'full' ? pageText(language, 'passkeys.full', { max: PASSKEY.max }) : verdict.reason === 'expired' ? pageText(language, 'passkey.expired') : pageText(language, 'passkeys.refused');
      return refused(res, verdict.reason === 'full' ? 409 : 400, message);
    }
    d.log.info({ portalId: found.portalId, contactId: account.contactId, outcome: 'passkey-added' }, 'portal passkeys');
    res.json({ redirect: `/portal/interaction/${found.uid}/passkeys?added=1` });
  });

  r.post('/portal/interaction/:uid/passkeys/remove', d.csrfProtection, async (req, res) => {
    const found = await enabled(req, res, false);
    if (!found) return;
    const account = await pageAccount(found.portalId, found.challenge);
    if (!account) return d.sessionExpired(res, found.language);
    const id = String((req.body as Record<string, unknown>).id ?? '').slice(0, 1400);
    await d.passkeys.remove(account, id);
    res.redirect(303, `/portal/interaction/${found.uid}/passkeys?removed=1`);
  });

  r.post('/portal/interaction/:uid/passkeys/done', d.csrfProtection, async (req, res) => {
    const found = await enabled(req, res, false);
    if (!found) return;
    const account = await pageAccount(found.portalId, found.challenge);
    if (!account) return d.sessionExpired(res, found.language);
    await d.store.del(pageKey(found.portalId, found.challenge));
    // "Not now" with no passkey: not offered again for a while.
    const finished = (account.passkeys ?? []).length ? account : { ...account, passkeyOfferDeclinedAt: new Date().toISOString() };
    if (finished !== account) await d.accounts.update(finished);
    d.headers(req, res, found.redirectOrigins, false);
    await d.finish(req, res, finished);
  });

  return {
    /**
     * After a password or code sign-in: whether the passkeys page comes first (the customer asked
     * for it from the sign-in page, or has no passkey and was not offered one lately).
     */
    async afterSignIn(req: Request, uid: string, account: PortalAccount): Promise<boolean> {
      if (!(await d.settingsOf(account.portalId)).portal.passkeys) return false;
      const challenge = d.challengeOf(req, uid);
      const asked = await d.store.take(manageKey(account.portalId, challenge));
      const declined = account.passkeyOfferDeclinedAt ? Date.now() - Date.parse(account.passkeyOfferDeclinedAt) < OFFER_PAUSE_MS : false;
      if (!asked && ((account.passkeys ?? []).length || declined)) return false;
      await d.store.set(pageKey(account.portalId, challenge), account.contactId, PAGE_TTL_S);
      return true;
    },
  };
}
