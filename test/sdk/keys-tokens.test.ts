import { expect } from 'chai';
import { TesseraAdmin, type OAuth2Client } from '@tessera/sdk';
import { describeEachBackend, type Database } from '../helpers/databases.js';
import { startTessera, type Running } from '../helpers/tessera.js';
import { clientCredentialsToken, rejection, uid } from './support.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describeEachBackend('sdk: TesseraAdmin keys, introspection, health', (backend) => {
  let db: Database;
  let t: Running;
  let admin: TesseraAdmin;

  before(async () => {
    db = await backend.create();
    t = await startTessera(db);
    admin = new TesseraAdmin({ baseUrl: t.adminUrl });
  });
  after(async () => {
    await t?.stop();
    await db?.drop();
  });

  describe('JSON Web Keys', () => {
    it('createJsonWebKey generates a key and returns it with its private members', async () => {
      const set = `sdk-${uid()}`;
      const named = await admin.createJsonWebKey(set, { alg: 'ES256', kid: 'first' });
      expect(named).to.include({ kty: 'EC', crv: 'P-256', kid: 'first', alg: 'ES256', use: 'sig' });
      expect(named.d).to.be.a('string');
      const unnamed = await admin.createJsonWebKey(set, { alg: 'EdDSA', use: 'enc' });
      expect(unnamed).to.include({ kty: 'OKP', alg: 'EdDSA', use: 'enc' });
      expect(unnamed.kid).to.match(UUID);
      const whole = await admin.getJsonWebKeySet(set);
      expect(whole.keys.map((k) => k.kid)).to.have.members(['first', unnamed.kid]);
      expect(await admin.getJsonWebKey(set, 'first')).to.deep.equal(named);
    });

    it('createJsonWebKey answers 409 for a kid the set already has', async () => {
      const set = `sdk-${uid()}`;
      await admin.createJsonWebKey(set, { alg: 'ES256', kid: 'same' });
      expect(await rejection(admin.createJsonWebKey(set, { alg: 'RS256', kid: 'same' }))).to.include({ status: 409, error: 'conflict' });
    });

    it('replaceJsonWebKey inserts or replaces one key; replaceJsonWebKeySet replaces the set', async () => {
      const source = `sdk-${uid()}`;
      const a = await admin.createJsonWebKey(source, { alg: 'ES256', kid: 'a' });
      const b = await admin.createJsonWebKey(source, { alg: 'EdDSA', kid: 'b' });

      const target = `sdk-${uid()}`;
      expect(await admin.replaceJsonWebKey(target, 'a', a)).to.deep.equal(a);
      const { d: _d, ...publicB } = b;
      expect(await admin.replaceJsonWebKey(target, 'b', publicB)).to.deep.equal(publicB);
      expect(await admin.getJsonWebKey(target, 'b')).not.to.have.property('d');

      const replaced = await admin.replaceJsonWebKeySet(target, { keys: [b] });
      expect(replaced.keys.map((k) => k.kid)).to.deep.equal(['b']);
      expect((await admin.getJsonWebKeySet(target)).keys.map((k) => k.kid)).to.deep.equal(['b']);
      expect(await rejection(admin.getJsonWebKey(target, 'a'))).to.include({ status: 404, error: 'not_found' });
    });

    it('replaceJsonWebKey refuses a key whose kid is not the path kid (400)', async () => {
      const set = `sdk-${uid()}`;
      const key = await admin.createJsonWebKey(set, { alg: 'ES256', kid: 'body' });
      expect(await rejection(admin.replaceJsonWebKey(set, 'path', key))).to.include({ status: 400, error: 'invalid_request' });
    });

    it('deleteJsonWebKey removes one key, deleteJsonWebKeySet the set; both 404 afterwards', async () => {
      const set = `sdk-${uid()}`;
      await admin.createJsonWebKey(set, { alg: 'ES256', kid: 'one' });
      await admin.createJsonWebKey(set, { alg: 'ES256', kid: 'two' });
      await admin.deleteJsonWebKey(set, 'one');
      expect(await rejection(admin.getJsonWebKey(set, 'one'))).to.include({ status: 404 });
      expect(await rejection(admin.deleteJsonWebKey(set, 'one'))).to.include({ status: 404, error: 'not_found' });
      await admin.deleteJsonWebKeySet(set);
      expect(await rejection(admin.getJsonWebKeySet(set))).to.include({ status: 404, error: 'not_found' });
      expect(await rejection(admin.deleteJsonWebKeySet(set))).to.include({ status: 404 });
    });

    it('reads the ID token signing set the server created on start', async () => {
      const { keys } = await admin.getJsonWebKeySet('hydra.openid.id-token');
      expect(keys[0]).to.include({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    });
  });

  describe('introspectToken', () => {
    let client: OAuth2Client;
    before(async () => {
      client = await admin.createClient({ grant_types: ['client_credentials'], scope: 'read write' });
    });

    it('describes an active token', async () => {
      const token = await clientCredentialsToken(t, client, 'read write');
      const info = await admin.introspectToken(token);
      expect(info).to.include({ active: true, client_id: client.client_id, sub: client.client_id, scope: 'read write', token_use: 'access_token' });
      expect(info.exp).to.be.a('number');
    });

    it('narrows with scope, as a string or a list', async () => {
      const token = await clientCredentialsToken(t, client, 'read');
      expect((await admin.introspectToken(token, { scope: 'read' })).active).to.equal(true);
      expect((await admin.introspectToken(token, { scope: ['read'] })).active).to.equal(true);
      expect(await admin.introspectToken(token, { scope: ['read', 'write'] })).to.deep.equal({ active: false });
      expect(await admin.introspectToken(token, { scope: 'write' })).to.deep.equal({ active: false });
    });

    it('answers active: false for a forged token, not an error', async () => {
      expect(await admin.introspectToken(`ory_at_${'A'.repeat(43)}.${'B'.repeat(43)}`)).to.deep.equal({ active: false });
    });
  });

  it('isReady is true when the server and its database answer', async () => {
    expect(await admin.isReady()).to.equal(true);
  });
});
