/**
 * As much of a browser's cookie jar as one origin's login flow needs: names
 * to values, paths ignored (the newest cookie of a name wins, which is what
 * both servers' flows expect), expired or emptied cookies dropped.
 */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  header(): string | undefined {
    if (this.#cookies.size === 0) return undefined;
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  store(setCookie: readonly string[] | undefined): void {
    for (const line of setCookie ?? []) {
      const [pair = '', ...attributes] = line.split(';').map((p) => p.trim());
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value === '' || attributes.some(isExpiry)) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }
}

function isExpiry(attribute: string): boolean {
  if (/^max-age=(0|-\d+)$/i.test(attribute)) return true;
  const expires = /^expires=(.*)$/i.exec(attribute)?.[1];
  return expires !== undefined && Date.parse(expires) <= Date.now();
}
