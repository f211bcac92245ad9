import { z } from 'zod';
import { OAuth2ClientInput } from '../contract/clients.js';
import {
  ListTrustedIssuersQuery,
  OidcDynamicClient,
  RotateClientSecretRequest,
  RotatedClientSecret,
  TrustOAuth2JwtGrantIssuer,
  TrustedOAuth2JwtGrantIssuer,
} from '../contract/client-auth.js';
import { pageHeaders, type Operation } from './table.js';

/* Secret rotation (extension), dynamic client registration and the jwt-bearer trust API. */

const admin = ['admin'] as const;
const pub = ['public'] as const;
const id = { id: 'The client ID.' };
const trustId = { id: 'The trust relationship ID.' };
const registration = { schemes: ['bearer'] } as const;
const dcrOff = 'Answers 404 unless `oidc.dynamic_client_registration.enabled` is set.';

export const clientAuthAdminOperations: readonly Operation[] = [
  { apis: admin, method: 'post', path: '/admin/clients/{id}/secret', operationId: 'rotateOAuth2ClientSecretWithGracePeriod', summary: 'Rotate a client secret with a grace period (extension)',
    description: 'Generates a new secret, shown in this answer only; the previous secret keeps working until `previous_secret_expires_at`.',
    pathParams: id, body: { schema: RotateClientSecretRequest }, responses: { 200: { description: 'The client, with its new secret.', json: RotatedClientSecret } }, errors: [400, 404] },
  { apis: admin, method: 'post', path: '/admin/trust/grants/jwt-bearer/issuers', operationId: 'trustOAuth2JwtGrantIssuer', summary: 'Trust a JWT issuer for the jwt-bearer grant (RFC 7523)',
    body: { schema: TrustOAuth2JwtGrantIssuer }, responses: { 201: { description: 'The trust relationship.', json: TrustedOAuth2JwtGrantIssuer } }, errors: [400, 409] },
  { apis: admin, method: 'get', path: '/admin/trust/grants/jwt-bearer/issuers', operationId: 'listTrustedOAuth2JwtGrantIssuers', summary: 'List trusted JWT issuers',
    query: ListTrustedIssuersQuery, responses: { 200: { description: 'One page.', json: z.array(TrustedOAuth2JwtGrantIssuer), headers: pageHeaders } }, errors: [400] },
  { apis: admin, method: 'get', path: '/admin/trust/grants/jwt-bearer/issuers/{id}', operationId: 'getTrustedOAuth2JwtGrantIssuer', summary: 'Get a trusted JWT issuer',
    pathParams: trustId, responses: { 200: { description: 'The trust relationship.', json: TrustedOAuth2JwtGrantIssuer } }, errors: [404] },
  { apis: admin, method: 'delete', path: '/admin/trust/grants/jwt-bearer/issuers/{id}', operationId: 'deleteTrustedOAuth2JwtGrantIssuer', summary: 'Delete a trusted JWT issuer',
    pathParams: trustId, responses: { 204: { description: 'Deleted.' } }, errors: [404] },
];

export const clientAuthPublicOperations: readonly Operation[] = [
  { apis: pub, method: 'post', path: '/oauth2/register', operationId: 'createOidcDynamicClient', summary: 'Register a client (RFC 7591)',
    description: `${dcrOff} The answer carries \`client_secret\` and \`registration_access_token\`, shown only here.`,
    body: { schema: OAuth2ClientInput }, responses: { 201: { description: 'The client.', json: OidcDynamicClient } }, errors: [400, 404] },
  { apis: pub, method: 'get', path: '/oauth2/register/{id}', operationId: 'getOidcDynamicClient', summary: 'Read a registered client (RFC 7592 §2.1)',
    description: dcrOff, pathParams: id, security: registration, responses: { 200: { description: 'The client.', json: OidcDynamicClient } }, errors: [401, 404] },
  { apis: pub, method: 'put', path: '/oauth2/register/{id}', operationId: 'setOidcDynamicClient', summary: 'Replace a registered client (RFC 7592 §2.2)',
    description: `${dcrOff} The registration access token is rotated: the answer carries the new one.`,
    pathParams: id, security: registration, body: { schema: OAuth2ClientInput }, responses: { 200: { description: 'The client.', json: OidcDynamicClient } }, errors: [400, 401, 404] },
  { apis: pub, method: 'delete', path: '/oauth2/register/{id}', operationId: 'deleteOidcDynamicClient', summary: 'Delete a registered client (RFC 7592 §2.3)',
    description: dcrOff, pathParams: id, security: registration, responses: { 204: { description: 'Deleted.' } }, errors: [401, 404] },
];
