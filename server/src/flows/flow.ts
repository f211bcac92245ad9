import type { ResponseMode } from '../oauth2/authorize/redirect.js';
import type { ResponsePart } from '../oauth2/authorize/checks/response-type.js';

/**
 * One authorization request's way through login and consent. Every arrow is
 * one conditional UPDATE (`where state in (…)`), so a step happens once even
 * when requests for it race on several processes.
 *
 * ```mermaid
 * stateDiagram-v2
 *   [*] --> login_requested: /oauth2/auth (new request)
 *   login_requested --> login_handled: PUT login/accept|reject (verifier minted)
 *   login_handled --> login_handled: accept|reject again (new verifier, old one dead)
 *   login_handled --> consent_requested: /oauth2/auth?login_verifier (once)
 *   consent_requested --> consent_handled: PUT consent/accept|reject
 *   consent_handled --> consent_handled: accept|reject again
 *   consent_handled --> done: /oauth2/auth?consent_verifier (once; code minted)
 *   login_handled --> done: login was rejected (error redirected)
 * ```
 *
 * The device flow (RFC 8628, flows/device/) puts one step in front, kept in
 * its own rows (DeviceChallenge: the client is not known until the user code
 * is) and then runs the same states, returning to /oauth2/device/verify
 * instead of /oauth2/auth:
 *
 * ```mermaid
 * stateDiagram-v2
 *   [*] --> device_requested: /oauth2/device/verify (device challenge)
 *   device_requested --> device_handled: PUT device/accept with a live user code (claims it once; verifier minted)
 *   device_handled --> login_requested: /oauth2/device/verify?device_verifier (once; the flow above begins)
 *   consent_handled --> done: /oauth2/device/verify?consent_verifier (once; the device_code grant written)
 *   login_handled --> done: login rejected (the device polls access_denied)
 *   consent_handled --> done: consent rejected (the device polls access_denied)
 * ```
 */
export type FlowState = 'login_requested' | 'login_handled' | 'consent_requested' | 'consent_handled' | 'done';

/** The device challenge's states (the first diagram's device part). */
export type DeviceChallengeState = 'device_requested' | 'device_handled' | 'done';

/** The browser's way to a device request, before the user code names it (RFC 8628 §3.3). */
export interface DeviceChallenge {
  /** The challenge's hash. */
  readonly id: string;
  readonly state: DeviceChallengeState;
  /** Hash of the binding cookie of the browser that asked. */
  readonly browser: string;
  /** The caller's network (lib/ip-ranges.ts callerNetwork), for the wrong-code throttle. */
  readonly network: string;
  /** Wrong user codes entered against this challenge. */
  readonly failures: number;
  /** Set when a user code was accepted. */
  readonly deviceRequestId?: string | undefined;
  readonly requestedAt: number;
  readonly expiresAt: number;
}

/** The validated authorization request, kept for the whole flow. */
export interface AuthorizeRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  /** RFC 6749 §4.1.3: if it was sent, the token request must send the same. */
  readonly redirectUriSent: boolean;
  /** How the final response travels; absent in flows stored before response modes (= query). */
  readonly responseMode?: ResponseMode | undefined;
  /** What the final response carries (sorted parts); absent in flows stored before implicit and hybrid (= code). */
  readonly responseType?: readonly ResponsePart[] | undefined;
  readonly scope: readonly string[];
  readonly audience: readonly string[];
  readonly state?: string | undefined;
  readonly nonce?: string | undefined;
  readonly codeChallenge?: string | undefined;
  readonly codeChallengeMethod?: 'S256' | 'plain' | undefined;
  /** RFC 9449 §10: the code is bound to this DPoP key thumbprint. */
  readonly dpopJkt?: string | undefined;
  readonly prompt: readonly string[];
  readonly maxAge?: number | undefined;
  readonly loginHint?: string | undefined;
  readonly acrValues: readonly string[];
  readonly uiLocales: readonly string[];
  readonly display?: string | undefined;
  readonly idTokenHintClaims?: Readonly<Record<string, unknown>> | undefined;
  /** The authorization URL as the client sent it (query form), for `request_url`. */
  readonly requestUrl: string;
}

/** An error the login or consent app chose (`…/reject`), delivered to the client. */
export interface Rejection {
  readonly error: string;
  readonly description: string;
  readonly hint?: string | undefined;
  readonly statusCode: number;
}

export interface LoginOutcome {
  readonly subject: string;
  readonly remember: boolean;
  /** Seconds; 0 = `ttl.authentication_session`. */
  readonly rememberFor: number;
  readonly extendSessionLifespan: boolean;
  readonly acr: string;
  readonly amr: readonly string[];
  readonly context?: unknown;
  readonly forceSubjectIdentifier?: string | undefined;
  readonly rejected?: Rejection | undefined;
}

export interface ConsentOutcome {
  readonly grantScope: readonly string[];
  readonly grantAudience: readonly string[];
  readonly remember: boolean;
  /** Seconds; 0 = forever. */
  readonly rememberFor: number;
  readonly accessTokenClaims: Readonly<Record<string, unknown>>;
  readonly idTokenClaims: Readonly<Record<string, unknown>>;
  readonly context?: unknown;
  readonly rejected?: Rejection | undefined;
}

export interface Flow {
  /** Also the consent request id and the token family id (and, for a device flow, the device request id). */
  readonly id: string;
  /** A device flow (RFC 8628): it returns to /oauth2/device/verify and ends in a device_code grant, not a code. */
  readonly device?: boolean | undefined;
  readonly state: FlowState;
  readonly clientId: string;
  readonly request: AuthorizeRequest;
  /** A remembered login covers this request: `skip: true`. */
  readonly loginSkip: boolean;
  /** The remembered subject when `loginSkip`, else "". */
  readonly loginSubject: string;
  /** The `sid`: the remembered session's, or a new one this flow creates. */
  readonly sessionId: string;
  /** When the remembered session authenticated (ms), for `auth_time` when skipping. */
  readonly sessionAuthenticatedAt?: number | undefined;
  /** The remembered session's acr/amr, used when a skipped login is accepted without its own. */
  readonly sessionAcr?: string | undefined;
  readonly sessionAmr?: readonly string[] | undefined;
  readonly login?: LoginOutcome | undefined;
  /** When the login happened (ms): now for a fresh login, the session's for a skipped one. */
  readonly authenticatedAt?: number | undefined;
  readonly consentSkip?: boolean | undefined;
  /** When the consent is skipped because a remembered one covers the request: that consent's id. */
  readonly consentOrigin?: string | undefined;
  readonly consent?: ConsentOutcome | undefined;
  readonly requestedAt: number;
  readonly expiresAt: number;
}
