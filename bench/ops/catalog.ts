import type { LoadSpec, Timing } from '../load/spec.js';
import { basicAuth, FORM } from '../lib/http.js';
import type { RunningTarget, TargetKind } from '../targets/target.js';
import { authorizeQuery, pkce } from '../flows/common.js';
import { flowParams, mintAccessTokens, mintRefreshTokens } from './mint.js';

/** The operations of issue 7, each as a load spec for a given target. */
export const OP_NAMES = ['client_credentials', 'client_credentials_chosen', 'client_credentials_jwt', 'client_credentials_jwt_es256', 'client_credentials_dpop', 'introspection', 'introspection_jwt', 'refresh', 'discovery', 'jwks', 'code_flow', 'authorize_post', 'admin_json'] as const;
export type OpName = (typeof OP_NAMES)[number];

export interface Operation {
  readonly name: OpName;
  readonly title: string;
  readonly unit: 'req/s' | 'flows/s';
  /** Targets this operation cannot run on (the bare koa app has no flow; oidc-provider has no admin API). */
  readonly skip?: readonly TargetKind[];
  prepare(t: RunningTarget, timing: Timing, sizes: PoolSizes): Promise<LoadSpec>;
}

export interface PoolSizes {
  /** Distinct access tokens cycled through by introspection. */
  readonly introspection: number;
}

/** Only a real server's answers are checked; the koa app answers the same small JSON to everything. */
const expect = (t: RunningTarget, text: string) => (t.kind === 'koa' ? {} : { expect: text });
const clientAuth = (t: RunningTarget) => ({ authorization: basicAuth(t.client.id, t.client.secret) });
/** A Tessera client with JWT access tokens of `alg`; the koa floor gets the plain client (it answers anything). */
const jwtClientAuth = (t: RunningTarget, alg: 'RS256' | 'ES256') => {
  const client = t.jwtClients?.[alg] ?? t.client;
  return { authorization: basicAuth(client.id, client.secret) };
};
const jwtClientCredentials = (alg: 'RS256' | 'ES256'): Operation['prepare'] => async (t, timing) => ({
  kind: 'http', ...timing, url: t.urls.token, method: 'POST',
  headers: { 'content-type': FORM, ...jwtClientAuth(t, alg) }, body: 'grant_type=client_credentials', ...expect(t, 'access_token'),
});

export const OPERATIONS: readonly Operation[] = [
  {
    name: 'client_credentials',
    title: 'client_credentials token issuance (POST token endpoint)',
    unit: 'req/s',
    prepare: async (t, timing) => ({
      kind: 'http', ...timing, url: t.urls.token, method: 'POST',
      headers: { 'content-type': FORM, ...clientAuth(t) }, body: 'grant_type=client_credentials', ...expect(t, 'access_token'),
    }),
  },
  {
    name: 'client_credentials_chosen',
    title: 'client_credentials with an operator-chosen secret (Tessera: scrypt at rest, remembered per process once verified)',
    unit: 'req/s',
    prepare: async (t, timing) => {
      const client = t.chosenClient ?? t.client;
      return {
        kind: 'http', ...timing, url: t.urls.token, method: 'POST',
        headers: { 'content-type': FORM, authorization: basicAuth(client.id, client.secret) }, body: 'grant_type=client_credentials', ...expect(t, 'access_token'),
      };
    },
  },
  {
    // Beside the opaque figure: the same request for a client with access_token_strategy "jwt" (RFC 9068), signed and still recorded by jti.
    name: 'client_credentials_jwt',
    title: 'client_credentials with JWT access tokens, RS256 (RFC 9068; access_token_strategy "jwt")',
    unit: 'req/s',
    // oidc-provider issues JWT access tokens only for resource indicators; compared with Tessera's opaque figure instead.
    skip: ['oidc-provider'],
    prepare: jwtClientCredentials('RS256'),
  },
  {
    name: 'client_credentials_jwt_es256',
    title: 'client_credentials with JWT access tokens, ES256 (access_token_signed_response_alg "ES256")',
    unit: 'req/s',
    skip: ['oidc-provider'],
    prepare: jwtClientCredentials('ES256'),
  },
  {
    // Beside the bearer figure: the same request with a DPoP proof (RFC 9449), a fresh one per request; the token comes back bound.
    name: 'client_credentials_dpop',
    title: 'client_credentials with a DPoP proof (RFC 9449: ES256, a new jti per request; token_type DPoP)',
    unit: 'req/s',
    prepare: async (t, timing) => ({
      kind: 'http', ...timing, url: t.urls.token, method: 'POST',
      headers: { 'content-type': FORM, ...clientAuth(t) }, body: 'grant_type=client_credentials',
      dpop: { htm: 'POST', htu: t.urls.token }, ...expect(t, '"token_type":"DPoP"'),
    }),
  },
  {
    name: 'introspection',
    title: 'introspection of valid access tokens (each request a different token)',
    unit: 'req/s',
    prepare: async (t, timing, sizes) => ({
      kind: 'http', ...timing, url: t.urls.introspect, method: 'POST',
      headers: { 'content-type': FORM, ...(t.introspectionAuth ? clientAuth(t) : {}) },
      tokens: { mode: 'cycle', bodyPrefix: 'token=', values: await mintAccessTokens(t, sizes.introspection) },
      ...expect(t, '"active":true'),
    }),
  },
  {
    // JWT access tokens (RS256) introspected: signature checked, then the record found by jti.
    name: 'introspection_jwt',
    title: 'introspection of valid JWT access tokens, RS256 (signature checked, record found by jti)',
    unit: 'req/s',
    skip: ['oidc-provider'],
    prepare: async (t, timing, sizes) => ({
      kind: 'http', ...timing, url: t.urls.introspect, method: 'POST',
      headers: { 'content-type': FORM },
      tokens: { mode: 'cycle', bodyPrefix: 'token=', values: await mintAccessTokens(t, sizes.introspection, t.jwtClients?.RS256) },
      ...expect(t, '"active":true'),
    }),
  },
  {
    name: 'refresh',
    title: 'refresh_token grant (rotation: each token used once, chained per connection)',
    unit: 'req/s',
    prepare: async (t, timing) => ({
      kind: 'http', ...timing, url: t.urls.token, method: 'POST',
      headers: { 'content-type': FORM, ...clientAuth(t) },
      // Per round (one load process each, split by measure.ts): a chain per connection for the warm-up
      // and one for the round (a chain's last token is cut off in flight), and spares for broken chains.
      tokens: { mode: t.kind === 'koa' ? 'cycle' : 'chain', bodyPrefix: 'grant_type=refresh_token&refresh_token=', values: await mintRefreshTokens(t, timing.rounds * (timing.connections * 2 + 4)) },
      ...expect(t, 'refresh_token'),
    }),
  },
  {
    name: 'discovery',
    title: 'discovery document (GET /.well-known/openid-configuration)',
    unit: 'req/s',
    prepare: async (t, timing) => ({ kind: 'http', ...timing, url: t.urls.discovery, method: 'GET', headers: {}, ...expect(t, 'issuer') }),
  },
  {
    name: 'jwks',
    title: 'JWKS (GET the JSON Web Key Set)',
    unit: 'req/s',
    prepare: async (t, timing) => ({ kind: 'http', ...timing, url: t.urls.jwks, method: 'GET', headers: {}, ...expect(t, '"keys"') }),
  },
  {
    name: 'code_flow',
    title: 'full authorization-code flow with PKCE, openid offline_access (flows/s)',
    unit: 'flows/s',
    skip: ['koa'],
    prepare: async (t, timing) => ({ kind: 'flow', ...timing, flow: flowParams(t, 'openid offline_access') }),
  },
  {
    // A koa route with a form body that writes a row (the flow) and redirects to the login app.
    name: 'authorize_post',
    title: 'authorization request as a form (POST authorization endpoint, redirect to login)',
    unit: 'req/s',
    // Measured against Tessera before and after a change, and the bare koa floor; the code flow compares with oidc-provider.
    skip: ['oidc-provider'],
    prepare: async (t, timing) => ({
      kind: 'http', ...timing, url: t.urls.authorize, method: 'POST',
      headers: { 'content-type': FORM }, body: authorizeQuery(flowParams(t, 'openid offline_access'), pkce().challenge),
      ...(t.kind === 'koa' ? {} : { redirects: true }),
    }),
  },
  {
    // A koa route with a JSON body on the admin API (koa-bodyparser, the contract schema, one UPDATE).
    name: 'admin_json',
    title: 'admin API JSON body (PUT /admin/clients/{id}/lifespans)',
    unit: 'req/s',
    skip: ['oidc-provider'],
    prepare: async (t, timing) => ({
      kind: 'http', ...timing, url: `${t.adminUrl ?? t.publicUrl}/admin/clients/${encodeURIComponent(t.client.id)}/lifespans`, method: 'PUT',
      headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_credentials_grant_access_token_lifespan: '1h', refresh_token_grant_refresh_token_lifespan: '720h' }),
      ...expect(t, '"client_id"'),
    }),
  },
];
