import { invalidClientMetadata } from '../errors/catalog.js';
import { getJson, type OutboundDeps } from '../lib/outbound-request.js';
import { sectorHost } from '../tokens/subject.js';
import type { ClientMetadata } from './validate.js';

/*
 * Pairwise clients (OIDC Core §8.1, OIDC Registration §5). The sector is the
 * host of `sector_identifier_uri`, else the one host all redirect URIs
 * share. A sector_identifier_uri is fetched once, at registration (through
 * lib/outbound-request.ts: SSRF rules, DNS pinning, no redirects), with a
 * deadline and a size cap; it must be a JSON array of URIs that contains
 * every redirect URI of the client.
 */

export const SECTOR_FETCH = { timeoutMs: 5_000, maxBytes: 64 * 1024 } as const;

async function fetchSectorList(uri: string, outbound: OutboundDeps): Promise<unknown> {
  try {
    // getJson refuses anything but 200 and a body that is not JSON, as OIDC Registration §5 needs.
    return await getJson(uri, outbound, SECTOR_FETCH);
  } catch (err) {
    const why = err instanceof SyntaxError ? 'is not JSON' : `could not be used: ${(err as Error).message}`;
    throw invalidClientMetadata(`sector_identifier_uri: "${uri}" ${why}.`);
  }
}

/** Refuses a pairwise client without a sector, or whose sector_identifier_uri does not list every redirect URI. */
export async function checkSector(metadata: ClientMetadata, outbound: OutboundDeps | undefined): Promise<void> {
  const uri = metadata.sector_identifier_uri;
  if (metadata.subject_type === 'pairwise' && sectorHost(metadata) === undefined) {
    throw invalidClientMetadata(
      'subject_type "pairwise" needs redirect_uris on one host, or a sector_identifier_uri listing them (OpenID Connect Core §8.1).',
    );
  }
  // Only a pairwise client's sector matters; a public client's sector_identifier_uri is stored unfetched.
  if (!uri || !outbound || metadata.subject_type !== 'pairwise') return;
  const list = await fetchSectorList(uri, outbound);
  if (!Array.isArray(list) || !list.every((u) => typeof u === 'string')) {
    throw invalidClientMetadata(`sector_identifier_uri: "${uri}" must be a JSON array of URIs.`);
  }
  const missing = metadata.redirect_uris.find((u) => !list.includes(u));
  if (missing !== undefined) throw invalidClientMetadata(`sector_identifier_uri: "${uri}" does not list the redirect URI "${missing}".`);
}
