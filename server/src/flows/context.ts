import type { OAuth2Client, OidcContext, RejectOAuth2Request } from '@tessera/sdk';
import type { AuthorizeRequest, Rejection } from './flow.js';
import type { FlowDeps } from './deps.js';
import { toWire } from '../clients/mapper.js';
import { notFound } from '../errors/catalog.js';

export function oidcContext(request: AuthorizeRequest): OidcContext {
  return {
    acr_values: [...request.acrValues],
    ui_locales: [...request.uiLocales],
    ...(request.display !== undefined ? { display: request.display } : {}),
    ...(request.loginHint !== undefined ? { login_hint: request.loginHint } : {}),
    ...(request.idTokenHintClaims !== undefined ? { id_token_hint_claims: { ...request.idTokenHintClaims } } : {}),
  };
}

/** The flow's client as the login app sees it: no secret (Hydra blanks it). */
export async function wireClient(deps: Pick<FlowDeps, 'clients'>, clientId: string): Promise<OAuth2Client> {
  const client = await deps.clients.get(clientId);
  if (!client) throw notFound('The client of this request no longer exists.');
  return toWire(client);
}

/** A reject body as Hydra reads it: defaults "access_denied", 400 (flow/consent_types.go). */
export function rejection(body: RejectOAuth2Request, what: 'login' | 'consent'): Rejection {
  return {
    error: body.error || 'access_denied',
    description: body.error_description || `The resource owner denied the request (${what} request denied).`,
    hint: body.error_hint,
    statusCode: body.status_code ?? 400,
  };
}

/** Hydra's redirect_to: the original request URL plus the verifier. */
export function withVerifier(requestUrl: string, name: 'login_verifier' | 'consent_verifier', value: string): string {
  const url = new URL(requestUrl);
  url.searchParams.set(name, value);
  return url.toString();
}
