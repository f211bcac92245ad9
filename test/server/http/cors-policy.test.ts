import { expect } from 'chai';
import { loadConfig } from '../../../server/src/config/load.js';
import { actualHeaders, CORS_ENDPOINTS, createCors } from '../../../server/src/http/cors.js';
import { configError } from '../../helpers/config.js';

/*
 * The parts of CORS that need no server: start-up validation of the
 * configured origins (README "CORS"), and the rule that a request without
 * Origin, or from a globally allowed one, never reads the client (the token
 * endpoint's hot path).
 */

const base = { DSN: 'memory', SECRETS_SYSTEM: 'a-system-secret-of-at-least-32-characters', URLS_SELF_ISSUER: 'https://auth.example.com' };
const load = (cors: Record<string, unknown>, env: Record<string, string> = {}) =>
  loadConfig({ env: { ...base, ...env }, overrides: { serve: { public: { cors } } } });


describe('CORS configuration', () => {
  it('has Hydra’s defaults: off, no origins, credentials allowed, DPoP among the headers', () => {
    const cors = loadConfig({ env: base }).serve.public.cors;
    expect(cors).to.deep.include({ enabled: false, allowed_origins: [], allow_credentials: true, max_age: 0 });
    expect(cors.allowed_methods).to.include.members(['GET', 'POST', 'OPTIONS']);
    expect(cors.allowed_headers).to.include.members(['Authorization', 'Content-Type', 'DPoP']);
    expect(cors.exposed_headers).to.include.members(['Cache-Control', 'Pragma', 'Content-Type']);
  });

  it('reads the Hydra environment variables', () => {
    const cors = load({}, { SERVE_PUBLIC_CORS_ENABLED: 'true', SERVE_PUBLIC_CORS_ALLOWED_ORIGINS: 'https://a.example, http://127.0.0.1:3000', SERVE_PUBLIC_CORS_MAX_AGE: '600' }).serve.public.cors;
    expect(cors).to.deep.include({ enabled: true, allowed_origins: ['https://a.example', 'http://127.0.0.1:3000'], max_age: 600 });
  });

  it('keeps origins in their serialised form (lower case)', () => {
    expect(load({ allowed_origins: ['https://App.Example'] }).serve.public.cors.allowed_origins).to.deep.equal(['https://app.example']);
  });

  for (const [bad, reason] of [
    ['https://app.example/', /no path/],
    ['https://app.example/spa', /no path/],
    ['https://app.example?x=1', /query/],
    ['https://app.example:443', /default port.*"https:\/\/app\.example"/],
    ['app.example', /not an origin/],
    ['ftp://app.example', /http or https/],
    ['https://user@app.example', /user information/],
  ] as const) {
    it(`refuses "${bad}" at start-up, naming the key`, () => {
      const err = configError(() => load({ allowed_origins: ['https://ok.example', bad] }));
      expect(err.key).to.equal('serve.public.cors.allowed_origins.1');
      expect(err.reason).to.match(reason);
    });
  }

  it('refuses "*" with credentials; accepts it without', () => {
    const err = configError(() => load({ enabled: true, allowed_origins: ['*'] }));
    expect(err.key).to.equal('serve.public.cors.allowed_origins');
    expect(err.reason).to.match(/allow_credentials/);
    expect(load({ allowed_origins: ['*'], allow_credentials: false }).serve.public.cors.allowed_origins).to.deep.equal(['*']);
  });

  it('refuses serve.admin.cors (Hydra has it): the admin port never sends CORS headers, so the key is unknown', () => {
    const err = configError(() => loadConfig({ env: { ...base, SERVE_ADMIN_CORS_ENABLED: 'true' } }));
    expect(err.key).to.equal('SERVE_ADMIN_CORS_ENABLED');
    expect(err.reason).to.match(/unknown/);
  });
});

describe('CORS policy: when the client is read', () => {
  const settings = load({ enabled: true, allowed_origins: ['https://global.example'] }).serve.public.cors;
  const token = CORS_ENDPOINTS.get('/oauth2/token');
  const userinfo = CORS_ENDPOINTS.get('/userinfo');
  if (!token || !userinfo) throw new Error('token and userinfo are CORS endpoints');

  it('never without an Origin header or with a globally allowed one; once otherwise', async () => {
    const reads: string[] = [];
    const cors = createCors(settings, {
      clientOrigins: async (id) => {
        reads.push(id);
        return ['https://client.example'];
      },
      tokenClient: async (t) => {
        reads.push(`token ${t}`);
        return 'spa';
      },
    });
    const request = { form: { client_id: 'spa' }, authorization: undefined };
    expect(actualHeaders(cors, token, undefined, request)).to.deep.equal({ Vary: 'Origin' });
    expect(actualHeaders(cors, token, 'https://global.example', request)).to.include({ 'Access-Control-Allow-Origin': 'https://global.example' });
    expect(actualHeaders(cors, userinfo, undefined, { form: undefined, authorization: 'Bearer at' })).to.deep.equal({ Vary: 'Origin' });
    expect(reads).to.deep.equal([]);
    expect(await actualHeaders(cors, token, 'https://client.example', request)).to.include({ 'Access-Control-Allow-Origin': 'https://client.example' });
    expect(reads).to.deep.equal(['spa']);
    // Userinfo (Hydra's oauth2cors): the client of the bearer token.
    expect(await actualHeaders(cors, userinfo, 'https://client.example', { form: undefined, authorization: 'Bearer at' })).to.include({ 'Access-Control-Allow-Origin': 'https://client.example' });
    expect(reads).to.deep.equal(['spa', 'token at', 'spa']);
  });

  it('answers "*" only when configured without credentials', () => {
    const cors = createCors(load({ enabled: true, allowed_origins: ['*'], allow_credentials: false }).serve.public.cors, { clientOrigins: async () => undefined, tokenClient: async () => undefined });
    const headers = cors.decided('https://any.example', token);
    expect(headers).to.include({ 'Access-Control-Allow-Origin': '*' });
    expect(headers).to.not.have.property('Access-Control-Allow-Credentials');
  });
});
