/** RFC 6749 §3.3: space-delimited, order irrelevant, duplicates meaningless. */
export function parseScope(scope: string | undefined): string[] {
  if (!scope) return [];
  return [...new Set(scope.split(' ').filter((s) => s !== ''))];
}

export type ScopeStrategy = 'exact' | 'wildcard';

/**
 * Whether the client may be granted `scope`. `wildcard` is Hydra's default
 * strategy: an allowed `foo.*` covers `foo.bar` and `foo.bar.baz`.
 */
export function scopeAllowed(scope: string, allowed: readonly string[], strategy: ScopeStrategy): boolean {
  if (allowed.includes(scope)) return true;
  if (strategy !== 'wildcard') return false;
  return allowed.some((a) => a.endsWith('.*') && scope.startsWith(a.slice(0, -1)) && scope.length > a.length - 1);
}

/** The first requested scope the client may not have, if any. */
export function firstDisallowedScope(requested: readonly string[], allowed: readonly string[], strategy: ScopeStrategy): string | undefined {
  return requested.find((s) => !scopeAllowed(s, allowed, strategy));
}

/** Audiences match exactly: stricter than Hydra's URL-prefix matching, and not surprising. */
export function firstDisallowedAudience(requested: readonly string[], allowed: readonly string[]): string | undefined {
  return requested.find((a) => !allowed.includes(a));
}
