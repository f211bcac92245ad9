import type { Context, Middleware } from 'koa';
import type { HandlerResult } from '../lib/result.js';
import { respond, type RespondOptions } from './respond.js';
import { assertCleanText } from '../lib/text.js';

/** Adapts a ctx → result function to koa: the only bridge between handlers and koa. */
export function route(fn: (ctx: Context) => Promise<HandlerResult> | HandlerResult, options?: RespondOptions): Middleware {
  return async (ctx) => respond(ctx, await fn(ctx), options);
}

/** A path parameter, decoded by the router; the text rules again, where the decoded value enters (lib/text.ts). */
export function param(ctx: Context, name: string): string {
  const value = (ctx as Context & { params: Record<string, string> }).params[name] ?? '';
  assertCleanText(value, 'A path parameter');
  return value;
}
