import { describe, expect, it } from 'vitest';
import { PASSKEY_JS, PORTAL_CSS, renderPage, type PageSpec } from '../../src/portal/pages/render-page.js';

// The customer pages as a browser and a screen reader get them: the one layout every portal page
// uses, read back from its HTML.
const base: PageSpec = { language: 'en', title: 'signin.title' };
const inputOf = (html: string, name: string) => new RegExp(`<input id="f-${name}"[^>]*>`).exec(html)?.[0] ?? '';
/** What a reader sees: the text without tags, spaces collapsed. */
const textOf = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
const fieldOf = (html: string, name: string) => new RegExp(`<div class="field[^"]*">\\s*<label for="f-${name}">[\\s\\S]*?</div>`).exec(html)?.[0] ?? '';

describe('a customer page', () => {
  it('is in the page\'s language, titled with the page and the portal, and loads only our stylesheet (no script without a passkey button)', () => {
    const html = renderPage({ ...base, language: 'de' });
    expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="de">/);
    expect(html).toContain('<title>Anmelden – Kundenportal</title>');
    expect(html).toContain('<h1>Anmelden</h1>');
    expect(html).toContain('<span class="brand">Kundenportal</span>');
    expect(html).toContain('<link rel="stylesheet" href="/portal/assets/portal.css">');
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain('<meta name="referrer" content="no-referrer">');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('role="alert"');
    expect(html).not.toContain('role="status"');
    expect(html).not.toContain('<form');
  });

  it('shows nothing it was not given: no stray text from empty alerts, notices, intros, lists, errors or buttons', () => {
    expect(textOf(renderPage(base))).toBe('Sign in – Customer portal Customer portal Sign in');
    const form = renderPage({ ...base, form: { action: '/a', submit: 'signin.submit', fields: [{ name: 'email', label: 'signin.email', type: 'email' }] } });
    expect(textOf(form)).toBe('Sign in – Customer portal Customer portal Sign in Email address Sign in');
    expect(form).not.toContain('_csrf');
    expect(form.match(/<button/g)).toHaveLength(1);
  });

  it('escapes everything that came from outside: paragraphs, alerts, notices, values, links and list items', () => {
    const evil = '<img src=x onerror=alert(1)>"\'&';
    const html = renderPage({
      ...base, intro: [evil], alert: evil, status: evil,
      form: { action: `/x?a=1&b=${evil}`, csrf: evil, submit: 'signin.submit', fields: [{ name: 'email', label: 'signin.email', type: 'email', value: evil, error: evil }] },
      links: [{ href: `/y?${evil}`, label: 'signin.forgot' }],
      items: [{ title: evil, detail: evil }],
    });
    expect(html).not.toContain('<img');
    expect(html).toContain('<p>&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;</p>');
    expect(html).toContain('<div class="alert" role="alert">&lt;img');
    expect(html).toContain('<div class="notice" role="status">&lt;img');
    expect(inputOf(html, 'email')).toContain('value="&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;"');
    expect(html).toContain('<input type="hidden" name="_csrf" value="&lt;img');
    expect(html).toContain('action="/x?a=1&amp;b=&lt;img');
    expect(html).toContain('<a href="/y?&lt;img');
    expect(html).toContain('<span class="item-title">&lt;img');
  });

  it('ties each label to its field, and an error to its field (aria-invalid, aria-describedby), focusing the first field in error', () => {
    const html = renderPage({
      ...base,
      form: {
        action: '/a', submit: 'signin.submit',
        fields: [
          { name: 'token', label: 'signin.email', type: 'hidden', value: 't' },
          { name: 'email', label: 'signin.email', type: 'email', value: 'ada@acme.example', autocomplete: 'username' },
          { name: 'password', label: 'signin.password', type: 'password', error: 'too short', autocomplete: 'new-password' },
          { name: 'confirm', label: 'signin.password', type: 'password', error: 'does not match' },
        ],
      },
    });
    expect(html).toContain('<label for="f-email">Email address</label>');
    expect(inputOf(html, 'email')).toBe('<input id="f-email" name="email" type="email" value="ada@acme.example" autocomplete="username" required>');
    expect(fieldOf(html, 'email')).toContain('<div class="field">');
    const password = fieldOf(html, 'password');
    expect(password).toContain('<div class="field invalid">');
    expect(password).toContain('<p class="field-error" id="f-password-error">');
    expect(password).toContain('too short');
    expect(inputOf(html, 'password')).toBe('<input id="f-password" name="password" type="password" value="" autocomplete="new-password" required aria-invalid="true" aria-describedby="f-password-error" autofocus>');
    // Only the first field in error takes the focus; one without an autocomplete hint says off.
    expect(inputOf(html, 'confirm')).toBe('<input id="f-confirm" name="confirm" type="password" value="" autocomplete="off" required aria-invalid="true" aria-describedby="f-confirm-error">');
    expect(html).toContain('<input type="hidden" name="token" value="t">');
    expect(renderPage({ ...base, form: { action: '/a', submit: 'signin.submit', fields: [{ name: 'pk', label: 'signin.email', type: 'hidden' }] } })).toContain('<input type="hidden" name="pk" value="">');
    expect(html.match(/autofocus/g)).toHaveLength(1);
  });

  it('without errors, focuses the first visible field (a hidden field before it does not count)', () => {
    const html = renderPage({
      ...base,
      form: { action: '/a', submit: 'signin.submit', fields: [{ name: 'pk', label: 'signin.email', type: 'hidden', value: '1' }, { name: 'email', label: 'signin.email', type: 'email' }, { name: 'password', label: 'signin.password', type: 'password' }] },
    });
    expect(inputOf(html, 'email')).toMatch(/ autofocus>$/);
    expect(inputOf(html, 'password')).not.toContain('autofocus');
    expect(html).not.toContain('aria-invalid');
    expect(html).not.toContain('field-error');
  });

  it('gives a code field the phone\'s number pad, its length and the large digits', () => {
    const html = renderPage({ ...base, form: { action: '/c', submit: 'code.submit', fields: [{ name: 'code', label: 'code.field', type: 'text', inputmode: 'numeric', maxlength: 12, autocomplete: 'one-time-code' }] } });
    expect(fieldOf(html, 'code')).toContain('<div class="field code">');
    expect(inputOf(html, 'code')).toBe('<input id="f-code" name="code" type="text" value="" autocomplete="one-time-code" inputmode="numeric" maxlength="12" required autofocus>');
  });

  it('posts its form with the CSRF token, a main button, and where asked a second button with its own value', () => {
    const html = renderPage({
      ...base,
      form: { action: '/p', csrf: 'tok', submit: 'signin.submit', secondary: { name: 'choice', value: 'later', label: 'signin.forgot' }, fields: [] },
    });
    expect(html).toContain('<form method="post" action="/p" novalidate>');
    expect(html).toContain('<input type="hidden" name="_csrf" value="tok">');
    expect(html).toContain('<button type="submit">Sign in</button>');
    expect(html).toContain('<button type="submit" class="secondary" name="choice" value="later">Forgot your password?</button>');
    const quiet = renderPage({ ...base, form: { action: '/p', submit: 'signin.submit', quiet: true, fields: [] } });
    expect(quiet).toContain('<button type="submit" class="secondary">Sign in</button>');
    expect(quiet).not.toContain('name="_csrf"');
  });

  it('lists what the customer owns, each with its own remove form', () => {
    const html = renderPage({
      ...base,
      items: [
        { title: 'Laptop', detail: 'added 1 May', remove: { action: '/rm', csrf: 'tok', name: 'id', value: 'k1', label: 'signin.forgot' } },
        { title: 'Phone', detail: 'added 2 May' },
      ],
    });
    expect(html).toContain('<ul class="items"><li><span class="item-title">Laptop</span><span class="item-detail">added 1 May</span><form method="post" action="/rm"><input type="hidden" name="_csrf" value="tok"><button type="submit" class="secondary" name="id" value="k1">Forgot your password?</button></form></li>');
    expect(html).toContain('<li><span class="item-title">Phone</span><span class="item-detail">added 2 May</span></li></ul>');
    expect(renderPage({ ...base, items: [] })).not.toContain('<ul');
  });

  it('puts the passkey button after the sign-in form and before a registration form, hidden until its script finds passkeys usable', () => {
    const passkey = { options: '/o', verify: '/v', csrf: 'tok', label: 'signin.passkey' as const };
    const form = { action: '/login', submit: 'signin.submit' as const, fields: [] };
    const signIn = renderPage({ ...base, form, passkey: { ...passkey, mode: 'sign-in', secondary: true } });
    expect(signIn.indexOf('id="passkey"')).toBeGreaterThan(signIn.indexOf('</form>'));
    expect(signIn).toContain('<script src="/portal/assets/webauthn.js" defer></script>');
    expect(signIn).toContain('<script src="/portal/assets/passkeys.js" defer></script>');
    expect(signIn).toMatch(/<button type="button" id="passkey" class="secondary" hidden data-passkey="sign-in" data-options="\/o" data-verify="\/v" data-csrf="tok"\s+data-failed="[^"]+" data-cancelled="[^"]+" data-unsupported="">/);
    expect(signIn).toContain('<div class="alert" role="alert" id="passkey-error" hidden></div>');
    const register = renderPage({ ...base, form, passkey: { ...passkey, mode: 'register', unsupportedNote: true } });
    expect(register.indexOf('id="passkey"')).toBeLessThan(register.indexOf('<form'));
    expect(register).toMatch(/<button type="button" id="passkey" class="" hidden data-passkey="register"/);
    expect(register).toMatch(/data-unsupported="[^"]+"/);
    // One button on each page; a sign-in and a registration say what failed in their own words.
    expect(signIn.match(/id="passkey"/g)).toHaveLength(1);
    expect(register.match(/id="passkey"/g)).toHaveLength(1);
    expect(signIn).toContain('data-failed="That passkey did not sign you in. Try again, or sign in with your password or a code by email."');
    expect(register).toContain('data-failed="The passkey could not be added. Try again."');
    expect(register).toContain('data-cancelled="The passkey request was cancelled or timed out. Try again when you are ready."');
    expect(register).toContain('data-unsupported="This browser cannot use passkeys. Sign in with your password or a code by email."');
  });

  it('wraps the provider\'s sign-out form with a default "yes" and a quiet "no" that submit it', () => {
    const html = renderPage({ ...base, title: 'signout.title', providerForm: { html: '<form id="op.logoutForm" method="post" action="/end"></form>', id: 'op.logoutForm', yes: 'signout.yes', no: 'signout.no' } });
    expect(html).toContain('<form id="op.logoutForm" method="post" action="/end"></form>');
    expect(html).toContain('<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Sign out</button>');
    expect(html).toContain('<button type="submit" form="op.logoutForm" class="secondary">Stay signed in</button>');
  });

  it('ends with its links, in order', () => {
    const html = renderPage({ ...base, links: [{ href: '/a', label: 'signin.forgot' }, { href: '/b', label: 'signin.code' }] });
    expect(html).toMatch(/<p class="link"><a href="\/a">Forgot your password\?<\/a><\/p>\n\s*<p class="link"><a href="\/b">[^<]+<\/a><\/p>\n\s*<\/main>/);
  });
});

describe('the page assets', () => {
  it('the stylesheet hides what is marked hidden (the passkey button until its script shows it) and marks fields in error', () => {
    expect(PORTAL_CSS).toContain('[hidden]{display:none!important}');
    expect(PORTAL_CSS).toContain('.invalid input{border:2px solid #c93700}');
    expect(PORTAL_CSS).toContain('main{max-width:440px;');
  });

  it('the passkey script shows its button only where the browser can use passkeys and follows the server\'s redirect', () => {
    expect(PASSKEY_JS).toContain("if (!W || !W.browserSupportsWebAuthn())");
    expect(PASSKEY_JS).toContain('button.hidden = false;');
    expect(PASSKEY_JS).toContain('window.location.assign(result.redirect)');
    expect(() => new Function(PASSKEY_JS)).not.toThrow();
  });
});
