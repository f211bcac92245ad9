import type Koa from 'koa';
import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import { systemClock, type Clock } from './lib/clock.js';
import type { Storage } from './storage/ports.js';
import { createStorage, connect, connectionPool, migrateUp, migrationStatus, type Connection } from './storage/knex/index.js';
import { createPrometheusMetrics } from './metrics/prometheus.js';
import type { Metrics } from './metrics/metrics.js';
import { countIntrospections, countTokens } from './metrics/count.js';
import { createSealer, type Sealer } from './keys/seal.js';
import { LOGIN_CHALLENGE_PURPOSE } from './flows/login-challenge.js';
import { unreadableKeys } from './keys/rotate.js';
import { ConfigError } from './config/load.js';
import { createKeyService } from './keys/service.js';
import { keyHandlers } from './keys/handler.js';
import { createClientService } from './clients/service.js';
import { clientHandlers } from './clients/handler.js';
import { registrationHandlers } from './clients/registration/handler.js';
import { trustHandlers } from './oauth2/trust/handler.js';
import { createRegistrationThrottle } from './clients/registration/throttle.js';
import { createSecretGuard } from './clients/secret-guard.js';
import { openSealedSecret, SECRET_SEAL_PURPOSE } from './clients/secret.js';
import { createRemoteKeys } from './oauth2/client-auth/remote-keys.js';
import type { AssertionDeps } from './oauth2/client-auth.js';
import { discoveryHandler } from './oauth2/discovery/handler.js';
import { tokenEndpoint, SUPPORTED_GRANTS } from './oauth2/token/handler.js';
import type { GrantDeps } from './oauth2/token/deps.js';
import { introspect } from './oauth2/introspect/handler.js';
import { introspectNegotiated, type IntrospectionHttp } from './oauth2/introspect/jwt-response.js';
import { revoke } from './oauth2/revoke/handler.js';
import { deleteAccessTokens } from './oauth2/revoke/admin.js';
import { createTokenStrategy } from './tokens/hmac.js';
import { createIdTokenSigner } from './keys/signer.js';
import { createJwtAccessTokenService, keyRetention } from './keys/access-token-signer.js';
import { IMPLICIT_GRANT } from './oauth2/authorize/checks/response-type.js';
import type { FlowDeps } from './flows/deps.js';
import { loginHandlers } from './flows/login/admin.js';
import { consentHandlers } from './flows/consent/admin.js';
import { authorize, type AuthorizeDeps } from './oauth2/authorize/handler.js';
import { activeAccessToken, userinfo } from './oauth2/userinfo/handler.js';
import { createDpopDeps } from './oauth2/dpop/index.js';
import { sessionHandlers } from './sessions/handler.js';
import { createBackchannelNotifier, type BackchannelNotifier } from './sessions/backchannel.js';
import type { LogoutDeps } from './flows/logout/deps.js';
import { logoutHandlers } from './flows/logout/admin.js';
import { endSession } from './flows/logout/handler.js';
import type { DeviceFlowDeps } from './flows/device/deps.js';
import { deviceHandlers } from './flows/device/accept.js';
import { deviceVerify } from './flows/device/handler.js';
import { deviceAuthorization } from './oauth2/device/authorize.js';
import { pushAuthorizationRequest, type ParDeps } from './oauth2/par/handler.js';
import { createUserCodes } from './oauth2/device/user-code.js';
import { createAdminApp } from './http/admin.js';
import { createPublicApp } from './http/public.js';
import { createCors } from './http/cors.js';
import { cachedCheck, type Lifecycle } from './http/health.js';
import type { OutboundPolicy } from './lib/outbound-policy.js';
import type { Resolve } from './lib/outbound-request.js';
import { createLeaks, type LeakWiring } from './oauth2/leaks/index.js';
import type { IntrospectionRequest, TokenRequest } from '@tessera/sdk';

export interface Tessera {
  readonly config: Config;
  readonly publicApp: Koa;
  readonly adminApp: Koa;
  readonly storage: Storage;
  readonly lifecycle: Lifecycle;
  /** Back-channel logout deliveries; `drain()` waits for those under way. */
  readonly notifier: BackchannelNotifier;
  /** The schema's state at start, for the start-up log line ("up to date", "migrated: 3 applied"). */
  readonly schema: string;
  close(): Promise<void>;
}

export interface TesseraOptions {
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Resolves the hosts of back-channel logout URIs; the system resolver by default (tests inject one). */
  readonly resolve?: Resolve;
  /** Called once per reported leaked token (issue 18 item 6: the metrics counter hooks in here). */
  readonly onLeakOutcome?: LeakWiring['onOutcome'];
  /**
   * What is counted and scraped at /admin/metrics/prometheus. By default a
   * prom-client registry without process metrics: those are per process, and
   * `serve` (one server per process) passes a registry that has them.
   */
  readonly metrics?: Metrics;
}

/** Thrown when the schema is behind and neither `--dev` nor DSN=memory is there to migrate it. */
export class PendingMigrationsError extends Error {
  constructor(pending: readonly string[]) {
    super(`the database schema is not up to date (${pending.length} pending: ${pending.join(', ')}); run \`tessera migrate up\``);
    this.name = 'PendingMigrationsError';
  }
}

async function prepareSchema(conn: Connection, config: Config, logger: Logger): Promise<string> {
  // DSN=memory is a database no other process can reach, so `tessera migrate up` could never
  // prepare it: it migrates itself at every start (as Hydra does), and nothing persists anyway.
  if (config.dev || config.dsn === 'memory') {
    const applied = await migrateUp(conn);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    if (config.dsn === 'memory' && !config.dev) logger.warn('DSN=memory: the schema was created at start; every client, key and token is lost when this process stops');
    return applied.length > 0 ? `migrated (${applied.length} applied)` : 'up to date';
  }
  const pending = (await migrationStatus(conn)).filter((m) => !m.applied).map((m) => m.name);
  if (pending.length > 0) throw new PendingMigrationsError(pending);
  return 'up to date';
}

/**
 * Refuses to start when a stored private key does not open with the configured
 * secrets (its secret was dropped before `tessera secrets rotate` ran): such a
 * process could neither sign ID tokens nor serve the key set.
 */
async function assertKeysOpen(storage: Storage, sealer: Sealer): Promise<void> {
  const unreadable = await unreadableKeys(storage.keys, sealer);
  if (unreadable.length === 0) return;
  const named = unreadable.slice(0, 3).join(', ') + (unreadable.length > 3 ? ', …' : '');
  throw new ConfigError(
    'secrets.system',
    `no configured secret opens ${unreadable.length} stored private key(s) (${named}); list the secret they were sealed with after the new one, run "tessera secrets rotate", then drop it`,
  );
}

/** The composition root: the one place that wires storage, services, handlers and apps. */
export async function createTessera(config: Config, options: TesseraOptions): Promise<Tessera> {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  const metrics = options.metrics ?? createPrometheusMetrics({ processMetrics: false });
  const conn = connect(config.dsn);
  const storage = createStorage(conn, { observeBatch: (size, waitMs) => metrics.sqliteBatch(size, waitMs / 1000) });
  const pool = connectionPool(conn);
  if (pool) metrics.watchPool(pool);
  try {
    const schema = await prepareSchema(conn, config, logger);
    const sealer = createSealer(config.secrets.system);
    await assertKeysOpen(storage, sealer);
    const keyService = createKeyService({
      store: storage.keys,
      sealer,
      clock,
      prePublicationMs: config.keys.pre_publication,
      retentionMs: keyRetention(config),
    });
    await keyService.ensureSigningKeys();
    if (config.strategies.access_token === 'jwt') await keyService.ensureAccessTokenKey();

    const outbound: OutboundPolicy = {
      dev: config.dev,
      allowPrivateNetworks: config.oauth2.backchannel_logout.allow_private_networks,
      ownPorts: [config.serve.public.port, config.serve.admin.port].filter((p) => p > 0),
    };
    const secretSealer = createSealer(config.secrets.system, SECRET_SEAL_PURPOSE);
    const clientService = createClientService({
      store: storage.clients,
      clock,
      secretSealer,
      rotationGraceMs: config.oauth2.client_secret_rotation.grace_period,
      policy: { allowInsecure: config.dev, subjectTypes: config.oidc.subject_identifiers.supported_types, outbound },
      idTokenAlgs: () => keyService.idTokenAlgs(true),
      accessTokenAlgs: () => keyService.accessTokenAlgs(true),
      outbound: { policy: outbound, resolve: options.resolve },
    });
    const issuer = config.urls.self.issuer;
    const publicBase = (config.urls.self.public ?? issuer).replace(/\/$/, '');
    const keys = keyHandlers(keyService);
    const strategy = createTokenStrategy(config.secrets.system);
    const signer = createIdTokenSigner(keyService, issuer, clock);
    const jwtAccessTokens = createJwtAccessTokenService(keyService, issuer, clock);
    const scopeStrategy = config.strategies.scope;
    const { max_failures: maxFailures, window: windowMs } = config.oauth2.client_auth_throttle;
    const secrets = createSecretGuard({ maxFailures, windowMs, clock });
    const jwksUri = config.oauth2.client_assertion.jwks_uri;
    const assertions: AssertionDeps = {
      clock,
      jtis: storage.jtis,
      // RFC 7523 §3 item 3: the issuer or the token endpoint; revocation's own URL too.
      audiences: [issuer, `${publicBase}/oauth2/token`, `${publicBase}/oauth2/revoke`],
      maxTtl: config.oauth2.client_assertion.max_ttl,
      remoteKeys: createRemoteKeys({
        outbound: { policy: { ...outbound, allowPrivateNetworks: jwksUri.allow_private_networks }, resolve: options.resolve },
        clock,
        cacheTtlMs: jwksUri.cache_ttl,
        timeoutMs: jwksUri.timeout,
      }),
      openSecret: (client, stored) => openSealedSecret(secretSealer, client.client_id, stored),
    };
    // RFC 9449 (README "DPoP"): the token, PAR and userinfo endpoints verify proofs alike.
    const dpop = createDpopDeps(config.oauth2.dpop, clock, storage.jtis, config.secrets.system);
    const grantDeps: GrantDeps = {
      clients: storage.clients,
      secrets,
      assertions,
      jwtBearer: {
        trust: storage.trust,
        jtis: storage.jtis,
        // RFC 7523 §3 item 3: the token endpoint, or the issuer.
        audiences: [`${publicBase}/oauth2/token`, issuer],
        maxTtl: config.oauth2.grant.jwt.max_ttl,
        jtiOptional: config.oauth2.grant.jwt.jti_optional,
        iatOptional: config.oauth2.grant.jwt.iat_optional,
      },
      tokenExchange: { jwt: jwtAccessTokens, idTokens: signer },
      tokens: storage.tokens,
      devices: storage.devices,
      strategy,
      clock,
      scopeStrategy,
      signer,
      issuer,
      ttl: { accessToken: config.ttl.access_token, refreshToken: config.ttl.refresh_token, idToken: config.ttl.id_token },
      accessTokens: { default: config.strategies.access_token, jwt: jwtAccessTokens },
      pairwiseSalt: config.oidc.subject_identifiers.pairwise.salt,
      dpop: { ...dpop, tokenEndpoint: `${publicBase}/oauth2/token` },
    };
    const flowDeps: FlowDeps = {
      clients: storage.clients,
      flows: storage.flows,
      loginSessions: storage.loginSessions,
      consents: storage.consents,
      forcedSubjects: storage.forcedSubjects,
      strategy,
      signer,
      challengeSealer: createSealer(config.secrets.system, LOGIN_CHALLENGE_PURPOSE),
      clock,
      scopeStrategy,
      issuer,
      urls: { login: config.urls.login, consent: config.urls.consent },
      ttl: {
        flow: config.ttl.login_consent_request,
        authCode: config.ttl.auth_code,
        authenticationSession: config.ttl.authentication_session,
        accessToken: config.ttl.access_token,
        idToken: config.ttl.id_token,
      },
      accessTokens: grantDeps.accessTokens,
      pairwiseSalt: config.oidc.subject_identifiers.pairwise.salt,
      metrics,
    };
    const authorizeDeps: AuthorizeDeps = {
      ...flowDeps,
      signer,
      errorUrl: config.urls.error,
      authorizeUrl: `${publicBase}/oauth2/auth`,
      maxRequestBytes: config.oauth2.authorization_request.max_bytes,
      pairwiseSalt: config.oidc.subject_identifiers.pairwise.salt,
      pkce: {
        enforced: config.oauth2.pkce.enforced,
        enforcedForPublicClients: config.oauth2.pkce.enforced_for_public_clients,
        allowPlain: false,
      },
      parRequired: config.oauth2.pushed_authorization_requests.required,
      pushed: storage.pushedRequests,
    };
    const parDeps: ParDeps = {
      ...authorizeDeps,
      pushed: storage.pushedRequests,
      secrets,
      // RFC 9126 §2: the PAR endpoint's own URL is an accepted assertion audience.
      assertions: { ...assertions, audiences: [...assertions.audiences, `${publicBase}/oauth2/par`] },
      ttl: config.oauth2.pushed_authorization_requests.ttl,
      dpop: { ...dpop, parEndpoint: `${publicBase}/oauth2/par` },
    };
    const userCodes = createUserCodes(config.secrets.system);
    const { user_code_throttle: codeThrottle, token_polling_interval: pollInterval } = config.oauth2.device_authorization;
    const deviceFlowDeps: DeviceFlowDeps = {
      ...flowDeps,
      devices: storage.devices,
      userCodes,
      publicBase,
      deviceUrls: { verification: config.urls.device.verification, success: config.urls.device.success, error: config.urls.error },
      throttle: { perChallenge: codeThrottle.per_challenge, perNetwork: codeThrottle.per_network, window: codeThrottle.window },
      logger,
    };
    const deviceAuthDeps = {
      clients: storage.clients,
      secrets,
      assertions: { ...assertions, audiences: [...assertions.audiences, `${publicBase}/oauth2/device/auth`] },
      devices: storage.devices,
      strategy,
      userCodes,
      clock,
      scopeStrategy,
      verificationUri: config.urls.device.verification,
      ttl: config.ttl.device_user_code,
      interval: pollInterval,
    };
    const notifier = createBackchannelNotifier({ signer, issuer, clock, logger, outbound: { policy: outbound, resolve: options.resolve }, metrics });
    const logoutDeps: LogoutDeps = {
      clients: storage.clients,
      logouts: storage.logouts,
      loginSessions: storage.loginSessions,
      sessionClients: storage.sessionClients,
      forcedSubjects: storage.forcedSubjects,
      signer,
      notifier,
      clock,
      issuer,
      endSessionUrl: `${publicBase}/oauth2/sessions/logout`,
      urls: { logout: config.urls.logout, postLogoutRedirect: config.urls.post_logout_redirect },
      ttl: { flow: config.ttl.login_consent_request },
      maxRequestBytes: config.oauth2.authorization_request.max_bytes,
      pairwiseSalt: config.oidc.subject_identifiers.pairwise.salt,
    };
    const leaks = createLeaks(config.oauth2.leak_reports, {
      storage, strategy, clock, logger, dev: config.dev, ownPorts: outbound.ownPorts, resolve: options.resolve, onOutcome: (outcome, channel) => {
        metrics.leakReport(outcome, channel);
        options.onLeakOutcome?.(outcome, channel);
      },
    });
    const lifecycle: Lifecycle = { draining: false };
    // One check per KEYS_CHECK_TTL_MS however many probes arrive, on both ports together.
    const keysOpen = cachedCheck(async () => (await unreadableKeys(storage.keys, sealer)).length === 0);
    const common = { logger, exposeDebug: config.oauth2.expose_internal_errors, storage, lifecycle, keysOpen };
    const plainIntrospect = countIntrospections(metrics, (request: IntrospectionRequest) => introspect(request, { tokens: storage.tokens, strategy, clock, issuer, jwt: jwtAccessTokens }));
    const userinfoDeps = { tokens: storage.tokens, strategy, clock, jwt: jwtAccessTokens, signed: { clients: storage.clients, signer, issuer }, dpop: { ...dpop, url: `${publicBase}/userinfo` } };

    return {
      config,
      storage,
      lifecycle,
      schema,
      publicApp: createPublicApp({
        ...common,
        discovery: discoveryHandler(
          {
            issuer,
            publicBase,
            subjectTypes: config.oidc.subject_identifiers.supported_types,
            grantTypes: [...SUPPORTED_GRANTS, IMPLICIT_GRANT],
            registration: config.oidc.dynamic_client_registration.enabled,
            parRequired: config.oauth2.pushed_authorization_requests.required,
            dpopAlgs: dpop.algorithms,
          },
          () => keyService.idTokenAlgs(),
        ),
        jwks: keys.jwks,
        token: countTokens(metrics, (request: TokenRequest, authorization: string | undefined, peer: string | undefined, proof?: string) => tokenEndpoint(request, authorization, grantDeps, peer, proof)),
        revoke: (request, authorization, peer) => revoke(request, authorization, { clients: storage.clients, secrets, assertions, clock, tokens: storage.tokens, strategy, jwt: jwtAccessTokens }, peer),
        authorize: (params, cookies) => authorize(params, cookies, authorizeDeps),
        pushAuthorizationRequest: (form, authorization, peer, dpopProof) => pushAuthorizationRequest(form, authorization, parDeps, peer, dpopProof),
        userinfo: (input) => userinfo(input, userinfoDeps),
        endSession: (params, cookies) => endSession(params, cookies, logoutDeps),
        deviceAuthorization: (request, authorization, peer) => deviceAuthorization(request, authorization, deviceAuthDeps, peer),
        deviceVerify: (params, cookies, peer) => deviceVerify(params, cookies, peer, deviceFlowDeps),
        registration: registrationHandlers({
          enabled: config.oidc.dynamic_client_registration.enabled,
          defaultScope: config.oidc.dynamic_client_registration.default_scope,
          service: clientService,
          clients: storage.clients,
          throttle: createRegistrationThrottle(config.oidc.dynamic_client_registration.max_per_minute, clock),
          endpoint: `${publicBase}/oauth2/register`,
        }),
        secureCookies: issuer.startsWith('https:'),
        metrics,
        // Hydra: with CORS off, clients' allowed_cors_origins are not used either.
        cors: config.serve.public.cors.enabled
          ? createCors(config.serve.public.cors, {
              clientOrigins: async (id) => (await storage.clients.get(id))?.allowed_cors_origins,
              tokenClient: async (token) => (await activeAccessToken(token, userinfoDeps))?.clientId,
            })
          : undefined,
        leakReport: leaks.publicReport,
      }),
      adminApp: createAdminApp({
        ...common,
        clients: clientHandlers(clientService),
        keys,
        introspect: (request: IntrospectionRequest, http?: IntrospectionHttp) =>
          http ? introspectNegotiated(request, http, { clients: storage.clients, secrets, assertions, signer, issuer, clock, plain: plainIntrospect }) : plainIntrospect(request),
        deleteTokens: (query) => deleteAccessTokens(query, { tokens: storage.tokens }),
        login: loginHandlers(flowDeps),
        consent: consentHandlers(flowDeps),
        sessions: sessionHandlers({
          clients: storage.clients,
          consents: storage.consents,
          loginSessions: storage.loginSessions,
          sessionClients: storage.sessionClients,
          notifier,
        }),
        logout: logoutHandlers(logoutDeps),
        device: deviceHandlers(deviceFlowDeps),
        leaks: leaks.admin,
        trust: trustHandlers({ store: storage.trust, clock }),
        guard: { allowedHosts: config.serve.admin.allowed_hosts, tokenDigests: config.serve.admin.auth.tokens },
        metrics,
      }),
      notifier,
      async close() {
        await Promise.all([notifier.drain(), leaks.notifier?.drain()]);
        await storage.close();
      },
    };
  } catch (err) {
    await storage.close();
    throw err;
  }
}
