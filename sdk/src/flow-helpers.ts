import type {
  AcceptOAuth2ConsentRequest,
  AcceptOAuth2LoginRequest,
  OAuth2ConsentRequest,
  OAuth2LoginRequest,
  OAuth2LogoutRequest,
  RejectOAuth2Request,
} from './contract/flows.js';
import type { TesseraAdmin } from './admin-client.js';

/*
 * The part of a login/consent app that is the same everywhere: read the
 * request, honour `skip`, accept or reject, send the browser on. The app keeps
 * what is its own: how users prove who they are, and what the screens say.
 */

type Awaitable<T> = T | PromiseLike<T>;

/** What a helper tells the app to do next: send the browser on, or show its page for `show`. */
export type FlowStep<Request, View> =
  | { readonly redirectTo: string; readonly show?: never; readonly render?: never }
  | { readonly show: Request; readonly render: View | undefined; readonly redirectTo?: never };

/** Show the app's own page; `render` is passed back untouched (e.g. `{ error: 'Wrong password' }`). */
export interface ShowPage<View> {
  readonly render: View;
}

// ── Login ─────────────────────────────────────────────────────────────────

/** The user is authenticated: accept as this subject (`remember`, `acr`, `amr`, `context` as the admin API takes them). */
export type LoginAccept = AcceptOAuth2LoginRequest & { readonly reject?: never; readonly render?: never };
/** Refuse the login: the error ends at the client's redirect_uri (`{}` means `access_denied`). */
export interface LoginReject {
  readonly reject: RejectOAuth2Request;
  readonly subject?: never;
  readonly render?: never;
}
/**
 * What `authenticate` returns: `{ subject, … }` accepts, `{ reject }` rejects,
 * `{ render }` or `undefined` shows the login page (no credentials yet, or wrong ones).
 */
export type LoginDecision<View = undefined> =
  | LoginAccept
  | LoginReject
  | (ShowPage<View> & { readonly subject?: never; readonly reject?: never })
  | undefined;

export type LoginAdmin = Pick<TesseraAdmin, 'getLoginRequest' | 'acceptLoginRequest' | 'rejectLoginRequest'>;

/**
 * Handles `GET`/`POST /login?login_challenge=…` of a login app.
 *
 * Reads the login request from the admin API. If `skip` is true, accepts at
 * once with the remembered subject and never calls `authenticate`; otherwise
 * asks `authenticate` and accepts, rejects or returns `{ show }` for the app
 * to render its page. Call it on the form's POST too, with an `authenticate`
 * that checks the submitted credentials.
 *
 * Security reasoning:
 * - Everything the decision rests on (client, scopes, `skip`, `subject`) comes
 *   from the admin API, looked up by the challenge; nothing is taken from the
 *   query string, which the browser (or an attacker's link) controls.
 * - `skip: true` means Tessera already knows this browser: it holds a
 *   remembered login session (`tessera_session`) that satisfies `prompt`,
 *   `max_age` and `id_token_hint`. A login page would add nothing, and
 *   accepting another subject would swap identities inside that session (the
 *   server refuses it with 400 anyway). So the helper accepts with
 *   `request.subject` and nothing the app or the form says; a user who wants
 *   another account comes back with `prompt=login` or `select_account`, which
 *   makes `skip` false.
 * - On `skip` only `subject` is sent: the server keeps the session as it is
 *   (remembered, same lifetime), so a skipped login cannot extend it.
 * - A challenge is single-use: once its verifier was used, or after
 *   `ttl.login_consent_request`, this throws `TesseraError` with status 410
 *   and `redirectTo`, the flow's own authorization URL on Tessera. Sending the
 *   browser there restarts the flow safely; never redirect to a URL taken
 *   from the request instead (open redirect).
 * - The verifier in `redirectTo` works only in the browser that started the
 *   flow (Tessera's flow cookie), so a leaked `redirectTo` is no use elsewhere.
 *
 * @example
 * ```ts
 * const step = await handleLogin(admin, challenge, async () => {
 *   const user = await users.check(form.username, form.password);
 *   return user ? { subject: user.id, remember: form.remember === 'on' } : { render: { error: 'Wrong username or password' } };
 * });
 * if (step.redirectTo !== undefined) return ctx.redirect(step.redirectTo);
 * ctx.body = loginPage(challenge, step.show, step.render);
 * ```
 */
export async function handleLogin<View = undefined>(
  admin: LoginAdmin,
  challenge: string,
  authenticate: (request: OAuth2LoginRequest) => Awaitable<LoginDecision<View>>,
): Promise<FlowStep<OAuth2LoginRequest, View>> {
  const request = await admin.getLoginRequest(challenge);
  if (request.skip) return sent(await admin.acceptLoginRequest(challenge, { subject: request.subject }));
  const decision = await authenticate(request);
  if (decision === undefined || 'render' in decision) return { show: request, render: decision?.render };
  if (decision.reject !== undefined) return sent(await admin.rejectLoginRequest(challenge, decision.reject));
  return sent(await admin.acceptLoginRequest(challenge, decision));
}

// ── Consent ───────────────────────────────────────────────────────────────

/** The token claims of a consent: `access_token` (introspection `ext`, JWT claims) and `id_token` (ID token, userinfo). */
export type ConsentSession = NonNullable<AcceptOAuth2ConsentRequest['session']>;

/** Grant these scopes (required: say what is granted) and audiences, with the session claims. */
export type ConsentAccept = AcceptOAuth2ConsentRequest & {
  readonly grant_scope: string[];
  readonly reject?: never;
  readonly render?: never;
};
export interface ConsentReject {
  readonly reject: RejectOAuth2Request;
  readonly grant_scope?: never;
  readonly render?: never;
}
export type ConsentDecision<View = undefined> =
  | ConsentAccept
  | ConsentReject
  | (ShowPage<View> & { readonly grant_scope?: never; readonly reject?: never })
  | undefined;

export interface ConsentHandlers<View = undefined> {
  /** Called when the user must be asked (`skip` false): accept, reject, or show the consent page. */
  readonly decide: (request: OAuth2ConsentRequest) => Awaitable<ConsentDecision<View>>;
  /** The session claims of a skipped request, derived from `request.subject` and `request.requested_scope`. */
  readonly claims?: ((request: OAuth2ConsentRequest) => Awaitable<ConsentSession | undefined>) | undefined;
}

export type ConsentAdmin = Pick<TesseraAdmin, 'getConsentRequest' | 'acceptConsentRequest' | 'rejectConsentRequest'>;

/**
 * Handles `GET`/`POST /consent?consent_challenge=…` of a consent app.
 *
 * If `skip` is true, accepts at once with `grant_scope` = `requested_scope`,
 * `grant_access_token_audience` = `requested_access_token_audience` and the
 * `session` from `claims(request)`; otherwise calls `decide`.
 *
 * Security reasoning:
 * - `skip` is Tessera's decision, not the app's: this subject already granted
 *   this client at least these scopes and audiences with `remember: true`
 *   (and `prompt=consent` was not sent), or an operator registered the client
 *   with `skip_consent` (a first-party client) through the admin API.
 * - A skipped request is granted exactly what was requested: not the client's
 *   whole registered scope, not the union with earlier grants (least
 *   privilege). Tessera still refuses a scope or audience outside the
 *   client's registration.
 * - `decide` is not called for skipped requests, so page code cannot widen a
 *   silent grant. `remember` is not sent: a skipped consent records no new
 *   decision, the earlier one keeps its own expiry and is never extended
 *   without the user seeing the screen.
 * - Tessera does not replay earlier token claims, so `claims` computes them
 *   afresh (current e-mail, current roles) from the requested scopes; without
 *   `claims`, tokens of skipped flows carry no extra claims.
 * - 410 (`TesseraError.redirectTo`) and browser binding as for {@link handleLogin}.
 *
 * `handlers` may be just the `decide` function.
 */
export async function handleConsent<View = undefined>(
  admin: ConsentAdmin,
  challenge: string,
  handlers: ConsentHandlers<View> | ConsentHandlers<View>['decide'],
): Promise<FlowStep<OAuth2ConsentRequest, View>> {
  const { decide, claims } = typeof handlers === 'function' ? { decide: handlers, claims: undefined } : handlers;
  const request = await admin.getConsentRequest(challenge);
  if (request.skip) {
    const session = await claims?.(request);
    return sent(
      await admin.acceptConsentRequest(challenge, {
        grant_scope: request.requested_scope,
        grant_access_token_audience: request.requested_access_token_audience,
        ...(session === undefined ? {} : { session }),
      }),
    );
  }
  const decision = await decide(request);
  if (decision === undefined || 'render' in decision) return { show: request, render: decision?.render };
  if (decision.reject !== undefined) return sent(await admin.rejectConsentRequest(challenge, decision.reject));
  return sent(await admin.acceptConsentRequest(challenge, decision));
}

// ── Logout ────────────────────────────────────────────────────────────────

/**
 * What `confirm` returns: `'accept'` ends the session, `'reject'` keeps it,
 * `{ render }` or `undefined` shows the app's "sign out?" page.
 */
export type LogoutDecision<View = undefined> = 'accept' | 'reject' | ShowPage<View> | undefined;

/**
 * What `handleLogout` tells the app: send the browser on (accepted), show the
 * page for `show`, or `rejected`: the user stays logged in, and Tessera gives
 * no redirect (Hydra's reject answers 204), so the app decides where to go.
 */
export type LogoutStep<View> =
  | (FlowStep<OAuth2LogoutRequest, View> & { readonly rejected?: never })
  | { readonly rejected: true; readonly redirectTo?: never; readonly show?: never; readonly render?: never };

export type LogoutAdmin = Pick<TesseraAdmin, 'getLogoutRequest' | 'acceptLogoutRequest' | 'rejectLogoutRequest'>;

/**
 * Handles `GET`/`POST /logout?logout_challenge=…` of a logout app.
 *
 * Reads the logout request and asks `confirm`, which sees who is logging
 * out (`subject`, `sid`) and whether a client asked for it (`rp_initiated`,
 * `client` when one was named). `'accept'` gives `{ redirectTo }`: Tessera
 * ends the session there (front- and back-channel logout to the clients),
 * then goes on to the client's `post_logout_redirect_uri` or
 * `urls.post_logout_redirect`.
 *
 * Security reasoning:
 * - The helper never accepts on its own. Anyone can send a browser to the
 *   end-session endpoint, and `rp_initiated` is also true when the request
 *   named a client by `client_id` alone, which proves nothing about who sent
 *   it; asking the user is what stops a third-party page from logging people
 *   out (OpenID Connect RP-Initiated Logout 1.0 §2: the OP should confirm).
 *   So `confirm` should accept only on the user's own POST.
 * - As with login, everything shown comes from the admin API by the
 *   challenge, never from the query string; `client` is the registered client.
 * - A logout challenge is single-use and expires: a used one throws
 *   `TesseraError` with status 410 and `redirectTo` (the end-session request
 *   to start again at, on Tessera).
 * - A rejected request is deleted; the user stays logged in, and a client
 *   that asked for the logout is not told (Hydra does the same).
 *
 * @example
 * ```ts
 * const step = await handleLogout(admin, challenge, () => (form ? (form.yes ? 'accept' : 'reject') : undefined));
 * if (step.redirectTo !== undefined) return ctx.redirect(step.redirectTo);
 * ctx.body = step.rejected ? 'You are still signed in.' : logoutPage(step.show);
 * ```
 */
export async function handleLogout<View = undefined>(
  admin: LogoutAdmin,
  challenge: string,
  confirm: (request: OAuth2LogoutRequest) => Awaitable<LogoutDecision<View>>,
): Promise<LogoutStep<View>> {
  const request = await admin.getLogoutRequest(challenge);
  const decision = await confirm(request);
  if (decision === 'accept') return sent(await admin.acceptLogoutRequest(challenge));
  if (decision === 'reject') {
    await admin.rejectLogoutRequest(challenge);
    return { rejected: true };
  }
  return { show: request, render: decision?.render };
}

const sent = ({ redirect_to }: { redirect_to: string }): { redirectTo: string } => ({ redirectTo: redirect_to });
