import { invalidRequest, notFound } from '../errors/catalog.js';
import type { FlowState } from './flow.js';
import type { FlowLookup, FlowStore, StoredFlow } from '../storage/ports.js';
import { hashSecret } from './secrets.js';
import { json, type HandlerResult } from '../lib/result.js';

/** A challenge that was used, or has expired: Hydra v2.0's 410 with where to restart. */
export class FlowGone extends Error {
  readonly redirectTo: string;
  constructor(redirectTo: string) {
    super('flow gone');
    this.name = 'FlowGone';
    this.redirectTo = redirectTo;
  }
}

/** Runs an admin flow handler, answering FlowGone with 410 `{redirect_to}`. */
export async function guarded(work: () => Promise<HandlerResult>): Promise<HandlerResult> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof FlowGone) return json({ redirect_to: err.redirectTo }, 410);
    throw err;
  }
}

/** The flow behind an admin-API challenge, in one of the states that challenge is good for. */
export async function flowForChallenge(
  flows: FlowStore,
  by: FlowLookup,
  challenge: string | undefined,
  states: readonly FlowState[],
  now: number,
): Promise<StoredFlow> {
  if (!challenge) throw invalidRequest(`The ${by} parameter is missing.`);
  const stored = await flows.find(by, hashSecret(challenge));
  if (!stored) throw notFound(`No request matches this ${by}.`);
  if (stored.flow.expiresAt <= now || !states.includes(stored.flow.state)) throw new FlowGone(stored.flow.request.requestUrl);
  return stored;
}
