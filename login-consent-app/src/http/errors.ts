import type { Middleware } from 'koa';
import { TesseraError } from '@tessera/sdk';
import { errorPage, type ErrorView } from '../views/error.js';
import { BadForm } from './form.js';
import { redirect, sendHtml } from './respond.js';

export type Log = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

/** Thrown by routes for a request that cannot go on, with what to tell the user. */
export class PageError extends Error {
  readonly status: number;
  readonly view: ErrorView;

  constructor(status: number, view: ErrorView) {
    super(view.message);
    this.name = 'PageError';
    this.status = status;
    this.view = view;
  }
}

function fromTessera(err: TesseraError): { status: number; view: ErrorView } {
  const requestId = err.requestId;
  if (err.status === 404 || err.status === 400) {
    return {
      status: err.status,
      view: { title: 'This link has expired', message: 'This sign-in request is unknown or no longer valid. Go back to the application and start again.', requestId },
    };
  }
  return {
    status: 502,
    view: { title: 'Sign-in is unavailable', message: 'The sign-in service could not be reached. Please try again in a moment.', requestId },
  };
}

/**
 * Turns failures into pages. A TesseraError with `redirectTo` (410: the
 * challenge was used — back button, double submit — or expired) restarts the
 * flow at that URL, which comes from the admin API, never from the request.
 */
export function errorHandler(log: Log): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        sendHtml(ctx, errorPage({ title: 'Page not found', message: 'There is nothing at this address.' }), 404);
      }
    } catch (err) {
      if (err instanceof TesseraError && err.redirectTo) return redirect(ctx, err.redirectTo);
      if (err instanceof PageError) return sendHtml(ctx, errorPage(err.view), err.status);
      if (err instanceof BadForm) return sendHtml(ctx, errorPage({ title: 'Bad request', message: err.message }), err.status);
      if (err instanceof TesseraError) {
        const { status, view } = fromTessera(err);
        log(status >= 500 ? 'error' : 'warn', 'admin API call failed', { error: err.message, requestId: err.requestId });
        return sendHtml(ctx, errorPage(view), status);
      }
      log('error', 'unexpected error', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      sendHtml(ctx, errorPage({ title: 'Something went wrong', message: 'Please try again. If this keeps happening, contact the site operator.' }), 500);
    }
  };
}
