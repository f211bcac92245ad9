import type { Knex } from 'knex';
import type { ForcedSubjectStore } from '../ports.js';

interface ForcedSubjectRow {
  client_id: string;
  subject: string;
  forced: string;
}

/** Hydra's obfuscated authentication sessions: one row per pairwise client and user, the latest forced subject. */
export function createForcedSubjectStore(db: Knex): ForcedSubjectStore {
  const table = () => db<ForcedSubjectRow>('oauth2_forced_subjects');
  return {
    async save(clientId, subject, forced) {
      await table().insert({ client_id: clientId, subject, forced }).onConflict(['client_id', 'subject']).merge(['forced']);
    },
    async subjectOf(clientId, forced) {
      // Several users may have been given the same forced subject: it then names none of them.
      const rows = await table().select('subject').where({ client_id: clientId, forced }).limit(2);
      return rows.length === 1 ? rows[0]?.subject : undefined;
    },
  };
}
