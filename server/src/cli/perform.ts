import { UsageError } from './errors.js';
import type { Values } from './client-body.js';
import { performClientCredentials } from './perform-client-credentials.js';
import { performAuthorizationCode } from './perform-authorization-code.js';
import { performDeviceCode } from './perform-device-code.js';
import { listOf } from './client-credentials.js';

export interface PerformArgs {
  readonly positionals: readonly string[];
  readonly endpoint: string | undefined;
  readonly values: Values;
}

type Flow = (args: PerformArgs, out: (line: string) => void) => Promise<number>;

/**
 * `tessera perform <flow>` (Hydra's `hydra perform …`): runs an OAuth 2.0
 * flow against the public API as a client would, and prints the tokens.
 * One file per flow, one line here.
 */
/** The device side of RFC 8628: progress on stderr, the client from the flags or OAUTH2_CLIENT_* (cli/perform-device-code.ts). */
const deviceCode: Flow = (args, out) => {
  const text = (flag: string) => {
    const value = args.values[flag];
    return typeof value === 'string' ? value : undefined;
  };
  const audience = listOf(args.values, 'audience');
  return performDeviceCode(
    { endpoint: args.endpoint, clientId: text('client-id'), clientSecret: text('client-secret'), scope: text('scope'), audience: audience.length > 0 ? audience : undefined },
    { out, err: (line) => process.stderr.write(`${line}\n`), env: process.env },
  );
};

const FLOWS: ReadonlyMap<string, Flow> = new Map<string, Flow>([
  ['client-credentials', performClientCredentials],
  ['authorization-code', performAuthorizationCode],
  ['device-code', deviceCode],
]);

export function perform(args: PerformArgs, out: (line: string) => void): Promise<number> {
  const [flow, ...rest] = args.positionals;
  const run = flow === undefined ? undefined : FLOWS.get(flow);
  if (!run) throw new UsageError(`perform needs one of: ${[...FLOWS.keys()].join(', ')}`);
  return run({ ...args, positionals: rest }, out);
}
