import type { JsonPatchDocument, ListClientsQuery, OAuth2ClientInput, OAuth2ClientTokenLifespans, RotateClientSecretRequest } from '@tessera/sdk';
import { parseDuration } from '../lib/duration.js';
import { invalidRequest } from '../errors/catalog.js';
import { empty, json, type HandlerResult } from '../lib/result.js';
import type { ClientService } from './service.js';

/*
 * /admin/clients, wire-compatible with Hydra v2 (client/handler.go):
 * create 201, get/list/put/patch 200, delete 204.
 */

const encodeToken = (after: string) => Buffer.from(after, 'utf8').toString('base64url');

function decodeToken(token: string): string {
  const after = Buffer.from(token, 'base64url').toString('utf8');
  if (after === '' || encodeToken(after) !== token) throw invalidRequest('page_token is not valid.');
  return after;
}

/** RFC 8288 Link header with the filters kept, as Hydra's keyset pagination sends it. */
function linkHeader(path: string, query: ListClientsQuery, nextAfter: string | undefined): string {
  const link = (token: string | undefined, rel: string) => {
    const params = new URLSearchParams({ page_size: String(query.page_size) });
    if (query.client_name !== undefined) params.set('client_name', query.client_name);
    if (query.owner !== undefined) params.set('owner', query.owner);
    if (token !== undefined) params.set('page_token', token);
    return `<${path}?${params.toString()}>; rel="${rel}"`;
  };
  const links = [link(undefined, 'first')];
  if (nextAfter !== undefined) links.push(link(encodeToken(nextAfter), 'next'));
  return links.join(',');
}

export function clientHandlers(service: ClientService) {
  return {
    create: async (input: OAuth2ClientInput): Promise<HandlerResult> => json(await service.create(input), 201),

    get: async (id: string): Promise<HandlerResult> => json(await service.get(id)),

    async list(query: ListClientsQuery, path: string): Promise<HandlerResult> {
      const page = await service.list({
        limit: query.page_size,
        after: query.page_token === undefined ? undefined : decodeToken(query.page_token),
        name: query.client_name,
        owner: query.owner,
      });
      return json(page.clients, 200, {
        Link: linkHeader(path, query, page.nextAfter),
        'X-Total-Count': String(page.total),
      });
    },

    replace: async (id: string, input: OAuth2ClientInput): Promise<HandlerResult> => json(await service.replace(id, input)),

    patch: async (id: string, patch: JsonPatchDocument): Promise<HandlerResult> => json(await service.patch(id, patch)),

    setLifespans: async (id: string, lifespans: OAuth2ClientTokenLifespans): Promise<HandlerResult> =>
      json(await service.setLifespans(id, lifespans)),

    /** Extension (DESIGN.md): a new secret, shown once; the previous one works until `previous_secret_expires_at`. */
    async rotateSecret(id: string, input: RotateClientSecretRequest): Promise<HandlerResult> {
      const graceMs = input.grace_period === undefined ? undefined : parseDuration(input.grace_period);
      const rotated = await service.rotateSecret(id, graceMs);
      const until = rotated.previousSecretExpiresAt;
      return json({ ...rotated.client, ...(until === null ? {} : { previous_secret_expires_at: new Date(until).toISOString() }) });
    },

    async delete(id: string): Promise<HandlerResult> {
      await service.delete(id);
      return empty();
    },
  };
}
