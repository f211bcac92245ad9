import { randomBytes } from 'node:crypto';
import type { Context } from 'koa';

/** What the demo relying party keeps per browser. Server-side: tokens never go into cookies. */
export interface DemoSession {
  pending?: Pending | undefined;
  tokens?: DemoTokens | undefined;
  userinfo?: unknown;
  introspection?: { readonly which: string; readonly result: unknown } | undefined;
  logoutState?: string | undefined;
  notice?: string | undefined;
  error?: string | undefined;
}

/** One authorization request in flight: what the callback must check (RFC 7636 verifier, state, nonce). */
export interface Pending {
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
}

export interface DemoTokens {
  readonly access_token: string;
  readonly refresh_token?: string | undefined;
  readonly id_token?: string | undefined;
  readonly scope?: string | undefined;
  readonly expires_at?: number | undefined;
}

const COOKIE = 'demo_session';
const MAX_SESSIONS = 1000;

/**
 * In memory, bounded (oldest dropped first): the demo runs only in --dev, in
 * one process, and losing its sessions on restart costs a new sign-in.
 */
export function createDemoSessions() {
  const sessions = new Map<string, DemoSession>();
  return {
    /** The browser's session, created (with its cookie) on first use. */
    of(ctx: Context): { id: string; session: DemoSession } {
      const id = ctx.cookies.get(COOKIE);
      const found = id ? sessions.get(id) : undefined;
      if (id && found) return { id, session: found };
      const fresh = randomBytes(32).toString('base64url');
      const session: DemoSession = {};
      sessions.set(fresh, session);
      if (sessions.size > MAX_SESSIONS) sessions.delete(sessions.keys().next().value ?? '');
      ctx.cookies.set(COOKIE, fresh, { httpOnly: true, sameSite: 'lax', secure: ctx.secure, path: '/demo', overwrite: true });
      return { id: fresh, session };
    },
  };
}

export type DemoSessions = ReturnType<typeof createDemoSessions>;
