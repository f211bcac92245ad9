import type { Router } from '@koa/router';
import type Koa from 'koa';
import { OAuth2ClientInput } from '@tessera/sdk';
import type { RegistrationHandlers } from '../clients/registration/handler.js';
import { invalidRequest } from '../errors/catalog.js';
import { jsonBody, jsonOf } from './body.js';
import { parseInput } from './validate.js';
import { param, route } from './route.js';

/** /oauth2/register (RFC 7591) and /oauth2/register/{id} (RFC 7592), answered by clients/registration/handler.ts. */
export function registrationRoutes(router: Router, handlers: RegistrationHandlers): void {
  const json = jsonBody();
  const body = (ctx: Koa.Context) => {
    const value = jsonOf(ctx);
    if (value === undefined) throw invalidRequest('The client metadata is missing.');
    return parseInput(OAuth2ClientInput, value, 'client metadata');
  };
  const authorization = (ctx: Koa.Context) => ctx.get('authorization') || undefined;
  router
    .post('/oauth2/register', json, route((ctx) => handlers.create(body(ctx), ctx.req.socket.remoteAddress)))
    .get('/oauth2/register/:id', route((ctx) => handlers.get(param(ctx, 'id'), authorization(ctx))))
    .put('/oauth2/register/:id', json, route((ctx) => handlers.replace(param(ctx, 'id'), body(ctx), authorization(ctx))))
    .delete('/oauth2/register/:id', route((ctx) => handlers.delete(param(ctx, 'id'), authorization(ctx))));
}
