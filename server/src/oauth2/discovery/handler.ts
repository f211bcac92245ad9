import type { DiscoveryDocument } from '@tessera/sdk';
import type { HandlerResult } from '../../lib/result.js';

export interface DiscoveryInput {
  readonly issuer: string;
  /** Where the public endpoints are reached (`urls.self.public`, else the issuer). */
  readonly publicBase: string;
  readonly subjectTypes: readonly string[];
  readonly grantTypes: readonly string[];
}

/**
 * OpenID Connect Discovery 1.0 §3 and RFC 8414 §2. Lists only what this
 * build really does; each capability adds its own fields as it lands. The
 * document is built once: it changes only with configuration.
 */
export function discoveryDocument({ issuer, publicBase, subjectTypes, grantTypes }: DiscoveryInput): DiscoveryDocument {
  const base = publicBase.replace(/\/$/, '');
  return {
    issuer,
    jwks_uri: `${base}/.well-known/jwks.json`,
    token_endpoint: `${base}/oauth2/token`,
    revocation_endpoint: `${base}/oauth2/revoke`,
    grant_types_supported: [...grantTypes],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    subject_types_supported: [...subjectTypes],
    id_token_signing_alg_values_supported: ['RS256'],
  };
}

export function discoveryHandler(input: DiscoveryInput): () => HandlerResult {
  const body = JSON.stringify(discoveryDocument(input));
  return () => ({ kind: 'json', body, headers: { 'Cache-Control': 'public, max-age=300' } });
}
