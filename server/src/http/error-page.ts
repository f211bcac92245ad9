import type { Context, Middleware } from 'koa';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Marks a browser endpoint (authorization, logout): an error it cannot send to
 * a trusted redirect URI is shown as a page to a browser, not as raw JSON
 * (issue 19). commonMiddleware reads the mark when it renders the failure.
 */
export const browserErrors: Middleware = async (ctx, next) => {
  ctx.state['browserErrors'] = true;
  await next();
};

/**
 * Whether the failure of this request is shown as a page: a marked endpoint,
 * and an Accept header naming text/html (a browser's navigation does; API
 * clients, curl's `*∕*` and fetch's default do not, and keep the JSON).
 */
export function wantsErrorPage(ctx: Context): boolean {
  if (ctx.state['browserErrors'] !== true) return false;
  return ctx.get('accept').split(',').some((range) => {
    const [type, ...params] = range.split(';').map((p) => p.trim().toLowerCase());
    return type === 'text/html' && !params.some((p) => /^q=0(\.0*)?$/.test(p));
  });
}

/**
 * The page itself, in the spirit of Hydra's `/oauth2/fallbacks/error` but
 * rendered in place: Tessera never shows error text taken from a URL, so no
 * one can put words of their choosing on this origin. Every value is escaped;
 * respond()'s 'html' kind adds the headers (no scripts, no framing, no
 * referrer, no caching).
 */
export function errorPage(status: number, body: { error: string; error_description: string }, requestId: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Error: ${escape(body.error)}</title><style>body{font-family:system-ui,sans-serif;margin:3rem auto;max-width:36rem;padding:0 1rem;line-height:1.5}code{background:#f3f3f3;padding:0 .25rem}small{color:#555}</style></head>
<body><h1>The request could not be completed</h1>
<p>The application that sent you here made a request this server could not accept, so you cannot be sent back to it.</p>
<p><strong>Error:</strong> <code id="error">${escape(body.error)}</code> <small>(HTTP ${status})</small></p>
<p id="error-description">${escape(body.error_description)}</p>
<p><small>If you report this, include the request id <code id="request-id">${escape(requestId)}</code>.</small></p>
</body></html>`;
}
