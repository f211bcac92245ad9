import { randomUUID } from 'node:crypto';
import {
  OAuth2ClientInput,
  lifespanFields,
  type JsonPatchDocument,
  type OAuth2Client,
  type OAuth2ClientTokenLifespans,
} from '@tessera/sdk';
import type { Clock } from '../lib/clock.js';
import type { ClientPage, ClientStore } from '../storage/ports.js';
import { conflict, invalidClientMetadata, invalidRequest, notFound } from '../errors/catalog.js';
import type { Client } from './client.js';
import { toWire } from './mapper.js';
import { applyClientPatch } from './patch.js';
import { generateSecret, hashChosenSecret, hashGeneratedSecret } from './secret.js';
import { checkSigningAlgs } from './algs.js';
import { checkSector } from './sector.js';
import type { OutboundDeps } from '../lib/outbound-request.js';
import { validateMetadata, type ClientMetadata, type ValidationPolicy } from './validate.js';

export interface ClientServiceDeps {
  readonly store: ClientStore;
  readonly clock: Clock;
  readonly policy: ValidationPolicy;
  /** What the ID-token key set can sign now, read fresh (KeyService.idTokenAlgs). */
  readonly idTokenAlgs?: () => Promise<readonly string[]>;
  /** What the JWT access-token key set can sign now, read fresh (KeyService.accessTokenAlgs). */
  readonly accessTokenAlgs?: () => Promise<readonly string[]>;
  /** How sector_identifier_uri is fetched (clients/sector.ts); absent: not fetched. */
  readonly outbound?: OutboundDeps | undefined;
}

export interface ClientListing {
  readonly clients: OAuth2Client[];
  readonly total: number;
  readonly nextAfter: string | undefined;
}

export interface ClientService {
  create(input: OAuth2ClientInput): Promise<OAuth2Client>;
  get(id: string): Promise<OAuth2Client>;
  list(query: { limit: number; after?: string | undefined; name?: string | undefined; owner?: string | undefined }): Promise<ClientListing>;
  replace(id: string, input: OAuth2ClientInput): Promise<OAuth2Client>;
  patch(id: string, patch: JsonPatchDocument): Promise<OAuth2Client>;
  setLifespans(id: string, lifespans: OAuth2ClientTokenLifespans): Promise<OAuth2Client>;
  delete(id: string): Promise<void>;
}

/** Printable ASCII without spaces: the id travels in URL paths and Basic credentials. */
const CLIENT_ID = /^[\x21-\x7E]{1,255}$/;

const needsSecret = (m: ClientMetadata) => m.token_endpoint_auth_method === 'client_secret_basic' || m.token_endpoint_auth_method === 'client_secret_post';

interface SecretDecision {
  readonly hash: string | null;
  /** Shown to the caller: a secret they sent, or one generated for them. */
  readonly shown: string | undefined;
}

async function decideSecret(metadata: ClientMetadata, given: string | null | undefined, previousHash: string | null): Promise<SecretDecision> {
  if (!needsSecret(metadata)) {
    if (given) {
      throw invalidClientMetadata(`client_secret: a client using "${metadata.token_endpoint_auth_method}" must not have a secret.`);
    }
    return { hash: null, shown: undefined };
  }
  if (given !== null && given !== undefined && given !== '') {
    // Hydra's minimum; chosen secrets are hashed with scrypt (clients/secret.ts).
    if (given.length < 6) throw invalidClientMetadata('client_secret: must be at least 6 characters long.');
    return { hash: await hashChosenSecret(given), shown: given };
  }
  if (previousHash) return { hash: previousHash, shown: undefined };
  const generated = generateSecret();
  return { hash: hashGeneratedSecret(generated), shown: generated };
}

export function createClientService({ store, clock, policy, idTokenAlgs, accessTokenAlgs, outbound }: ClientServiceDeps): ClientService {
  /** Metadata rules, then one that needs the keys: an ID-token algorithm no key can sign would fail every sign-in. */
  async function validate(input: OAuth2ClientInput): Promise<ClientMetadata> {
    const metadata = validateMetadata(input, policy);
    await checkSigningAlgs(metadata, { idTokenAlgs, accessTokenAlgs });
    await checkSector(metadata, outbound);
    return metadata;
  }

  async function load(id: string): Promise<Client> {
    const client = await store.get(id);
    if (!client) throw notFound(`The OAuth 2.0 client "${id}" does not exist.`);
    return client;
  }

  async function replaceWith(previous: Client, input: OAuth2ClientInput): Promise<OAuth2Client> {
    if (input.client_id && input.client_id !== previous.client_id) {
      throw invalidRequest('client_id cannot be changed.');
    }
    const metadata = await validate(input);
    const secret = await decideSecret(metadata, input.client_secret, previous.secret_hash);
    const next: Client = {
      ...metadata,
      client_id: previous.client_id,
      secret_hash: secret.hash,
      created_at: previous.created_at,
      updated_at: clock.now(),
    };
    if (!(await store.replace(next))) throw notFound(`The OAuth 2.0 client "${previous.client_id}" does not exist.`);
    return toWire(next, secret.shown);
  }

  return {
    async create(input) {
      const id = input.client_id || randomUUID();
      if (!CLIENT_ID.test(id)) throw invalidClientMetadata('client_id: must be 1 to 255 printable ASCII characters without spaces.');
      const metadata = await validate(input);
      const secret = await decideSecret(metadata, input.client_secret, null);
      const now = clock.now();
      const client: Client = { ...metadata, client_id: id, secret_hash: secret.hash, created_at: now, updated_at: now };
      if (!(await store.create(client))) throw conflict(`An OAuth 2.0 client with the id "${id}" already exists.`);
      return toWire(client, secret.shown);
    },

    get: async (id) => toWire(await load(id)),

    async list(query) {
      const page: ClientPage = await store.list(query);
      return { clients: page.items.map((c) => toWire(c)), total: page.total, nextAfter: page.nextAfter };
    },

    replace: async (id, input) => replaceWith(await load(id), input),

    async patch(id, patch) {
      const previous = await load(id);
      const input = OAuth2ClientInput.safeParse(applyClientPatch(toWire(previous), patch));
      if (!input.success) {
        const issue = input.error.issues[0];
        throw invalidRequest(`The patched client is invalid: ${issue?.path.join('.')}: ${issue?.message}`);
      }
      return replaceWith(previous, input.data);
    },

    async setLifespans(id, lifespans) {
      const previous = await load(id);
      const next: Client = {
        ...previous,
        ...Object.fromEntries(lifespanFields.map((f) => [f, lifespans[f] ?? null])),
        updated_at: clock.now(),
      };
      if (!(await store.replace(next))) throw notFound(`The OAuth 2.0 client "${id}" does not exist.`);
      return toWire(next);
    },

    async delete(id) {
      if (!(await store.delete(id))) throw notFound(`The OAuth 2.0 client "${id}" does not exist.`);
    },
  };
}
