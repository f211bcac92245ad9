import type { Knex } from 'knex';
import * as initial from './20261123000000_initial.js';
import * as tokens from './20261123010000_tokens.js';
import * as flows from './20261123020000_flows.js';
import * as logout from './20261123030000_logout.js';
import * as sessionAcr from './20261123040000_session_acr.js';
import * as janitorIndex from './20261123050000_janitor_index.js';
import * as tokenIndexes from './20261123060000_token_indexes.js';
import * as consentPerFlow from './20261124030000_consent_per_flow.js';
import * as device from './20261202010000_device.js';
import * as leakReports from './20261202030000_leak_reports.js';
import * as clientAuth from './20261202040000_client_auth.js';
import * as pushedRequests from './20261202060000_pushed_requests.js';
import * as consentRememberedIndex from './20261203000000_consent_remembered_index.js';
import * as forcedSubjects from './20261204000000_forced_subjects.js';

export interface Migration {
  readonly name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** Every migration, oldest first. Append; never edit one that has shipped. */
export const migrations: readonly Migration[] = [
  { name: '20261123000000_initial', ...initial },
  { name: '20261123010000_tokens', ...tokens },
  { name: '20261123020000_flows', ...flows },
  { name: '20261123030000_logout', ...logout },
  { name: '20261123040000_session_acr', ...sessionAcr },
  { name: '20261123050000_janitor_index', ...janitorIndex },
  { name: '20261123060000_token_indexes', ...tokenIndexes },
  { name: '20261124030000_consent_per_flow', ...consentPerFlow },
  { name: '20261202010000_device', ...device },
  { name: '20261202030000_leak_reports', ...leakReports },
  { name: '20261202040000_client_auth', ...clientAuth },
  { name: '20261202060000_pushed_requests', ...pushedRequests },
  { name: '20261203000000_consent_remembered_index', ...consentRememberedIndex },
  { name: '20261204000000_forced_subjects', ...forcedSubjects },
];
