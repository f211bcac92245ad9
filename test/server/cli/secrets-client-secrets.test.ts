import { expect } from 'chai';
import * as oidc from 'openid-client';
import { describeEachBackend } from '../../helpers/databases.js';
import { startTessera } from '../../helpers/tessera.js';
import { runCli } from '../../helpers/cli.js';
import { createClient } from '../../helpers/clients.js';
import { request } from '../../helpers/http.js';

/*
 * client_secret_jwt secrets are sealed under secrets.system (README "System
 * secret rotation"): `tessera secrets rotate` re-seals them, the current and a
 * rotation's previous one, so the old system secret can be dropped.
 */

const OLD = 'old-system-secret-that-is-long-enough-0123456789';
const NEW = 'new-system-secret-that-is-long-enough-9876543210';

describeEachBackend('tessera secrets rotate re-seals client_secret_jwt secrets', (backend) => {
  it('re-seals them so that clients keep authenticating once the old secret is dropped', async () => {
    const db = await backend.create();
    try {
      const before = await startTessera(db, { secrets: { system: [OLD] } });
      let first: string;
      let second: string;
      let id: string;
      try {
        const c = await createClient(before.adminUrl, { grant_types: ['client_credentials'], scope: 'read', token_endpoint_auth_method: 'client_secret_jwt' });
        id = c.client_id;
        first = c.client_secret;
        const rotated = await request<{ client_secret: string }>(before.adminUrl, 'POST', `/admin/clients/${id}/secret`, { json: {} });
        second = rotated.body.client_secret;
      } finally {
        await before.stop();
      }
      const run = await runCli(['secrets', 'rotate'], { env: { DSN: db.dsn, SECRETS_SYSTEM: `${NEW},${OLD}` } });
      expect(run.code, run.stderr + run.stdout).to.equal(0);
      expect(run.stdout).to.include('client_secret_jwt secrets: 2 re-sealed under the first secret, 0 already under it, 0 unreadable');
      const again = await runCli(['secrets', 'rotate'], { env: { DSN: db.dsn, SECRETS_SYSTEM: `${NEW},${OLD}` } });
      expect(again.stdout).to.include('client_secret_jwt secrets: 0 re-sealed under the first secret, 2 already under it, 0 unreadable');

      const after = await startTessera(db, { secrets: { system: [NEW] } });
      try {
        for (const secret of [second, first]) {
          const config = new oidc.Configuration({ issuer: after.config.urls.self.issuer, token_endpoint: `${after.publicUrl}/oauth2/token` }, id, {}, oidc.ClientSecretJwt(secret));
          oidc.allowInsecureRequests(config);
          expect((await oidc.clientCredentialsGrant(config, { scope: 'read' })).access_token).to.match(/^ory_at_/);
        }
      } finally {
        await after.stop();
      }
    } finally {
      await db.drop();
    }
  });
});
