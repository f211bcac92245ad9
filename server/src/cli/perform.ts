import { UsageError } from './errors.js';
import type { Values } from './client-body.js';
import { performClientCredentials } from './perform-client-credentials.js';
import { performAuthorizationCode } from './perform-authorization-code.js';
import { performDeviceCodeFlow } from './perform-device-code.js';

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
const FLOWS: ReadonlyMap<string, Flow> = new Map<string, Flow>([
  ['client-credentials', performClientCredentials],
  ['authorization-code', performAuthorizationCode],
  ['device-code', performDeviceCodeFlow],
]);

export function perform(args: PerformArgs, out: (line: string) => void): Promise<number> {
  const [flow, ...rest] = args.positionals;
  const run = flow === undefined ? undefined : FLOWS.get(flow);
  if (!run) throw new UsageError(`perform needs one of: ${[...FLOWS.keys()].join(', ')}`);
  return run({ ...args, positionals: rest }, out);
}
