/**
 * A browser as far as HTTP goes: one cookie jar for 127.0.0.1 (cookies ignore
 * ports, so Tessera's, the app's and the relying party's share it, as in a
 * real browser), no automatic redirects, forms posted urlencoded.
 */
export interface Page {
  readonly status: number;
  readonly url: string;
  readonly location: string | undefined;
  readonly headers: Headers;
  readonly body: string;
}

export class Agent {
  readonly cookies = new Map<string, string>();

  async request(url: string, init: { method?: string; form?: ReadonlyArray<readonly [string, string]>; headers?: Record<string, string>; body?: string } = {}): Promise<Page> {
    const headers: Record<string, string> = { ...init.headers };
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (cookie) headers['cookie'] = cookie;
    let body = init.body;
    if (init.form) {
      body = new URLSearchParams(init.form.map(([k, v]): [string, string] => [k, v])).toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    }
    const res = await fetch(url, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body: body ?? null, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) this.#store(line);
    const location = res.headers.get('location') ?? undefined;
    return { status: res.status, url, location: location === undefined ? undefined : new URL(location, url).href, headers: res.headers, body: await res.text() };
  }

  get(url: string): Promise<Page> {
    return this.request(url);
  }

  post(url: string, form: ReadonlyArray<readonly [string, string]>, headers: Record<string, string> = {}): Promise<Page> {
    return this.request(url, { method: 'POST', form, headers });
  }

  /** Follows redirects (GET) until an answer that is not one, or until `stop(url)` says so (e.g. the RP's callback). */
  async follow(first: Page, stop: (url: string) => boolean = () => false, max = 10): Promise<Page> {
    let page = first;
    for (let i = 0; i < max && page.location !== undefined && page.status >= 300 && page.status < 400; i++) {
      if (stop(page.location)) return page;
      page = await this.get(page.location);
    }
    return page;
  }

  #store(line: string): void {
    const [pair = '', ...attributes] = line.split(';').map((p) => p.trim());
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    const expired = attributes.some((a) => /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && Date.parse(a.slice(8)) < Date.now()));
    if (expired || value === '') this.cookies.delete(name);
    else this.cookies.set(name, value);
  }
}
