import { readFileSync } from 'node:fs';
import type { Middleware } from 'koa';

/** The few files the pages use, read once at start (no directory is exposed, so no path tricks). */
const FILES: Readonly<Record<string, string>> = {
  '/static/style.css': 'text/css; charset=utf-8',
  '/static/demo-logo.svg': 'image/svg+xml',
};

export function staticFiles(): Middleware {
  const dir = new URL('../../static/', import.meta.url);
  const loaded = new Map(Object.entries(FILES).map(([path, type]) => [path, { type, body: readFileSync(new URL(path.slice('/static/'.length), dir)) }]));
  return async (ctx, next) => {
    const file = ctx.method === 'GET' || ctx.method === 'HEAD' ? loaded.get(ctx.path) : undefined;
    if (!file) return next();
    ctx.type = file.type;
    ctx.body = file.body;
  };
}
