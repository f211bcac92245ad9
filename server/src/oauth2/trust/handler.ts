import { randomUUID } from 'node:crypto';
import { importJWK, type JWK } from 'jose';
import type { ListTrustedIssuersQuery, TrustOAuth2JwtGrantIssuer, TrustedOAuth2JwtGrantIssuer } from '@tessera/sdk';
import { conflict, invalidRequest, notFound } from '../../errors/catalog.js';
import { isPrivate, publicPart } from '../../keys/jwk.js';
import type { Clock } from '../../lib/clock.js';
import { empty, json, type HandlerResult } from '../../lib/result.js';
import type { TrustedIssuer, TrustStore } from '../../storage/ports.js';

/*
 * Hydra's trust API for the jwt-bearer grant (oauth2/trust/handler.go):
 * POST/GET/DELETE /admin/trust/grants/jwt-bearer/issuers[/{id}]. A grant
 * says "assertions by `issuer`, signed by this key, may stand for `subject`
 * (or anyone), with at most this scope, until `expires_at`". The key is kept
 * with the grant, public members only; its `set` is the issuer, as Hydra
 * names it.
 */

export interface TrustDeps {
  readonly store: TrustStore;
  readonly clock: Clock;
}

const seconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export function toWire(g: TrustedIssuer): TrustedOAuth2JwtGrantIssuer {
  return {
    id: g.id,
    issuer: g.issuer,
    subject: g.subject,
    allow_any_subject: g.allowAnySubject,
    scope: [...g.scope],
    public_key: { set: g.keySet, kid: g.keyId },
    expires_at: seconds(g.expiresAt),
    created_at: seconds(g.createdAt),
  };
}

/** Hydra's validateGrant (oauth2/trust/validator.go), and the key must be a usable public key. */
async function checked(input: TrustOAuth2JwtGrantIssuer): Promise<JWK> {
  const subject = input.subject ?? '';
  if (subject === '' && !input.allow_any_subject) throw invalidRequest("One of 'subject' or 'allow_any_subject' field must be set.");
  if (subject !== '' && input.allow_any_subject) throw invalidRequest("Both 'subject' and 'allow_any_subject' fields cannot be set at the same time.");
  const jwk = input.jwk as JWK;
  if (!jwk.kid) throw invalidRequest("Field 'jwk' must contain JWK with kid header.");
  if (jwk.kty === 'oct') throw invalidRequest("Field 'jwk' must be an asymmetric public key.");
  try {
    await importJWK(publicPart(jwk as Record<string, unknown>) as JWK, jwk.alg);
  } catch (err) {
    throw invalidRequest(`Field 'jwk' is not a usable key: ${err instanceof Error ? err.message : 'unreadable'}.`);
  }
  return jwk;
}

const encodeToken = (after: string) => Buffer.from(after, 'utf8').toString('base64url');

export function trustHandlers({ store, clock }: TrustDeps) {
  return {
    async create(input: TrustOAuth2JwtGrantIssuer): Promise<HandlerResult> {
      const jwk = await checked(input);
      const now = clock.now();
      const grant: TrustedIssuer = {
        id: randomUUID(),
        issuer: input.issuer,
        subject: input.subject ?? '',
        allowAnySubject: input.allow_any_subject ?? false,
        scope: [...new Set(input.scope)],
        keySet: input.issuer,
        keyId: jwk.kid ?? '',
        // Only the public members are kept, whatever was sent.
        publicJwk: isPrivate(jwk as Record<string, unknown>) ? publicPart(jwk as Record<string, unknown>) : { ...jwk },
        // Hydra rounds both times to the second.
        expiresAt: Math.floor(Date.parse(input.expires_at) / 1000) * 1000,
        createdAt: Math.floor(now / 1000) * 1000,
      };
      if (!(await store.create(grant))) throw conflict(`The issuer "${grant.issuer}" already trusts a key "${grant.keyId}" for that subject.`);
      return json(toWire(grant), 201, { Location: `/admin/trust/grants/jwt-bearer/issuers/${grant.id}` });
    },

    async get(id: string): Promise<HandlerResult> {
      const grant = await store.get(id);
      if (!grant) throw notFound(`The trust relationship "${id}" does not exist.`);
      return json(toWire(grant));
    },

    async list(query: ListTrustedIssuersQuery, path: string): Promise<HandlerResult> {
      let after: string | undefined;
      if (query.page_token !== undefined) {
        after = Buffer.from(query.page_token, 'base64url').toString('utf8');
        if (after === '' || encodeToken(after) !== query.page_token) throw invalidRequest('page_token is not valid.');
      }
      const rows = await store.list({ limit: query.page_size + 1, after, issuer: query.issuer });
      const page = rows.slice(0, query.page_size);
      const link = (token: string | undefined, rel: string) => {
        const params = new URLSearchParams({ page_size: String(query.page_size) });
        if (query.issuer !== undefined) params.set('issuer', query.issuer);
        if (token !== undefined) params.set('page_token', token);
        return `<${path}?${params.toString()}>; rel="${rel}"`;
      };
      const last = page[page.length - 1];
      const links = [link(undefined, 'first'), ...(rows.length > query.page_size && last ? [link(encodeToken(last.id), 'next')] : [])];
      return json(page.map(toWire), 200, { Link: links.join(',') });
    },

    async delete(id: string): Promise<HandlerResult> {
      if (!(await store.delete(id))) throw notFound(`The trust relationship "${id}" does not exist.`);
      return empty();
    },
  };
}

export type TrustHandlers = ReturnType<typeof trustHandlers>;
