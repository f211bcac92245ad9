import { expect } from 'chai';
import { callerNetwork } from '../../../server/src/lib/ip-ranges.js';

/*
 * The caller network the client-authentication throttle counts by
 * (clients/secret-guard.ts): one IPv6 host holds a /64, so counting its
 * addresses one by one would give it 2^64 tries.
 */
describe('callerNetwork', () => {
  it('an IPv4 address is itself, also when IPv4-mapped or NAT64', () => {
    expect(callerNetwork('127.0.0.1')).to.equal('127.0.0.1');
    expect(callerNetwork('::ffff:10.1.2.3')).to.equal('10.1.2.3');
    expect(callerNetwork('64:ff9b::a01:203')).to.equal('10.1.2.3');
  });

  it('every address of one IPv6 /64 is one network, however it is written', () => {
    const network = callerNetwork('2001:db8:1:2::1');
    for (const other of ['2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:0DB8:0001:0002:0:0:0:7', '2001:db8:1:2::abcd']) expect(callerNetwork(other), other).to.equal(network);
    expect(callerNetwork('2001:db8:1:3::1')).not.to.equal(network);
  });

  it('a link-local zone id is dropped, and what is not an address stays as it is (never a throw)', () => {
    expect(callerNetwork('fe80::1%eth0')).to.equal(callerNetwork('fe80::2'));
    expect(callerNetwork('')).to.equal('');
    expect(callerNetwork('not an address')).to.equal('not an address');
  });
});
