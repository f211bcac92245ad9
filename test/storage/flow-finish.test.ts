import { expect } from 'chai';
import type { Flow } from '../../server/src/flows/flow.js';
import type { ConsentRecord, Storage } from '../../server/src/storage/ports.js';
import { describeEachBackend } from '../helpers/databases.js';
import { countCheckouts, tokenRecord, useStoragePair } from './storage.js';

/*
 * A flow's last step (FlowStore.finish): the flow ends, its consent row and
 * its tokens are written, all or nothing, by exactly one of any number of
 * processes; a flow that re-used a remembered consent revoked meanwhile is
 * stored revoked. On PostgreSQL it is one statement (issue 20), on SQLite one
 * group-committed job.
 */

const NOW = 1_800_000_000_000;
let made = 0;

function flow(extra: Partial<Flow> = {}): Flow {
  made += 1;
  return {
    id: `flow-${made}-${Math.random().toString(36).slice(2)}`,
    state: 'consent_handled',
    clientId: 'app',
    request: { clientId: 'app', redirectUri: 'https://app.example/cb', redirectUriSent: true, scope: ['openid'], audience: [], prompt: [], acrValues: [], uiLocales: [], requestUrl: 'https://issuer.example/oauth2/auth' },
    loginSkip: false,
    loginSubject: '',
    sessionId: 'sid-1',
    requestedAt: NOW,
    expiresAt: NOW + 60_000,
    ...extra,
  };
}

function consentOf(f: Flow, extra: Partial<ConsentRecord> = {}): ConsentRecord {
  return {
    id: f.id,
    subject: 'alice',
    clientId: 'app',
    loginSessionId: 'sid-1',
    grantScope: ['openid'],
    grantAudience: ['https://api.example'],
    accessTokenClaims: { role: 'x' },
    idTokenClaims: {},
    requestedScope: ['openid'],
    requestedAudience: [],
    acr: '1',
    amr: ['pwd'],
    context: { n: 1 },
    remember: true,
    rememberUntil: null,
    handledAt: NOW,
    ...extra,
  };
}

describeEachBackend('a flow\'s last step', (backend) => {
  const ctx = useStoragePair(backend);
  let storage: Storage;
  let other: Storage;
  before(() => {
    ({ one: storage, two: other } = ctx);
  });

  const started = async (f: Flow) => {
    await storage.flows.create(f, { hash: `lc-${f.id}`, sealed: 'sealed' }, 'browser-hash');
    return f;
  };

  it('is won by one of two processes: only the winner\'s consent and tokens exist', async () => {
    const f = await started(flow());
    const mine = [tokenRecord({ familyId: f.id, kind: 'authorization_code' })];
    const theirs = [tokenRecord({ familyId: f.id, kind: 'authorization_code' })];
    const checkouts = countCheckouts(ctx.conns[0]!);
    const outcomes = await Promise.all([storage.flows.finish(f.id, mine, consentOf(f)), other.flows.finish(f.id, theirs, consentOf(f))]);
    if (backend.name === 'postgres') expect(checkouts.count, 'statements sent by this process').to.equal(1);
    expect(outcomes.filter(Boolean)).to.have.length(1);
    const [won, lost] = outcomes[0] ? [mine, theirs] : [theirs, mine];
    expect(await storage.tokens.get(won[0]!.signature)).to.deep.equal(won[0]);
    expect(await storage.tokens.get(lost[0]!.signature)).to.equal(undefined);
    expect(await storage.consents.latestRemembered('alice', 'app', NOW)).to.deep.equal(consentOf(f));
    expect(await storage.flows.finish(f.id, [tokenRecord({ familyId: f.id })], consentOf(f)), 'a finished flow').to.equal(false);
  });

  it('does not finish a flow in another state', async () => {
    const f = await started(flow({ state: 'consent_requested' }));
    const code = tokenRecord({ familyId: f.id });
    expect(await storage.flows.finish(f.id, [code], consentOf(f))).to.equal(false);
    expect(await storage.tokens.get(code.signature)).to.equal(undefined);
  });

  it('stores a re-use of a revoked consent revoked, tokens included, and of a live one live', async () => {
    const origin = await started(flow());
    expect(await storage.flows.finish(origin.id, [], consentOf(origin, { subject: 'bob' }))).to.equal(true);

    const live = await started(flow());
    const liveCode = tokenRecord({ familyId: live.id });
    expect(await storage.flows.finish(live.id, [liveCode], consentOf(live, { subject: 'bob', skip: 'remembered', originId: origin.id }))).to.equal(true);
    expect((await storage.tokens.get(liveCode.signature))?.revoked).to.equal(false);

    expect(await storage.consents.revoke({ consentId: origin.id })).to.equal(2);
    expect((await storage.tokens.get(liveCode.signature))?.revoked, 'revoking the origin reached the re-use').to.equal(true);

    const late = await started(flow());
    const lateCode = tokenRecord({ familyId: late.id });
    expect(await other.flows.finish(late.id, [lateCode], consentOf(late, { subject: 'bob', skip: 'remembered', originId: origin.id }))).to.equal(true);
    expect((await storage.tokens.get(lateCode.signature))?.revoked, 'a re-use of a revoked consent').to.equal(true);
    const listed = await storage.consents.list({ subject: 'bob', limit: 10, offset: 0 });
    expect(listed.total, 'nothing of bob\'s is live').to.equal(0);
  });
});
