import { z } from 'zod';

const list = z.array(z.string()).optional();
const flag = z.boolean().optional();

/** OpenID Connect Discovery 1.0 §3 / RFC 8414 §2. Only what the server really supports is present. */
export const DiscoveryDocument = z.looseObject({
  issuer: z.string(),
  jwks_uri: z.string(),
  subject_types_supported: z.array(z.string()),
  id_token_signing_alg_values_supported: z.array(z.string()),
  userinfo_signing_alg_values_supported: list,
  authorization_endpoint: z.string().optional(),
  token_endpoint: z.string().optional(),
  userinfo_endpoint: z.string().optional(),
  revocation_endpoint: z.string().optional(),
  end_session_endpoint: z.string().optional(),
  /** RFC 8628 §4. */
  device_authorization_endpoint: z.string().optional(),
  /** RFC 9126 §5 (extension: not in Hydra). */
  pushed_authorization_request_endpoint: z.string().optional(),
  require_pushed_authorization_requests: flag,
  frontchannel_logout_supported: flag,
  frontchannel_logout_session_supported: flag,
  backchannel_logout_supported: flag,
  backchannel_logout_session_supported: flag,
  response_types_supported: list,
  response_modes_supported: list,
  grant_types_supported: list,
  scopes_supported: list,
  claims_supported: list,
  token_endpoint_auth_methods_supported: list,
  revocation_endpoint_auth_methods_supported: list,
  code_challenge_methods_supported: list,
  authorization_response_iss_parameter_supported: flag,
  request_parameter_supported: flag,
  request_uri_parameter_supported: flag,
  claims_parameter_supported: flag,
  /** RFC 9449 §5.1 (extension: not in Hydra). */
  dpop_signing_alg_values_supported: list,
  /** RFC 9701 §7 (extension: not in Hydra): algorithms of JWT introspection responses. */
  introspection_signing_alg_values_supported: list,
});
export type DiscoveryDocument = z.infer<typeof DiscoveryDocument>;
