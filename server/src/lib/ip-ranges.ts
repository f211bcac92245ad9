import { BlockList, isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

/*
 * What kind of network an IP address is on, for requests the server makes
 * to URLs someone else chose (server-side request forgery: a client's
 * backchannel_logout_uri is whatever its registrant wrote). Ranges from the
 * IANA special-purpose address registries (RFC 6890 and successors).
 *
 * - loopback: this machine.
 * - private: networks an operator may run relying parties on (RFC 1918,
 *   RFC 6598 shared space, RFC 4193 unique local, RFC 2544 benchmarking,
 *   which some resolvers use for their own addresses).
 * - forbidden: never a relying party: unspecified ("0.0.0.0" connects to
 *   this host), link-local (where cloud metadata services live), multicast,
 *   broadcast, documentation, reserved, and the metadata addresses that sit
 *   inside private ranges (AWS fd00:ec2::254, GCP fd20:ce::254, Alibaba
 *   100.100.100.200): refused even with allow_private_networks. In IPv6 also
 *   all of ::/8 but ::1 (the unspecified address, IPv4-compatible ::a.b.c.d,
 *   deprecated by RFC 4291 §2.5.5.1, and IPv4-translated ::ffff:0:a.b.c.d
 *   hide IPv4 hosts; IPv4-mapped ::ffff:a.b.c.d and the well-known NAT64
 *   prefix 64:ff9b::/96 are judged as their IPv4 host first) and the local-use NAT64 prefix 64:ff9b:1::/48 (RFC 8215: it
 *   translates to whatever IPv4 network the operator routes it to).
 */

export type AddressKind = 'public' | 'loopback' | 'private' | 'forbidden';

type Range = readonly [network: string, prefix: number];

const V4: Readonly<Record<Exclude<AddressKind, 'public'>, readonly Range[]>> = {
  forbidden: [
    ['0.0.0.0', 8],
    ['169.254.0.0', 16],
    ['192.0.0.0', 24],
    ['192.0.2.0', 24],
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
    ['100.100.100.200', 32], // Alibaba Cloud metadata, inside 100.64.0.0/10
  ],
  loopback: [['127.0.0.0', 8]],
  private: [
    ['10.0.0.0', 8],
    ['172.16.0.0', 12],
    ['192.168.0.0', 16],
    ['100.64.0.0', 10],
    ['198.18.0.0', 15],
  ],
};

const V6: Readonly<Record<Exclude<AddressKind, 'public'>, readonly Range[]>> = {
  forbidden: [
    ['::', 8], // ::1 is loopback: the loopback list is checked first
    ['64:ff9b:1::', 48], // RFC 8215 local-use NAT64 (inside ::/8 too; named for the reader)
    ['fe80::', 10],
    ['ff00::', 8],
    ['2001:db8::', 32],
    ['3fff::', 20], // documentation (RFC 9637)
    ['5f00::', 16], // SRv6 SIDs (RFC 9602), not globally reachable
    ['100::', 64],
    ['2001::', 32], // Teredo: an IPv4 address hides inside
    ['2002::', 16], // 6to4: likewise
    ['fd00:ec2::254', 128], // AWS instance metadata over IPv6, inside fc00::/7
    ['fd20:ce::254', 128], // GCP metadata server over IPv6, likewise
  ],
  loopback: [['::1', 128]],
  private: [['fc00::', 7]],
};

/**
 * Checked in this order: ::1 is loopback although ::/8 is forbidden, and the
 * forbidden exceptions inside private ranges win. The loopback ranges hold
 * no forbidden address.
 */
const ORDER = ['loopback', 'forbidden', 'private'] as const;

function lists(family: 'ipv4' | 'ipv6', table: typeof V4): ReadonlyArray<readonly [AddressKind, BlockList]> {
  return ORDER.map((kind) => {
    const list = new BlockList();
    for (const [network, prefix] of table[kind]) list.addSubnet(network, prefix, family);
    return [kind, list] as const;
  });
}

const V4_LISTS = lists('ipv4', V4);
const V6_LISTS = lists('ipv6', V6);

/** IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d, RFC 6052) addresses reach an IPv4 host: judge that host. */
function embeddedIpv4(v6: string): string | undefined {
  const canonical = new URL(`http://[${v6}]/`).hostname.slice(1, -1);
  const m = /^(?:::ffff:|64:ff9b::)(?:([0-9a-f]{1,4}):)?([0-9a-f]{1,4})$/.exec(canonical);
  if (!m) return undefined;
  const n = (parseInt(m[1] ?? '0', 16) << 16) | parseInt(m[2] ?? '0', 16);
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** The kind of an IP literal (no brackets); anything that is not one is `forbidden`. */
export function classifyAddress(address: string): AddressKind {
  const family = isIP(address);
  if (family === 0) return 'forbidden';
  const v4 = family === 4 ? address : embeddedIpv4(address);
  const [ip, table, type] = v4 !== undefined ? [v4, V4_LISTS, 'ipv4' as const] : [address, V6_LISTS, 'ipv6' as const];
  for (const [kind, list] of table) if (list.check(ip, type)) return kind;
  return 'public';
}

/** Whether the address is this machine: loopback, unspecified, or one of its interfaces' addresses. */
export function isOwnAddress(address: string): boolean {
  const kind = classifyAddress(address);
  if (kind === 'loopback' || address === '::' || address.startsWith('0.')) return true;
  const wanted = address.toLowerCase();
  return Object.values(networkInterfaces()).some((entries) => entries?.some((entry) => entry.address.toLowerCase() === wanted) ?? false);
}

/**
 * The network a caller's address stands for, as a throttle counts callers:
 * an IPv4 address itself (IPv4-mapped and NAT64 forms unwrapped), an IPv6
 * address's /64 (one host usually holds a whole /64, so counting addresses
 * would give it 2^64 tries). Anything else is returned as it is.
 */
export function callerNetwork(address: string): string {
  const bare = address.replace(/%.*$/, ''); // a link-local zone id (fe80::1%eth0)
  const family = isIP(bare);
  if (family !== 6) return bare;
  const v4 = embeddedIpv4(bare);
  if (v4 !== undefined) return v4;
  const [head = '', tail] = new URL(`http://[${bare}]/`).hostname.slice(1, -1).split('::');
  const first = head ? head.split(':') : [];
  const last = tail ? tail.split(':') : [];
  const groups = tail === undefined ? first : [...first, ...Array<string>(8 - first.length - last.length).fill('0'), ...last];
  return `${groups.slice(0, 4).join(':')}::/64`;
}
