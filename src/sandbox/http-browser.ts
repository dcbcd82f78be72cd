/**
 * A browser without a screen, for the demo, the tests and the sign-in benchmark: follows
 * redirects, keeps cookies per host (as browsers do, ports shared), submits forms with their
 * hidden fields. It reads pages with regular expressions: only our own simple pages.
 */
export class HttpBrowser {
  private readonly jar = new Map<string, Map<string, string>>();
  url = '';
  status = 0;
  html = '';
  /** The last answer's headers. */
  received = new Headers();

  private cookies(url: URL) { let c = this.jar.get(url.hostname); if (!c) { c = new Map(); this.jar.set(url.hostname, c); } return c; }

  /** Sent with every request (a test's X-Forwarded-For, say). */
  headers: Record<string, string> = {};

  /** A redirect to an address this accepts is not followed (a relying party's callback, read by the caller). */
  stopAt?: (url: URL) => boolean;

  async request(method: 'GET' | 'POST', href: string, form?: Record<string, string>, maxRedirects = 20): Promise<this> {
    let url = new URL(href, this.url || undefined);
    let body: string | undefined = form ? new URLSearchParams(form).toString() : undefined;
    for (let i = 0; i <= maxRedirects; i++) {
      const jar = this.cookies(url);
      const res = await fetch(url, {
        method, body, redirect: 'manual',
        headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), 'accept-language': 'en', ...this.headers },
      });
      for (const line of res.headers.getSetCookie()) {
        const [pair, ...attrs] = line.split(';');
        const eq = pair!.indexOf('=');
        const name = pair!.slice(0, eq).trim();
        const expired = attrs.some((a) => /^\s*max-age=0$/i.test(a) || /^\s*expires=Thu, 01 Jan 1970/i.test(a));
        if (expired) jar.delete(name); else jar.set(name, pair!.slice(eq + 1).trim());
      }
      this.status = res.status;
      this.received = res.headers;
      this.url = url.href;
      if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
        url = new URL(res.headers.get('location')!, url);
        if (this.stopAt?.(url)) { this.url = url.href; await res.arrayBuffer(); this.html = ''; return this; }
        // 303 (and 302 after a POST, as browsers do) continue as GET.
        if (res.status === 303 || res.status === 302) { method = 'GET'; body = undefined; }
        await res.arrayBuffer();
        continue;
      }
      this.html = await res.text();
      return this;
    }
    throw new Error(`more than ${maxRedirects} redirects from ${href}`);
  }

  get(href: string) { return this.request('GET', href); }

  /** A script's JSON POST (the passkey button's), with this browser's cookies; the answer's text is in `html`. */
  async json(href: string, body: unknown): Promise<this> {
    const url = new URL(href, this.url || undefined);
    const res = await fetch(url, {
      method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), redirect: 'manual',
      headers: { cookie: [...this.cookies(url)].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': 'application/json', 'accept-language': 'en', ...this.headers },
    });
    this.status = res.status;
    this.html = await res.text();
    return this;
  }

  /** Takes another browser's cookies for a host, but those named: a test's second browser in the same sign-in. */
  copyCookies(from: HttpBrowser, href: string, except: string[] = []): this {
    const url = new URL(href);
    const mine = this.cookies(url);
    for (const [name, value] of from.cookies(url)) if (!except.includes(name)) mine.set(name, value);
    return this;
  }

  /** Fills the page's first form (hidden fields kept) and submits it. */
  submit(fields: Record<string, string>, formIndex = 0): Promise<this> {
    const form = [...this.html.matchAll(/<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)][formIndex];
    if (!form) throw new Error(`no form on ${this.url} (status ${this.status})`);
    const hidden = Object.fromEntries([...form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\s*\/?>/g)].map((m) => [m[1]!, decodeEntities(m[2]!)]));
    return this.request('POST', decodeEntities(form[1]!), { ...hidden, ...fields });
  }

  text(): string { return decodeEntities(this.html.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim(); }
}

function decodeEntities(s: string): string {
  return s.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
}
