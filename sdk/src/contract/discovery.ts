import { z } from 'zod';

/** OpenID Connect Discovery 1.0 §3 / RFC 8414 §2. Only what the server really supports is present. */
export const DiscoveryDocument = z.looseObject({
  issuer: z.string(),
  jwks_uri: z.string(),
  subject_types_supported: z.array(z.string()),
  id_token_signing_alg_values_supported: z.array(z.string()),
});
export type DiscoveryDocument = z.infer<typeof DiscoveryDocument>;
