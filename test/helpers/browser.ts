/**
 * A browser as much as the flow needs: a cookie jar (one host, as the public
 * API is one origin) and GETs that do not follow redirects, so each hop can
 * be inspected.
 */
export class Browser {
  readonly cookies = new Map<string, string>();

  async get(url: string): Promise<{ status: number; location: string | undefined; body: string; headers: Headers }> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((p) => p.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const expired = attributes.some((a) => /^max-age=0$/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: res.status, location: res.headers.get('location') ?? undefined, body: await res.text(), headers: res.headers };
  }
}
