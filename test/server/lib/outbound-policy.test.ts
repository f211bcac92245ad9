import { expect } from 'chai';
import { classifyAddress, type AddressKind } from '../../../server/src/lib/ip-ranges.js';
import { refuseAddress, refuseUrl, type OutboundPolicy } from '../../../server/src/lib/outbound-policy.js';

/*
 * The address table and the rules behind backchannel_logout_uri (issue 12,
 * class 9), one address per range and the tricky spellings. The HTTP-level
 * tests are in test/server/clients/backchannel-ssrf.test.ts.
 */

const KINDS: ReadonlyArray<readonly [string, AddressKind]> = [
  ['93.184.216.34', 'public'],
  ['2606:2800:220:1:248:1893:25c8:1946', 'public'],
  ['127.0.0.1', 'loopback'],
  ['127.255.0.9', 'loopback'],
  ['::1', 'loopback'],
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['64:ff9b::7f00:1', 'loopback'],
  ['64:ff9b::8.8.8.8', 'public'],
  ['10.1.2.3', 'private'],
  ['172.31.255.255', 'private'],
  ['172.32.0.1', 'public'],
  ['192.168.0.1', 'private'],
  ['100.64.0.1', 'private'],
  ['198.18.0.1', 'private'],
  ['fd12:3456::1', 'private'],
  ['::ffff:10.0.0.1', 'private'],
  ['0.0.0.0', 'forbidden'],
  ['::', 'forbidden'],
  ['169.254.169.254', 'forbidden'],
  ['::ffff:169.254.169.254', 'forbidden'],
  ['fe80::1', 'forbidden'],
  ['224.0.0.251', 'forbidden'],
  ['255.255.255.255', 'forbidden'],
  ['ff02::1', 'forbidden'],
  ['192.0.2.1', 'forbidden'],
  ['2001:db8::1', 'forbidden'],
  ['2002:7f00:1::', 'forbidden'],
  ['fd00:ec2::254', 'forbidden'],
  ['fd20:ce::254', 'forbidden'],
  ['fd20:ce::253', 'private'],
  ['::5db8:d822', 'forbidden'],
  ['::93.184.216.34', 'forbidden'],
  ['::ffff:0:5db8:d822', 'forbidden'],
  ['::2', 'forbidden'],
  ['ff:ffff::1', 'forbidden'],
  ['100::1', 'forbidden'],
  ['64:ff9b:1::a00:5', 'forbidden'],
  ['64:ff9b:1:ffff::1', 'forbidden'],
  ['64:ff9b:2::1', 'forbidden'], // reserved inside ::/8; only 64:ff9b::/96 is judged by its IPv4 host
  ['3fff::1', 'forbidden'],
  ['5f00::1', 'forbidden'],
  ['100.100.100.200', 'forbidden'],
  ['not-an-ip', 'forbidden'],
];

const STRICT: OutboundPolicy = { dev: false, allowPrivateNetworks: false, ownPorts: [4444, 4445] };
const DEV: OutboundPolicy = { ...STRICT, dev: true };
const OPEN: OutboundPolicy = { ...STRICT, allowPrivateNetworks: true };

describe('outbound policy (back-channel logout SSRF)', () => {
  for (const [address, kind] of KINDS) {
    it(`${address} is ${kind}`, () => expect(classifyAddress(address)).to.equal(kind));
  }

  it('judges addresses by policy: scheme, kind and this server\'s own ports', () => {
    const https = { https: true, port: 443 };
    const http = { https: false, port: 80 };
    expect(refuseAddress('93.184.216.34', https, STRICT)).to.equal(undefined);
    expect(refuseAddress('93.184.216.34', http, OPEN)).to.match(/plain http/);
    expect(refuseAddress('127.0.0.1', https, STRICT)).to.match(/loopback/);
    expect(refuseAddress('127.0.0.1', http, DEV)).to.equal(undefined);
    expect(refuseAddress('10.0.0.1', https, DEV)).to.match(/private/);
    expect(refuseAddress('10.0.0.1', http, OPEN)).to.equal(undefined);
    expect(refuseAddress('169.254.169.254', https, OPEN)).to.match(/link-local/);
    expect(refuseAddress('fd20:ce::254', https, OPEN)).to.match(/link-local/);
    expect(refuseAddress('::5db8:d822', https, STRICT)).to.be.a('string');
    expect(refuseAddress('64:ff9b:1::a00:5', http, OPEN)).to.be.a('string');
    expect(refuseAddress('127.0.0.1', { https: false, port: 4445 }, OPEN)).to.match(/this server/);
    expect(refuseAddress('::1', { https: true, port: 4444 }, DEV)).to.match(/this server/);
  });

  it('judges registered URLs on what they say; names only on their scheme', () => {
    expect(refuseUrl(new URL('https://rp.example.com/bc'), STRICT)).to.equal(undefined);
    expect(refuseUrl(new URL('http://rp.example.com/bc'), STRICT)).to.match(/https/);
    expect(refuseUrl(new URL('http://rp.example.com/bc'), DEV)).to.match(/https/);
    expect(refuseUrl(new URL('http://rp.internal/bc'), OPEN)).to.equal(undefined);
    expect(refuseUrl(new URL('https://LOCALHOST./bc'), STRICT)).to.match(/loopback/);
    expect(refuseUrl(new URL('http://a.b.localhost:3000/bc'), DEV)).to.equal(undefined);
    expect(refuseUrl(new URL('http://localhost:4445/admin/clients'), DEV)).to.match(/this server/);
    expect(refuseUrl(new URL('https://[::ffff:a9fe:a9fe]/'), OPEN)).to.match(/link-local/);
    expect(refuseUrl(new URL('ftp://rp.example.com/'), OPEN)).to.match(/http\(s\)/);
  });
});
