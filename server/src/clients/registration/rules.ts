import type { OAuth2ClientInput } from '@tessera/sdk';
import { lifespanFields } from '@tessera/sdk';
import { invalidClientMetadata, invalidRequest, requestForbidden } from '../../errors/catalog.js';

/*
 * What a caller of /oauth2/register may not choose (Hydra's
 * ValidateDynamicRegistration, client/validator.go, and stricter where an
 * anonymous caller could widen its own reach): its id, its secret, `metadata`,
 * `skip_consent`, `skip_logout_consent`, `access_token_strategy`, token
 * lifespans, `audience` and `owner` are the operator's (admin API only).
 * Values equal to the defaults are accepted, so a client read back with GET
 * can be sent back with PUT unchanged.
 */

function refuse(field: string): never {
  throw invalidClientMetadata(`"${field}" cannot be set for dynamic client registration; an operator sets it through the admin API.`);
}

/** Checks a registration or update body; returns it with the default scope filled in. */
export function dynamicInput(input: OAuth2ClientInput, defaultScope: readonly string[], update: boolean): OAuth2ClientInput {
  if (input.client_secret) {
    // Hydra: 400 on create, 403 on update.
    const hint = 'It is not allowed to choose your own OAuth2 Client secret.';
    throw update ? requestForbidden(hint) : invalidRequest(hint);
  }
  if (!update && input.client_id) throw invalidRequest('It is not allowed to choose your own OAuth2 Client ID.');
  if (input.metadata && Object.keys(input.metadata).length > 0) refuse('metadata');
  if (input.skip_consent) refuse('skip_consent');
  if (input.skip_logout_consent) refuse('skip_logout_consent');
  if (input.access_token_strategy) refuse('access_token_strategy');
  if (input.owner) refuse('owner');
  if (input.audience && input.audience.length > 0) refuse('audience');
  for (const field of lifespanFields) if (input[field] !== null && input[field] !== undefined) refuse(field);
  const scope = input.scope === null || input.scope === undefined ? defaultScope.join(' ') : input.scope;
  const { metadata: _metadata, ...rest } = input;
  return { ...rest, scope };
}
