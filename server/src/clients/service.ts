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
import { generateSecret, hashChosenSecret, hashGeneratedSecret, isSealedSecret, sealSecret } from './secret.js';
import type { Sealer } from '../keys/seal.js';
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
  /** Seals client_secret_jwt secrets (clients/secret.ts); without it that method cannot be registered. */
  readonly secretSealer?: Sealer;
  /** `oauth2.client_secret_rotation.grace_period` in ms. */
  readonly rotationGraceMs?: number;
  /** What the JWT access-token key set can sign now, read fresh (KeyService.accessTokenAlgs). */
  readonly accessTokenAlgs?: () => Promise<readonly string[]>;
  /** How sector_identifier_uri is fetched (clients/sector.ts); absent: not fetched. */
  readonly outbound?: OutboundDeps | undefined;
}

/** A rotated secret: the client with its new secret, shown once, and until when the previous one still works. */
export interface RotatedSecret {
  readonly client: OAuth2Client;
  readonly previousSecretExpiresAt: number | null;
}

export interface ClientListing {
  readonly clients: OAuth2Client[];
  readonly total: number;
  readonly nextAfter: string | undefined;
}

/** What dynamic registration (clients/registration/) sets besides the metadata. */
export interface RegistrationExtras {
  /** SHA-256 of the RFC 7592 registration access token; replaces the stored one. */
  readonly registrationTokenHash?: string;
}

export interface ClientService {
  create(input: OAuth2ClientInput, extras?: RegistrationExtras): Promise<OAuth2Client>;
  get(id: string): Promise<OAuth2Client>;
  list(query: { limit: number; after?: string | undefined; name?: string | undefined; owner?: string | undefined }): Promise<ClientListing>;
  replace(id: string, input: OAuth2ClientInput, extras?: RegistrationExtras): Promise<OAuth2Client>;
  patch(id: string, patch: JsonPatchDocument): Promise<OAuth2Client>;
  setLifespans(id: string, lifespans: OAuth2ClientTokenLifespans): Promise<OAuth2Client>;
  delete(id: string): Promise<void>;
  /** Extension: a new generated secret; the previous one keeps working for `graceMs` (the configured default when absent). */
  rotateSecret(id: string, graceMs?: number): Promise<RotatedSecret>;
}

/** Printable ASCII without spaces: the id travels in URL paths and Basic credentials. */
const CLIENT_ID = /^[\x21-\x7E]{1,255}$/;

const SECRET_METHODS: ReadonlySet<string> = new Set(['client_secret_basic', 'client_secret_post', 'client_secret_jwt']);
const needsSecret = (m: Pick<ClientMetadata, 'token_endpoint_auth_method'>) => SECRET_METHODS.has(m.token_endpoint_auth_method);
const macsWithSecret = (m: Pick<ClientMetadata, 'token_endpoint_auth_method'>) => m.token_endpoint_auth_method === 'client_secret_jwt';

interface SecretDecision {
  readonly hash: string | null;
  /** Shown to the caller: a secret they sent, or one generated for them. */
  readonly shown: string | undefined;
}

interface SecretContext {
  readonly clientId: string;
  readonly sealer: Sealer | undefined;
}

/** How a secret is kept: sealed for client_secret_jwt (the MAC needs it back), else hashed (scrypt when chosen). */
async function keepSecret(metadata: Pick<ClientMetadata, 'token_endpoint_auth_method'>, secret: string, chosen: boolean, ctx: SecretContext): Promise<string> {
  if (!macsWithSecret(metadata)) return chosen ? hashChosenSecret(secret) : hashGeneratedSecret(secret);
  if (!ctx.sealer) throw invalidClientMetadata('token_endpoint_auth_method: "client_secret_jwt" is not available.');
  return sealSecret(ctx.sealer, ctx.clientId, secret);
}

async function decideSecret(metadata: ClientMetadata, given: string | null | undefined, previousHash: string | null, ctx: SecretContext): Promise<SecretDecision> {
  if (!needsSecret(metadata)) {
    if (given) {
      throw invalidClientMetadata(`client_secret: a client using "${metadata.token_endpoint_auth_method}" must not have a secret.`);
    }
    return { hash: null, shown: undefined };
  }
  if (given !== null && given !== undefined && given !== '') {
    // Hydra's minimum; chosen secrets are hashed with scrypt (clients/secret.ts).
    if (given.length < 6) throw invalidClientMetadata('client_secret: must be at least 6 characters long.');
    // RFC 7518 §3.2: an HMAC key at least as long as the hash output.
    if (macsWithSecret(metadata) && Buffer.byteLength(given) < 32) throw invalidClientMetadata('client_secret: client_secret_jwt needs at least 32 bytes (RFC 7518 §3.2).');
    return { hash: await keepSecret(metadata, given, true, ctx), shown: given };
  }
  // The stored secret carries over only if it is kept the way the method needs (sealed or hashed).
  if (previousHash && isSealedSecret(previousHash) === macsWithSecret(metadata)) return { hash: previousHash, shown: undefined };
  const generated = generateSecret();
  return { hash: await keepSecret(metadata, generated, false, ctx), shown: generated };
}

export function createClientService({ store, clock, policy, idTokenAlgs, accessTokenAlgs, outbound, secretSealer, rotationGraceMs = 86_400_000 }: ClientServiceDeps): ClientService {
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

  async function replaceWith(previous: Client, input: OAuth2ClientInput, extras: RegistrationExtras = {}): Promise<OAuth2Client> {
    if (input.client_id && input.client_id !== previous.client_id) {
      throw invalidRequest('client_id cannot be changed.');
    }
    const metadata = await validate(input);
    const secret = await decideSecret(metadata, input.client_secret, previous.secret_hash, { clientId: previous.client_id, sealer: secretSealer });
    // A rotation's previous secret lives on while the current one does; a new secret ends it.
    const kept = secret.hash !== null && secret.hash === previous.secret_hash;
    const next: Client = {
      ...metadata,
      client_id: previous.client_id,
      secret_hash: secret.hash,
      previous_secret_hash: kept ? (previous.previous_secret_hash ?? null) : null,
      previous_secret_expires_at: kept ? (previous.previous_secret_expires_at ?? null) : null,
      registration_token_hash: extras.registrationTokenHash ?? previous.registration_token_hash ?? null,
      created_at: previous.created_at,
      updated_at: clock.now(),
    };
    if (!(await store.replace(next))) throw notFound(`The OAuth 2.0 client "${previous.client_id}" does not exist.`);
    return toWire(next, secret.shown);
  }

  return {
    async create(input, extras = {}) {
      const id = input.client_id || randomUUID();
      if (!CLIENT_ID.test(id)) throw invalidClientMetadata('client_id: must be 1 to 255 printable ASCII characters without spaces.');
      const metadata = await validate(input);
      const secret = await decideSecret(metadata, input.client_secret, null, { clientId: id, sealer: secretSealer });
      const now = clock.now();
      const client: Client = {
        ...metadata,
        client_id: id,
        secret_hash: secret.hash,
        ...(extras.registrationTokenHash ? { registration_token_hash: extras.registrationTokenHash } : {}),
        created_at: now,
        updated_at: now,
      };
      if (!(await store.create(client))) throw conflict(`An OAuth 2.0 client with the id "${id}" already exists.`);
      return toWire(client, secret.shown);
    },

    get: async (id) => toWire(await load(id)),

    async list(query) {
      const page: ClientPage = await store.list(query);
      return { clients: page.items.map((c) => toWire(c)), total: page.total, nextAfter: page.nextAfter };
    },

    replace: async (id, input, extras) => replaceWith(await load(id), input, extras),

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

    async rotateSecret(id, graceMs = rotationGraceMs) {
      const previous = await load(id);
      if (!needsSecret(previous) || !previous.secret_hash) {
        throw invalidRequest(`The client uses "${previous.token_endpoint_auth_method}", which has no secret to rotate.`);
      }
      const generated = generateSecret();
      const now = clock.now();
      const until = graceMs > 0 ? now + graceMs : null;
      const next: Client = {
        ...previous,
        secret_hash: await keepSecret(previous, generated, false, { clientId: id, sealer: secretSealer }),
        previous_secret_hash: until === null ? null : previous.secret_hash,
        previous_secret_expires_at: until,
        updated_at: now,
      };
      if (!(await store.replace(next))) throw notFound(`The OAuth 2.0 client "${id}" does not exist.`);
      return { client: toWire(next, generated), previousSecretExpiresAt: until };
    },
  };
}
