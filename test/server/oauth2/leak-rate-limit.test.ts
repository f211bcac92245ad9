import { expect } from 'chai';
import { OAuth2Error } from '../../../server/src/errors/oauth2-error.js';
import { createRateLimiter } from '../../../server/src/oauth2/leaks/rate-limit.js';

/* The public leak endpoint's per-caller window (issue 18, item 5), with a clock the test moves. */

function refusal(fn: () => void): OAuth2Error | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof OAuth2Error) return err;
    throw err;
  }
}

describe('leak reports: rate limit', () => {
  it('allows `requests` per window and caller, then 429 with the seconds left; a new window starts afresh', () => {
    let now = 1_000_000;
    const limiter = createRateLimiter({ requests: 2, windowMs: 60_000, clock: { now: () => now } });
    expect(refusal(() => limiter.take('203.0.113.7'))).to.equal(undefined);
    expect(refusal(() => limiter.take('203.0.113.7'))).to.equal(undefined);
    now += 15_000;
    const third = refusal(() => limiter.take('203.0.113.7'));
    expect(third).to.include({ status: 429, error: 'too_many_requests' });
    expect(third?.headers).to.deep.equal({ 'Retry-After': '45' });
    // Another caller has its own budget.
    expect(refusal(() => limiter.take('198.51.100.1'))).to.equal(undefined);
    now += 45_000;
    expect(refusal(() => limiter.take('203.0.113.7'))).to.equal(undefined);
  });

  it('counts an IPv6 caller by its /64', () => {
    const limiter = createRateLimiter({ requests: 1, windowMs: 60_000, clock: { now: () => 0 } });
    expect(refusal(() => limiter.take('2001:db8:1:2::1'))).to.equal(undefined);
    expect(refusal(() => limiter.take('2001:db8:1:2:ffff::9'))?.status).to.equal(429);
    expect(refusal(() => limiter.take('2001:db8:1:3::1'))).to.equal(undefined);
  });
});
