import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Provider, { type Configuration } from 'oidc-provider';
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';
import LRU from 'oidc-provider/lib/helpers/lru.js';
import { exitWithParent, portFromArgv } from './guard.js';

/*
 * The peer: oidc-provider configured like Tessera is benchmarked — a
 * confidential client_secret_basic client, client_credentials, opaque access
 * tokens, introspection and revocation, refresh tokens rotated on every use,
 * RS256 ID tokens (2048-bit key), Tessera's default lifetimes — on its own
 * in-memory adapter (nothing persisted). argv: PORT; env BENCH_CLIENT_SECRET.
 * Interactions (login, consent) are accepted at once by this process, in the
 * role Tessera's login app plays through the admin API.
 */
exitWithParent();
const port = portFromArgv();
const issuer = `http://127.0.0.1:${port}`;
const secret = process.env['BENCH_CLIENT_SECRET'];
if (!secret) throw new Error('BENCH_CLIENT_SECRET is required');

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'bench-rs256', alg: 'RS256', use: 'sig' };
const store = new LRU({ maxSize: 250_000 });

const configuration: Configuration = {
  adapter: (model: string) => new MemoryAdapter(model, store),
  clients: [
    {
      client_id: 'bench',
      client_secret: secret,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1:9/cb'],
      scope: 'openid offline_access',
    },
  ],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
  },
  rotateRefreshToken: true,
  ttl: { AccessToken: 3600, ClientCredentials: 3600, AuthorizationCode: 600, IdToken: 3600, RefreshToken: 720 * 3600 },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
};

const provider = new Provider(issuer, configuration);
const oidc = provider.callback();

/** The login and consent "app": accepts whatever is asked. */
async function interact(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === 'login') {
    await provider.interactionFinished(req, res, { login: { accountId: 'bench-user' } }, { mergeWithLastSubmission: false });
    return;
  }
  const accountId = details.session?.accountId ?? 'bench-user';
  const grant = new provider.Grant({ accountId, clientId: String(details.params['client_id']) });
  grant.addOIDCScope(String(details.params['scope']));
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

const server = createServer((req, res) => {
  if (!req.url?.startsWith('/interaction/')) {
    void oidc(req, res);
    return;
  }
  interact(req, res).catch((err: unknown) => {
    res.statusCode = 500;
    res.end(String(err));
  });
});
server.listen(port, '127.0.0.1', () => process.stdout.write(`listening ${port}\n`));
