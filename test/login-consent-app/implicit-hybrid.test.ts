import { expect } from 'chai';
import * as oidc from 'openid-client';
import { Agent } from './agent.js';
import { signInAndAllow } from './flow.js';
import { ALICE, registerRelyingParty, startStack, type RelyingParty, type Stack } from './support.js';

/*
 * Issue 14 item 5: the login app and the SDK need no change for implicit and
 * hybrid flows. The same pages and admin calls that serve the code flow
 * complete both; openid-client validates what arrives in the fragment.
 */
const REDIRECT = 'http://127.0.0.1:9/callback';

describe('login-consent-app: implicit and hybrid flows through the unchanged pages', () => {
  let stack: Stack;

  before(async () => {
    stack = await startStack();
  });
  after(async () => stack?.stop());

  /** openid-client sets a configuration's response type once: one relying party each. */
  const relyingParty = (): Promise<RelyingParty> =>
    registerRelyingParty(stack, REDIRECT, { grant_types: ['authorization_code', 'implicit', 'refresh_token'], response_types: ['code', 'id_token', 'code id_token'] });

  it('an implicit id_token flow ends in an ID token with the user\'s claims', async () => {
    const rp = await relyingParty();
    oidc.useIdTokenResponseType(rp.config);
    const { auth, callback } = await signInAndAllow(new Agent(), stack, rp, 'openid email', { extra: { response_type: 'id_token' } });
    const claims = await oidc.implicitAuthentication(rp.config, new URL(callback), auth.checks.expectedNonce, { expectedState: auth.checks.expectedState });
    expect(claims).to.include({ sub: stack.alice.id, email: ALICE.email });
  });

  it('a hybrid code id_token flow ends in tokens, c_hash checked', async () => {
    const rp = await relyingParty();
    oidc.useCodeIdTokenResponseType(rp.config);
    const { auth, callback } = await signInAndAllow(new Agent(), stack, rp, 'openid email offline_access', { extra: { response_type: 'code id_token' } });
    expect(new URL(callback).hash).to.match(/code=ory_ac_/);
    const tokens = await oidc.authorizationCodeGrant(rp.config, new URL(callback), { ...auth.checks, idTokenExpected: true });
    expect(tokens.claims()).to.include({ sub: stack.alice.id, email: ALICE.email });
    expect(tokens.refresh_token).to.match(/^ory_rt_/);
  });
});
