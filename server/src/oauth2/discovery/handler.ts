import type { DiscoveryDocument } from '@tessera/sdk';
import type { HandlerResult } from '../../lib/result.js';

export interface DiscoveryInput {
  readonly issuer: string;
  /** Where the public endpoints are reached (`urls.self.public`, else the issuer). */
  readonly publicBase: string;
  readonly subjectTypes: readonly string[];
}

/**
 * OpenID Connect Discovery 1.0 §3 and RFC 8414 §2. Lists only what this
 * build really does; each capability adds its own fields as it lands. The
 * document is built once: it changes only with configuration.
 */
export function discoveryDocument({ issuer, publicBase, subjectTypes }: DiscoveryInput): DiscoveryDocument {
  return {
    issuer,
    jwks_uri: `${publicBase.replace(/\/$/, '')}/.well-known/jwks.json`,
    subject_types_supported: [...subjectTypes],
    id_token_signing_alg_values_supported: ['RS256'],
  };
}

export function discoveryHandler(input: DiscoveryInput): () => HandlerResult {
  const body = JSON.stringify(discoveryDocument(input));
  return () => ({ kind: 'json', body, headers: { 'Cache-Control': 'public, max-age=300' } });
}
