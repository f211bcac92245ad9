import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import { loadConfig } from '../../../server/src/config/load.js';
import { configError, MINIMAL_ENV } from '../../helpers/config.js';

/* oauth2.leak_reports (issue 18): off and empty by default; bad keys and a webhook without its secret stop start-up. */

const ecPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
const rsaPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
const load = (overrides: Record<string, unknown>, env: Record<string, string> = {}) => loadConfig({ env: { ...MINIMAL_ENV, ...env }, overrides: { oauth2: { leak_reports: overrides } } });

describe('configuration: oauth2.leak_reports', () => {
  it('is off by default: no webhook, no public endpoint, no senders, 60 requests a minute', () => {
    const c = loadConfig({ env: MINIMAL_ENV }).oauth2.leak_reports;
    expect(c.public).to.deep.equal({ enabled: false, senders: [], rate_limit: { requests: 60, window: 60_000 } });
    expect(c.owner_webhook).to.deep.equal({ allow_private_networks: false });
  });

  it('takes senders with ECDSA keys, from YAML or from the environment as JSON', () => {
    const senders = [{ id: 'github', public_keys: [{ key_identifier: 'k1', key: ecPem }] }];
    expect(load({ public: { enabled: true, senders } }).oauth2.leak_reports.public.senders).to.deep.equal(senders);
    const fromEnv = loadConfig({ env: { ...MINIMAL_ENV, OAUTH2_LEAK_REPORTS_PUBLIC_SENDERS: JSON.stringify(senders) } });
    expect(fromEnv.oauth2.leak_reports.public.senders).to.deep.equal(senders);
  });

  it('refuses a key that is not an ECDSA public key, a bad sender id, and a webhook without its secret', () => {
    const key = (k: string) => ({ public: { senders: [{ id: 'github', public_keys: [{ key_identifier: 'k1', key: k }] }] } });
    expect(configError(() => load(key(rsaPem))).reason).to.equal('must be an ECDSA public key');
    expect(configError(() => load(key('not a pem'))).reason).to.equal('must be a PEM public key');
    expect(configError(() => load({ public: { senders: [{ id: 'git-hub', public_keys: [{ key_identifier: 'k', key: ecPem }] }] } })).key).to.equal('oauth2.leak_reports.public.senders.0.id');
    const twice = [{ id: 'github', public_keys: [{ key_identifier: 'a', key: ecPem }] }, { id: 'GitHub', public_keys: [{ key_identifier: 'b', key: ecPem }] }];
    expect(configError(() => load({ public: { senders: twice } })).reason).to.match(/sender ids must differ/);
    const noSecret = configError(() => load({ owner_webhook: { url: 'https://hooks.example.com/leaks' } }));
    expect(noSecret.key).to.equal('oauth2.leak_reports.owner_webhook.secret');
    expect(configError(() => load({ owner_webhook: { url: 'https://hooks.example.com/leaks', secret: 'short' } })).key).to.equal('oauth2.leak_reports.owner_webhook.secret');
  });
});
