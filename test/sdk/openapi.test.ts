import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  Configuration,
  JwkApiAxiosParamCreator,
  MetadataApiAxiosParamCreator,
  OAuth2ApiAxiosParamCreator,
  OidcApiAxiosParamCreator,
  WellknownApiAxiosParamCreator,
} from '@ory/hydra-client';
import { CONTRACT_VERSION, openApiDocument, openApiJson, operations, type JsonSchema } from '@tessera/sdk/openapi';
import { documentValidator, firstDifference } from './openapi-support.js';

const COMMITTED = new URL('../../sdk/openapi.json', import.meta.url);
const SDK_PACKAGE = new URL('../../sdk/package.json', import.meta.url);

/** Operations Hydra does not have; every other operationId is the name of @ory/hydra-client's method for it. */
const TESSERA_ONLY = [
  'discoverOAuth2AuthorizationServer',
  'getOpenApiDocument',
  'oAuth2AuthorizeWithForm',
  'revokeOidcSessionWithForm',
  'getOidcUserInfoWithPost',
  'reportLeakedOAuth2Tokens',
  'listLeakedOAuth2Tokens',
  'reportLeakedOAuth2TokensSigned',
  'pushOAuth2AuthorizationRequest',
  'rotateOAuth2ClientSecretWithGracePeriod',
  // Hydra serves its metrics but @ory/hydra-client 26 has no operation for them; `prometheus` is the name older Ory SDKs gave it.
  'prometheus',
];

type Creator = Record<string, (...args: unknown[]) => Promise<{ url: string; options: { method?: string } }>>;

describe('sdk: OpenAPI document', () => {
  const doc = openApiDocument();

  it('sdk/openapi.json is the generated document (else: npm run openapi, and commit sdk/openapi.json)', () => {
    const committed = readFileSync(COMMITTED, 'utf8');
    const generated = openApiJson();
    if (committed !== generated) {
      expect.fail(`sdk/openapi.json is stale: run \`npm run openapi\` and commit sdk/openapi.json (${firstDifference(committed, generated)})`);
    }
  });

  it('is OpenAPI 3.1 with the SDK package version; the public document is the public part of the whole', () => {
    const { version } = JSON.parse(readFileSync(SDK_PACKAGE, 'utf8')) as { version: string };
    expect(CONTRACT_VERSION).to.equal(version);
    expect(doc).to.include({ openapi: '3.1.0' });
    expect(doc.info.version).to.equal(version);
    expect(doc.tags.map((t) => t.name)).to.deep.equal(['public', 'admin']);

    const pub = openApiDocument({ api: 'public' });
    expect(pub.servers.map((s) => s.url)).to.deep.equal(['http://127.0.0.1:4444']);
    for (const [path, item] of Object.entries(pub.paths)) {
      const { servers: _servers, ...operationsOfPath } = item;
      const { servers: _all, ...whole } = doc.paths[path] ?? {};
      expect(operationsOfPath, path).to.deep.equal(whole);
    }
    expect(Object.keys(pub.paths).some((p) => p.startsWith('/admin'))).to.equal(false);
    expect(pub.components.schemas).not.to.have.property('OAuth2Client');
  });

  it('is well formed: unique operation ids, declared path parameters, resolvable $refs, an error answer everywhere', () => {
    const ids = operations.map((op) => op.operationId);
    expect(new Set(ids).size, 'operationIds are unique').to.equal(ids.length);
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]*"/g) ?? [];
    for (const ref of new Set(refs)) {
      const name = /#\/components\/schemas\/([^"]+)"/.exec(ref)?.[1];
      expect(name && doc.components.schemas[name], ref).to.be.an('object');
    }
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item).filter(([k]) => k !== 'servers') as [string, JsonSchema][]) {
        const declared = ((op['parameters'] ?? []) as { name: string; in: string }[]).filter((p) => p.in === 'path').map((p) => p.name);
        expect(declared, `${method} ${path}`).to.have.members([...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]));
        expect(op['responses'], `${method} ${path}`).to.have.property('default');
        expect(op['tags'], `${method} ${path}`).to.be.an('array').that.is.not.empty;
      }
    }
  });

  it('sends form bodies as application/x-www-form-urlencoded with the oauth2 contract schemas', () => {
    const form = (path: string) => (doc.paths[path]?.post?.['requestBody'] as { content: Record<string, { schema: unknown }> }).content;
    expect(form('/oauth2/token')).to.deep.equal({ 'application/x-www-form-urlencoded': { schema: { $ref: '#/components/schemas/TokenRequest' } } });
    expect(form('/oauth2/revoke')).to.deep.equal({ 'application/x-www-form-urlencoded': { schema: { $ref: '#/components/schemas/RevocationRequest' } } });
    expect(form('/admin/oauth2/introspect')).to.deep.equal({ 'application/x-www-form-urlencoded': { schema: { $ref: '#/components/schemas/IntrospectionRequest' } } });
  });

  it('its schemas accept and refuse what the contract does', () => {
    const v = documentValidator(doc);
    const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
    expect(v.issues(ref('CreateJsonWebKeySet'), { alg: 'ES256' })).to.deep.equal([]);
    expect(v.issues(ref('CreateJsonWebKeySet'), { alg: 'HS256' })).not.to.deep.equal([]);
    expect(v.issues(ref('OAuth2ClientTokenLifespans'), { refresh_token_grant_access_token_lifespan: 'forever' })).not.to.deep.equal([]);
    expect(v.issues(ref('ErrorResponse'), { error: 'not_found', error_description: 'x' })).to.deep.equal([]);
    expect(v.issues(ref('ErrorResponse'), { error_description: 'x' })).not.to.deep.equal([]);
  });

  it('is valid against the OpenAPI 3.1 schema (openapi-spec-validator, when python3 has it)', function () {
    const check = 'import json,sys\nfrom openapi_spec_validator import validate\nvalidate(json.load(sys.stdin))';
    for (const document of [doc, openApiDocument({ api: 'public' }), openApiDocument({ api: 'admin' })]) {
      const run = spawnSync('python3', ['-c', check], { input: JSON.stringify(document), encoding: 'utf8', timeout: 60_000 });
      if (run.error || /ModuleNotFoundError/.test(run.stderr)) {
        console.warn('\n  ⚠ skipping: python3 with openapi-spec-validator is not installed (pip install openapi-spec-validator)\n');
        this.skip();
      }
      expect(run.status, run.stderr.slice(-2000)).to.equal(0);
    }
  });

  it('uses @ory/hydra-client\'s operation names, with the same method and path', async () => {
    const config = new Configuration({ basePath: 'http://hydra.test' });
    const creators = [OAuth2ApiAxiosParamCreator, JwkApiAxiosParamCreator, MetadataApiAxiosParamCreator, OidcApiAxiosParamCreator, WellknownApiAxiosParamCreator].map(
      (make) => make(config) as unknown as Creator,
    );
    const seen: string[] = [];
    for (const op of operations) {
      const creator = creators.find((c) => typeof c[op.operationId] === 'function');
      if (!creator) {
        expect(TESSERA_ONLY, `${op.operationId} is neither Hydra's nor listed as Tessera's own`).to.include(op.operationId);
        continue;
      }
      const fn = creator[op.operationId];
      const args = await fn?.(...Array.from({ length: fn.length }, () => 'x'));
      expect(new URL(args?.url ?? '', 'http://hydra.test').pathname, op.operationId).to.equal(op.path.replace(/\{\w+\}/g, 'x'));
      expect(args?.options.method, op.operationId).to.equal(op.method.toUpperCase());
      seen.push(op.operationId);
    }
    expect(seen.length).to.equal(operations.length - TESSERA_ONLY.length);
  });
});
