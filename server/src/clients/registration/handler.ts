import type { OAuth2Client, OAuth2ClientInput } from '@tessera/sdk';
import { notFound, requestUnauthorized } from '../../errors/catalog.js';
import { randomToken, sha256 } from '../../lib/crypto.js';
import { timingSafeEqual } from 'node:crypto';
import { empty, json, type HandlerResult } from '../../lib/result.js';
import type { ClientStore } from '../../storage/ports.js';
import type { ClientService } from '../service.js';
import { dynamicInput } from './rules.js';
import type { RegistrationThrottle } from './throttle.js';

/*
 * OpenID Connect Dynamic Client Registration 1.0 / RFC 7591 and the RFC 7592
 * management protocol, as Hydra serves them (client/handler.go):
 * POST /oauth2/register → 201 with `client_secret` and
 * `registration_access_token`; GET, PUT and DELETE /oauth2/register/{id}
 * with `Authorization: Bearer <registration_access_token>`. The token is
 * stored as its SHA-256 only and rotated by every PUT (the answer carries the
 * new one). Off unless `oidc.dynamic_client_registration.enabled`: then 404,
 * as Hydra answers.
 */

export interface RegistrationDeps {
  readonly enabled: boolean;
  readonly defaultScope: readonly string[];
  readonly service: ClientService;
  readonly clients: Pick<ClientStore, 'get'>;
  readonly throttle: RegistrationThrottle;
  /** `<public base>/oauth2/register`. */
  readonly endpoint: string;
}

const UNAUTHORIZED = 'The requested OAuth 2.0 client does not exist or you provided incorrect credentials.';
const tokenHash = (token: string) => sha256(token).toString('base64url');

export function registrationHandlers(deps: RegistrationDeps) {
  function assertEnabled(): void {
    if (!deps.enabled) throw notFound('Dynamic registration is not enabled.');
  }

  /** RFC 7592 §3: the bearer token must be this client's registration access token. */
  async function authorized(id: string, authorization: string | undefined): Promise<void> {
    assertEnabled();
    const token = /^bearer /i.test(authorization ?? '') ? (authorization ?? '').slice(7).trim() : '';
    const client = token ? await deps.clients.get(id) : undefined;
    const stored = client?.registration_token_hash;
    const presented = Buffer.from(tokenHash(token));
    if (!stored || stored.length !== presented.length || !timingSafeEqual(Buffer.from(stored), presented)) throw requestUnauthorized(UNAUTHORIZED);
  }

  const withLinks = (client: Omit<OAuth2Client, 'metadata'>, token?: string) => ({
    ...client,
    registration_client_uri: `${deps.endpoint}/${encodeURIComponent(client.client_id)}`,
    ...(token ? { registration_access_token: token } : {}),
  });

  return {
    async create(input: OAuth2ClientInput, peer: string | undefined): Promise<HandlerResult> {
      assertEnabled();
      deps.throttle.check(peer);
      const token = randomToken(32);
      const created = await deps.service.create(dynamicInput(input, deps.defaultScope, false), { registrationTokenHash: tokenHash(token) });
      deps.throttle.count(peer);
      return json(withLinks(created, token), 201);
    },

    async get(id: string, authorization: string | undefined): Promise<HandlerResult> {
      await authorized(id, authorization);
      const { metadata: _metadata, ...client } = await deps.service.get(id);
      return json(withLinks(client));
    },

    async replace(id: string, input: OAuth2ClientInput, authorization: string | undefined): Promise<HandlerResult> {
      await authorized(id, authorization);
      const token = randomToken(32);
      const checked = dynamicInput({ ...input, client_id: id }, deps.defaultScope, true);
      const { metadata: _metadata, ...client } = await deps.service.replace(id, checked, { registrationTokenHash: tokenHash(token) });
      return json(withLinks(client, token));
    },

    async delete(id: string, authorization: string | undefined): Promise<HandlerResult> {
      await authorized(id, authorization);
      await deps.service.delete(id);
      return empty();
    },
  };
}

export type RegistrationHandlers = ReturnType<typeof registrationHandlers>;
