import { isIP } from 'node:net';
import { classifyAddress, isOwnAddress } from './ip-ranges.js';

/*
 * Where the server may send a request whose URL came from input (today: the
 * back-channel logout POST). Checked twice: when the URL is registered, on
 * what the URL says (an IP literal, `localhost`, the scheme), and at each
 * request, on every address its host resolves to then, which is the address
 * the connection is made to (outbound-request.ts), so a name re-pointed
 * after registration (DNS rebinding) gains nothing.
 *
 * - https always; plain http only to loopback under --dev, or to loopback
 *   and private addresses with allow_private_networks (OpenID Connect
 *   Back-Channel Logout 1.0 §2.2: http only if the OP allows it).
 * - loopback only under --dev or with allow_private_networks; private
 *   networks only with allow_private_networks.
 * - never: link-local (cloud metadata), unspecified, multicast, reserved
 *   (ip-ranges.ts), nor this machine's own serving ports.
 */

export interface OutboundPolicy {
  /** `--dev`: loopback destinations are allowed, over http too. */
  readonly dev: boolean;
  /** `oauth2.backchannel_logout.allow_private_networks`. */
  readonly allowPrivateNetworks: boolean;
  /** The server's own listening ports: on this machine they are never a destination. */
  readonly ownPorts: readonly number[];
}

export interface Destination {
  readonly https: boolean;
  readonly port: number;
}

export function destinationOf(url: URL): Destination {
  const https = url.protocol === 'https:';
  return { https, port: url.port === '' ? (https ? 443 : 80) : Number(url.port) };
}

/** The URL's host without IPv6 brackets. */
export const bareHost = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, '$1');

const ALLOW_HINT = 'set oauth2.backchannel_logout.allow_private_networks to allow it';

/** Why a request to `address` must not be made, or undefined when it may. */
export function refuseAddress(address: string, destination: Destination, policy: OutboundPolicy): string | undefined {
  const kind = classifyAddress(address);
  if (kind === 'forbidden') return `${address} is a link-local, cloud metadata, unspecified, multicast or reserved address`;
  if (isOwnAddress(address) && policy.ownPorts.includes(destination.port)) return `port ${destination.port} of this machine is this server`;
  if (kind === 'loopback' && !policy.dev && !policy.allowPrivateNetworks) return `${address} is a loopback address (allowed with --dev, or ${ALLOW_HINT})`;
  if (kind === 'private' && !policy.allowPrivateNetworks) return `${address} is a private address (${ALLOW_HINT})`;
  if (!destination.https && kind === 'public') return 'plain http is allowed only to loopback (--dev) or private addresses (allow_private_networks); use https';
  return undefined;
}

/** RFC 6761 §6.3: `localhost` and names below it are loopback, whatever a resolver says. */
const isLocalhostName = (host: string): boolean => /(^|\.)localhost\.?$/.test(host);

/**
 * Why a URL must not be registered, judged on what it says: an IP literal
 * or `localhost` as `refuseAddress` would judge the address; a name only on
 * its scheme (its addresses are judged at each request).
 */
export function refuseUrl(url: URL, policy: OutboundPolicy): string | undefined {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URI';
  const host = bareHost(url);
  const destination = destinationOf(url);
  if (isIP(host) !== 0) return refuseAddress(host, destination, policy);
  if (isLocalhostName(host)) return refuseAddress('127.0.0.1', destination, policy);
  if (!destination.https && !policy.allowPrivateNetworks) return 'must use https (plain http only to loopback under --dev, or with allow_private_networks)';
  return undefined;
}
