import escapeHtml from 'escape-html';
import type { Language } from '../../i18n/messages.js';
import { pageText, type PageKey } from '../../i18n/portal-pages.js';

export interface Field {
  name: string;
  label: PageKey;
  type: 'email' | 'password' | 'hidden' | 'text';
  value?: string;
  autocomplete?: string;
  /** The keyboard a phone shows (numeric for a code). */
  inputmode?: 'numeric';
  maxlength?: number;
  error?: string;
}

export interface PageSpec {
  language: Language;
  title: PageKey;
  /** Paragraphs, already localised (values are escaped here). */
  intro?: string[];
  /** A problem with the whole form, announced to screen readers. */
  alert?: string;
  form?: { action: string; csrf?: string; fields: Field[]; submit: PageKey; secondary?: { name: string; value: string; label: PageKey }; quiet?: boolean };
  links?: { href: string; label: PageKey }[];
  /** oidc-provider's own sign-out form (it carries the provider's CSRF field) and our two buttons for it. */
  providerForm?: { html: string; id: string; yes: PageKey; no: PageKey };
  /** Something that just worked, announced politely. */
  status?: string;
  /** A list of things the customer owns (their passkeys), each with a remove button. */
  items?: { title: string; detail: string; remove?: { action: string; csrf: string; name: string; value: string; label: PageKey } }[];
  /**
   * A passkey ceremony run by /portal/assets/passkeys.js (the only script a page has): the button
   * shows only where the browser can use passkeys; what fails is said in the alert below it.
   */
  passkey?: { mode: 'sign-in' | 'register'; options: string; verify: string; csrf: string; label: PageKey; secondary?: boolean; unsupportedNote?: boolean };
}

/**
 * One server-rendered page: no script at all (the CSP allows none), labels tied to inputs, errors
 * tied to their field with aria-describedby and aria-invalid, focus on the first field in error.
 */
export function renderPage(p: PageSpec): string {
  const t = (key: PageKey, vars?: Record<string, string | number>) => escapeHtml(pageText(p.language, key, vars));
  const firstError = p.form?.fields.find((f) => f.error)?.name;
  const field = (f: Field) => {
    if (f.type === 'hidden') return `<input type="hidden" name="${escapeHtml(f.name)}" value="${escapeHtml(f.value ?? '')}">`;
    const id = `f-${f.name}`;
    const err = f.error ? `<p class="field-error" id="${id}-error">${t('error.field', { message: f.error })}</p>` : '';
    const focus = (firstError ? firstError === f.name : p.form!.fields.find((x) => x.type !== 'hidden') === f) ? ' autofocus' : '';
    return `<div class="field${f.inputmode === 'numeric' ? ' code' : ''}${f.error ? ' invalid' : ''}">
      <label for="${id}">${t(f.label)}</label>
      ${err}
      <input id="${id}" name="${escapeHtml(f.name)}" type="${f.type}" value="${escapeHtml(f.value ?? '')}" autocomplete="${f.autocomplete ?? 'off'}"${f.inputmode ? ` inputmode="${f.inputmode}"` : ''}${f.maxlength ? ` maxlength="${f.maxlength}"` : ''} required${f.error ? ` aria-invalid="true" aria-describedby="${id}-error"` : ''}${focus}>
    </div>`;
  };
  const form = p.form ? `<form method="post" action="${escapeHtml(p.form.action)}" novalidate>
      ${p.form.csrf ? `<input type="hidden" name="_csrf" value="${escapeHtml(p.form.csrf)}">` : ''}
      ${p.form.fields.map(field).join('\n')}
      <div class="actions">
        <button type="submit"${p.form.quiet ? ' class="secondary"' : ''}>${t(p.form.submit)}</button>
        ${p.form.secondary ? `<button type="submit" class="secondary" name="${escapeHtml(p.form.secondary.name)}" value="${escapeHtml(p.form.secondary.value)}">${t(p.form.secondary.label)}</button>` : ''}
      </div>
    </form>` : '';
  return `<!DOCTYPE html>
<html lang="${t('page.lang')}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="no-referrer">
  <title>${t(p.title)} – ${t('page.brand')}</title>
  <link rel="stylesheet" href="/portal/assets/portal.css">${p.passkey ? `
  <script src="/portal/assets/webauthn.js" defer></script>
  <script src="/portal/assets/passkeys.js" defer></script>` : ''}
</head>
<body>
  <header><span class="brand">${t('page.brand')}</span></header>
  <main>
    <h1>${t(p.title)}</h1>
    ${p.alert ? `<div class="alert" role="alert">${escapeHtml(p.alert)}</div>` : ''}
    ${p.status ? `<div class="notice" role="status">${escapeHtml(p.status)}</div>` : ''}
    ${(p.intro ?? []).map((para) => `<p>${escapeHtml(para)}</p>`).join('\n')}
    ${(p.items ?? []).length ? `<ul class="items">${p.items!.map((i) => `<li><span class="item-title">${escapeHtml(i.title)}</span><span class="item-detail">${escapeHtml(i.detail)}</span>${i.remove ? `<form method="post" action="${escapeHtml(i.remove.action)}"><input type="hidden" name="_csrf" value="${escapeHtml(i.remove.csrf)}"><button type="submit" class="secondary" name="${escapeHtml(i.remove.name)}" value="${escapeHtml(i.remove.value)}">${t(i.remove.label)}</button></form>` : ''}</li>`).join('\n')}</ul>` : ''}
    ${p.passkey && p.passkey.mode === 'register' ? passkeyBlock(p, t) : ''}
    ${form}
    ${p.passkey && p.passkey.mode === 'sign-in' ? passkeyBlock(p, t) : ''}
    ${p.providerForm ? `${p.providerForm.html}
    <div class="actions">
      <button type="submit" form="${escapeHtml(p.providerForm.id)}" name="logout" value="yes" autofocus>${t(p.providerForm.yes)}</button>
      <button type="submit" form="${escapeHtml(p.providerForm.id)}" class="secondary">${t(p.providerForm.no)}</button>
    </div>` : ''}
    ${(p.links ?? []).map((l) => `<p class="link"><a href="${escapeHtml(l.href)}">${t(l.label)}</a></p>`).join('\n')}
  </main>
</body>
</html>`;
}

/** The passkey button, hidden until the script finds the browser can use passkeys, and where its failures are said. */
function passkeyBlock(p: PageSpec, t: (key: PageKey, vars?: Record<string, string | number>) => string): string {
  const k = p.passkey!;
  return `<div class="passkey">
      <button type="button" id="passkey" class="${k.secondary ? 'secondary' : ''}" hidden data-passkey="${k.mode}" data-options="${escapeHtml(k.options)}" data-verify="${escapeHtml(k.verify)}" data-csrf="${escapeHtml(k.csrf)}"
        data-failed="${t(k.mode === 'sign-in' ? 'passkey.failed' : 'passkeys.refused')}" data-cancelled="${t('passkey.cancelled')}" data-unsupported="${k.unsupportedNote ? t('passkey.unsupported') : ''}">${t(k.label)}</button>
      <div class="alert" role="alert" id="passkey-error" hidden></div>
    </div>`;
}

export const PORTAL_CSS = `
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;background:#f5f8fa;color:#213343;line-height:1.5}
header{background:#213343;color:#fff;padding:14px 24px}
.brand{font-weight:600;letter-spacing:.02em}
main{max-width:440px;margin:40px auto;background:#fff;border:1px solid #cbd6e2;border-radius:6px;padding:28px 32px}
h1{font-size:1.5rem;margin:0 0 12px}
p{margin:0 0 14px}
.field{margin:0 0 16px}
label{display:block;font-weight:600;margin-bottom:4px}
input[type=email],input[type=password],input[type=text]{width:100%;padding:10px 12px;font-size:1rem;border:1px solid #7c98b6;border-radius:4px}
input:focus,button:focus,a:focus{outline:3px solid #0091ae;outline-offset:2px}
.invalid input{border:2px solid #c93700}
.code input{font-size:1.5rem;letter-spacing:.3em;font-variant-numeric:tabular-nums}
.field-error{color:#b02800;margin:0 0 4px;font-size:.95rem}
.alert{border-left:4px solid #c93700;background:#fde8e1;padding:10px 14px;margin:0 0 16px}
.actions{display:flex;gap:12px;flex-wrap:wrap}
button{background:#0b6e99;color:#fff;border:0;border-radius:4px;padding:10px 18px;font-size:1rem;cursor:pointer}
button.secondary{background:#eaf0f6;color:#213343;border:1px solid #cbd6e2}
a{color:#0b6e99}
.link{margin-top:16px}
.notice{border-left:4px solid #00a4bd;background:#e5f5f8;padding:10px 14px;margin:0 0 16px}
.passkey{margin:16px 0}
.passkey button{width:100%}
.items{list-style:none;padding:0;margin:0 0 16px}
.items li{border:1px solid #cbd6e2;border-radius:4px;padding:10px 12px;margin:0 0 8px;display:flex;flex-wrap:wrap;gap:4px 12px;align-items:center}
.item-title{font-weight:600;flex:1 1 100%}
.item-detail{flex:1 1 auto;color:#516f90;font-size:.95rem}
.items form{margin:0}
.items button{padding:6px 12px;font-size:.95rem}
[hidden]{display:none!important}
`;

/**
 * The passkey button's script: asks the page's options URL for a ceremony, runs it with
 * @simplewebauthn/browser (served as /portal/assets/webauthn.js), posts the answer and follows
 * the redirect the server gives; a cancel or failure is said in the page's language.
 */
export const PASSKEY_JS = `(function () {
  'use strict';
  var button = document.getElementById('passkey');
  var out = document.getElementById('passkey-error');
  var W = window.SimpleWebAuthnBrowser;
  if (!button) return;
  function say(text) { out.textContent = text; out.hidden = false; }
  if (!W || !W.browserSupportsWebAuthn()) { if (button.dataset.unsupported) say(button.dataset.unsupported); return; }
  button.hidden = false;
  function post(url, body) {
    body._csrf = button.dataset.csrf;
    return fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (res) { return res.json().catch(function () { return {}; }).then(function (json) { json.ok = res.ok; return json; }); });
  }
  button.addEventListener('click', function () {
    out.hidden = true;
    button.disabled = true;
    post(button.dataset.options, {}).then(function (options) {
      if (!options.ok) throw { message: options.message };
      delete options.ok;
      return button.dataset.passkey === 'sign-in' ? W.startAuthentication({ optionsJSON: options }) : W.startRegistration({ optionsJSON: options });
    }).then(function (answer) {
      return post(button.dataset.verify, { response: answer });
    }).then(function (result) {
      if (result.ok && result.redirect) { window.location.assign(result.redirect); return; }
      throw { message: result.message };
    }).catch(function (err) {
      button.disabled = false;
      // The server's own refusal is said in the page's language; a browser's error by the page's text for it.
      say(err && err.name === 'NotAllowedError' ? button.dataset.cancelled : (err && !err.name && err.message) || button.dataset.failed);
    });
  });
})();
`;
