import { expect } from 'chai';
import { describeEachBackend } from '../helpers/databases.js';
import { createClient, type CreatedClient } from '../helpers/clients.js';
import { Browser } from '../helpers/browser.js';
import { CONSENT_URL, LOGIN_URL } from '../helpers/flow.js';
import {
  REDIRECT,
  adminOf,
  authorization,
  byError,
  byStatus,
  codeFor,
  exchange,
  hop,
  introspect,
  onNode,
  race,
  redirectTo,
  refresh,
  startPair,
  tokens,
  winningTokens,
  type Outcome,
  type Pair,
} from './support.js';

/*
 * Issue 8, item 3: "Exactly once under races", with two processes on one
 * database (SQLite: one file; PostgreSQL: one schema). DESIGN.md § Storage:
 * anything that must happen once is decided by the database (a conditional
 * UPDATE or a transaction's row count), never by a process. Every race sends
 * its requests in one tick, alternating A, B, A, B, …
 */

const RACERS = 50;
const VERIFIER_RACERS = 20;

/** A browser's GET as a race outcome: the Location is what matters. */
interface Hop {
  readonly location: string | undefined;
}

const isCode = (o: Outcome<Hop>): boolean => {
  if (o.status !== 302 || !o.body?.location) return false;
  const url = new URL(o.body.location);
  return `${url.origin}${url.pathname}` === REDIRECT && url.searchParams.get('code') !== null;
};

/** A loser at a verifier: an error sent to the client (no code), or a 4xx shown to the user. */
function isErrorEnding(o: Outcome<Hop>, allowed: readonly number[]): boolean {
  if (allowed.includes(o.status)) return true;
  if (o.status !== 302 || !o.body?.location) return false;
  const url = new URL(o.body.location);
  return `${url.origin}${url.pathname}` === REDIRECT && url.searchParams.get('code') === null && url.searchParams.get('error') !== null;
}

function summary(outcomes: ReadonlyArray<Outcome<unknown>>): string {
  return JSON.stringify({ status: byStatus(outcomes), errors: byError(outcomes) });
}

describeEachBackend('exactly once under races, two processes on one database', (backend) => {
  let pair: Pair | undefined;
  let client: CreatedClient;

  before(async function () {
    this.timeout(60_000);
    pair = await startPair(backend);
    client = await createClient(pair.a.adminUrl, {
      client_name: 'racer',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid offline_access',
    });
  });
  after(async function () {
    this.timeout(30_000);
    await pair?.stop();
  });

  const both = (): Pair => {
    expect(pair, 'the two processes are running').not.to.equal(undefined);
    return pair as Pair;
  };

  /** No answer may be a 5xx or a dropped connection; the processes' logs come with the failure. */
  function noServerErrors(p: Pair, outcomes: ReadonlyArray<Outcome<unknown>>): void {
    const broken = outcomes.filter((o) => o.status === 0 || o.status >= 500);
    expect(broken.map((o) => `${o.status} ${o.text}`), `${summary(outcomes)}\n${p.logs()}`).to.deep.equal([]);
  }

  it(`${RACERS} parallel exchanges of one code on A and B: one token response, ${RACERS - 1} invalid_grant`, async function () {
    this.timeout(60_000);
    const p = both();
    const { code, authz } = await codeFor(p, client, new Browser());
    const outcomes = await race(RACERS, (i) => exchange(p.at(i), client, code, authz.verifier));
    noServerErrors(p, outcomes);
    expect(byStatus(outcomes), summary(outcomes)).to.deep.equal({ '200': 1, '400': RACERS - 1 });
    expect(byError(outcomes), summary(outcomes)).to.deep.equal({ invalid_grant: RACERS - 1 });

    // README "Token endpoint grants": a code "lost in a race, answers invalid_grant and revokes
    // every token issued from it" (RFC 6749 §4.1.2), on whichever process the loser landed.
    const issued = winningTokens(outcomes);
    for (const node of [p.a, p.b]) {
      expect((await introspect(node, issued.access_token)).active, `${node.name}: the winner's access token`).to.equal(false);
      expect((await introspect(node, issued.refresh_token ?? '')).active, `${node.name}: the winner's refresh token`).to.equal(false);
    }
  });

  it(`${RACERS} parallel refreshes of one refresh token on A and B: one new pair, ${RACERS - 1} invalid_grant, then the family is revoked`, async function () {
    this.timeout(60_000);
    const p = both();
    const { code, authz } = await codeFor(p, client, new Browser());
    const start = tokens(await exchange(p.b, client, code, authz.verifier));
    const outcomes = await race(RACERS, (i) => refresh(p.at(i), client, start.refresh_token ?? ''));
    noServerErrors(p, outcomes);
    expect(byStatus(outcomes), summary(outcomes)).to.deep.equal({ '200': 1, '400': RACERS - 1 });
    expect(byError(outcomes), summary(outcomes)).to.deep.equal({ invalid_grant: RACERS - 1 });

    // README "Token endpoint grants": every loser "counts as a second use: the family
    // is revoked, the winner's new pair included" (RFC 9700 §4.14.2), whichever process it reached.
    const won = winningTokens(outcomes);
    expect(won.refresh_token).to.match(/^ory_rt_/);
    for (const node of [p.a, p.b]) {
      expect((await introspect(node, won.access_token)).active, `${node.name}: the winner's access token`).to.equal(false);
      expect((await introspect(node, won.refresh_token ?? '')).active, `${node.name}: the winner's refresh token`).to.equal(false);
      expect((await introspect(node, start.access_token)).active, `${node.name}: the rotated-out access token`).to.equal(false);
    }
    for (const node of [p.a, p.b]) {
      const again = await refresh(node, client, won.refresh_token ?? '');
      expect(again.status, `${node.name}: ${again.text}`).to.equal(400);
      expect(again.body).to.have.property('error', 'invalid_grant');
    }
  });

  it(`${RACERS} parallel accepts of one login challenge on A and B: 200 or 410, one verifier that works, one code`, async function () {
    this.timeout(60_000);
    const p = both();
    const browser = new Browser();
    const authz = authorization(p.a, client.client_id);
    const challenge = await hop(browser, authz.url, LOGIN_URL, 'login_challenge');

    // Each accept names its own subject, so the winning verifier must carry its own accept's decision.
    const accepts = await race(RACERS, (i) => adminOf(p.at(i)).acceptLogin(challenge, { subject: `user-${i}` }));
    noServerErrors(p, accepts);
    const statuses = byStatus(accepts);
    expect(Object.keys(statuses).filter((s) => s !== '200' && s !== '410'), summary(accepts)).to.deep.equal([]);
    const targets = accepts.flatMap((o, i) => (o.status === 200 && o.body ? [{ subject: `user-${i}`, url: o.body.redirect_to }] : []));
    expect(targets.length, summary(accepts)).to.be.greaterThan(0);
    expect(new Set(targets.map((t) => t.url)).size, 'every accept got a verifier of its own').to.equal(targets.length);

    // The browser follows every redirect_to, spread over both public ports.
    const followed = await race(targets.length, async (i) => {
      const res = await browser.get(onNode(targets[i]?.url ?? '', p.at(i)));
      return { status: res.status, body: { location: res.location }, text: `${res.location ?? ''} ${res.body}`.trim() };
    });
    noServerErrors(p, followed);
    const toConsent = followed.flatMap((o, i) => {
      const location = o.status === 302 && o.body?.location ? new URL(o.body.location) : undefined;
      return location && `${location.origin}${location.pathname}` === CONSENT_URL ? [{ i, challenge: location.searchParams.get('consent_challenge') ?? '' }] : [];
    });
    const losers = followed.filter((_, i) => !toConsent.some((w) => w.i === i));
    expect(toConsent.length, `consent challenges handed out: ${followed.map((o) => `${o.status} ${o.text}`).join('\n')}`).to.equal(1);
    expect(losers.filter((o) => !isErrorEnding(o, [400])).map((o) => `${o.status} ${o.text}`)).to.deep.equal([]);

    // That flow completes, on the other process, to exactly one code for the winning accept's subject.
    const [winner] = toConsent;
    const consent = await adminOf(p.b).getConsent(winner?.challenge ?? '');
    expect(consent.status, consent.text).to.equal(200);
    expect(consent.body.subject, 'the subject of the accept whose verifier won').to.equal(targets[winner?.i ?? -1]?.subject);
    const verifierUrl = redirectTo(await adminOf(p.b).acceptConsent(winner?.challenge ?? '', { grant_scope: ['openid', 'offline_access'] }));
    const code = await hop(browser, onNode(verifierUrl, p.a), REDIRECT, 'code');
    const issued = tokens(await exchange(p.b, client, code, authz.verifier));
    expect((await introspect(p.a, issued.access_token)).sub).to.equal(consent.body.subject);
  });

  it(`${VERIFIER_RACERS} parallel GETs of one consent_verifier on A and B: exactly one code`, async function () {
    this.timeout(60_000);
    const p = both();
    const browser = new Browser();
    const authz = authorization(p.a, client.client_id);
    const admin = adminOf(p.b);
    const loginChallenge = await hop(browser, authz.url, LOGIN_URL, 'login_challenge');
    const consentChallenge = await hop(browser, onNode(redirectTo(await admin.acceptLogin(loginChallenge, { subject: 'verifier-racer' })), p.b), CONSENT_URL, 'consent_challenge');
    const verifierUrl = redirectTo(await admin.acceptConsent(consentChallenge, { grant_scope: ['openid', 'offline_access'] }));

    const outcomes = await race(VERIFIER_RACERS, async (i) => {
      const res = await browser.get(onNode(verifierUrl, p.at(i)));
      return { status: res.status, body: { location: res.location }, text: `${res.location ?? ''} ${res.body}`.trim() };
    });
    noServerErrors(p, outcomes);
    const codes = outcomes.filter(isCode);
    const all = outcomes.map((o) => `${o.status} ${o.text}`).join('\n');
    expect(codes.length, `redirects with a code:\n${all}`).to.equal(1);
    expect(outcomes.filter((o) => !isCode(o) && !isErrorEnding(o, [400, 403])).map((o) => `${o.status} ${o.text}`)).to.deep.equal([]);

    const code = new URL(codes[0]?.body?.location ?? '').searchParams.get('code') ?? '';
    const issued = tokens(await exchange(p.a, client, code, authz.verifier));
    expect((await introspect(p.b, issued.access_token))).to.include({ active: true, sub: 'verifier-racer' });
  });
});
