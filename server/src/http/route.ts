import type { Context, Middleware } from 'koa';
import type { HandlerResult } from '../lib/result.js';
import { respond } from './respond.js';

/** Adapts a ctx → result function to koa: the only bridge between handlers and koa. */
export function route(fn: (ctx: Context) => Promise<HandlerResult> | HandlerResult): Middleware {
  return async (ctx) => respond(ctx, await fn(ctx));
}

/** A path parameter, decoded by the router. */
export function param(ctx: Context, name: string): string {
  return (ctx as Context & { params: Record<string, string> }).params[name] ?? '';
}
