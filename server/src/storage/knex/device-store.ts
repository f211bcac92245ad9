import type { Knex } from 'knex';
import type { DeviceChallenge, DeviceChallengeState, Rejection } from '../../flows/flow.js';
import type { DeviceRequest, DeviceRequestState } from '../../oauth2/device/model.js';
import type { DeviceStore } from '../ports.js';
import { isUniqueViolation } from './errors.js';

interface RequestRow {
  id: string;
  client_id: string;
  device_code: string;
  user_code: string;
  state: string;
  scope: string;
  audience: string;
  rejection: string | null;
  poll_interval: number | string;
  last_polled_at: number | string | null;
  requested_at: number | string;
  expires_at: number | string;
}

interface ChallengeRow {
  challenge: string;
  verifier: string | null;
  state: string;
  browser: string;
  network: string;
  failures: number | string;
  device_request_id: string | null;
  requested_at: number | string;
  expires_at: number | string;
}

const REQUESTS = 'oauth2_device_requests';
const CHALLENGES = 'oauth2_device_challenges';

function toRequest(row: RequestRow): DeviceRequest {
  return {
    id: row.id,
    clientId: row.client_id,
    deviceCode: row.device_code,
    userCode: row.user_code,
    state: row.state as DeviceRequestState,
    scope: row.scope === '' ? [] : row.scope.split(' '),
    audience: JSON.parse(row.audience) as string[],
    rejection: row.rejection === null ? undefined : (JSON.parse(row.rejection) as Rejection),
    interval: Number(row.poll_interval),
    lastPolledAt: row.last_polled_at === null ? null : Number(row.last_polled_at),
    requestedAt: Number(row.requested_at),
    expiresAt: Number(row.expires_at),
  };
}

function toChallenge(row: ChallengeRow): DeviceChallenge {
  return {
    id: row.challenge,
    state: row.state as DeviceChallengeState,
    browser: row.browser,
    network: row.network,
    failures: Number(row.failures),
    deviceRequestId: row.device_request_id ?? undefined,
    requestedAt: Number(row.requested_at),
    expiresAt: Number(row.expires_at),
  };
}

/** Thrown inside `claim`'s transaction to undo the request's claim when the challenge was taken meanwhile. */
class ChallengeTaken extends Error {}

export function createDeviceStore(db: Knex): DeviceStore {
  const requests = (k: Knex | Knex.Transaction = db) => k<RequestRow>(REQUESTS);
  const challenges = (k: Knex | Knex.Transaction = db) => k<ChallengeRow>(CHALLENGES);

  return {
    async create(request) {
      try {
        await requests().insert({
          id: request.id,
          client_id: request.clientId,
          device_code: request.deviceCode,
          user_code: request.userCode,
          state: request.state,
          scope: request.scope.join(' '),
          audience: JSON.stringify(request.audience),
          rejection: null,
          poll_interval: request.interval,
          last_polled_at: request.lastPolledAt,
          requested_at: request.requestedAt,
          expires_at: request.expiresAt,
        });
        return true;
      } catch (err) {
        if (isUniqueViolation(err) && String((err as Error).message).includes('user_code')) return false;
        throw err;
      }
    },

    async byDeviceCode(signature) {
      const row = await requests().where('device_code', signature).first();
      return row ? toRequest(row) : undefined;
    },

    async get(id) {
      const row = await requests().where('id', id).first();
      return row ? toRequest(row) : undefined;
    },

    async poll(id, now) {
      // RFC 8628 §3.5: one conditional UPDATE decides, so two racing polls cannot both pass.
      const onTime = await requests()
        .where('id', id)
        // An interval of 0 turns the check off (two polls' clocks may be read out of order).
        .where((q) => q.whereNull('last_polled_at').orWhere('poll_interval', 0).orWhereRaw('last_polled_at + poll_interval * 1000 <= ?', [now]))
        .update({ last_polled_at: now });
      if (onTime > 0) return true;
      await requests().where('id', id).update({ poll_interval: db.raw('poll_interval + 5'), last_polled_at: now });
      return false;
    },

    async deny(id, rejection) {
      return (await requests().where({ id, state: 'claimed' }).update({ state: 'denied', rejection: JSON.stringify(rejection) })) > 0;
    },

    async createChallenge(challenge) {
      await challenges().insert({
        challenge: challenge.id,
        verifier: null,
        state: challenge.state,
        browser: challenge.browser,
        network: challenge.network,
        failures: challenge.failures,
        device_request_id: challenge.deviceRequestId ?? null,
        requested_at: challenge.requestedAt,
        expires_at: challenge.expiresAt,
      });
    },

    async findChallenge(by, hash) {
      const row = await challenges().where(by, hash).first();
      return row ? toChallenge(row) : undefined;
    },

    async recordFailure(challengeId) {
      await challenges().where('challenge', challengeId).increment('failures', 1);
    },

    async failuresSince(network, since) {
      const row = (await challenges().where('network', network).where('requested_at', '>=', since).sum({ n: 'failures' }).first()) as { n: number | string | null } | undefined;
      return Number(row?.n ?? 0);
    },

    async claim(challengeId, userCodes, verifierHash, now) {
      try {
        return await db.transaction(async (trx) => {
          const row = await requests(trx).whereIn('user_code', [...userCodes]).where('state', 'pending').where('expires_at', '>', now).first();
          if (!row) return undefined;
          // Conditional: of two challenges presenting the same code, one claims it.
          if ((await requests(trx).where({ id: row.id, state: 'pending' }).update({ state: 'claimed' })) === 0) return undefined;
          const handled = await challenges(trx)
            .where({ challenge: challengeId, state: 'device_requested' })
            .where('expires_at', '>', now)
            .update({ state: 'device_handled', verifier: verifierHash, device_request_id: row.id });
          if (handled === 0) throw new ChallengeTaken();
          return toRequest({ ...row, state: 'claimed' });
        });
      } catch (err) {
        if (err instanceof ChallengeTaken) return undefined;
        throw err;
      }
    },

    async finishChallenge(challengeId) {
      return (await challenges().where({ challenge: challengeId, state: 'device_handled' }).update({ state: 'done' })) > 0;
    },
  };
}
