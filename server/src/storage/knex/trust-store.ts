import type { Knex } from 'knex';
import type { TrustedIssuer, TrustStore } from '../ports.js';
import { isUniqueViolation } from './errors.js';

interface TrustRow {
  id: string;
  issuer: string;
  subject: string;
  allow_any_subject: boolean | number;
  scope: string;
  key_set: string;
  key_id: string;
  public_jwk: string;
  expires_at: number | string;
  created_at: number | string;
}

const toRow = (g: TrustedIssuer): TrustRow => ({
  id: g.id,
  issuer: g.issuer,
  subject: g.subject,
  allow_any_subject: g.allowAnySubject,
  scope: JSON.stringify(g.scope),
  key_set: g.keySet,
  key_id: g.keyId,
  public_jwk: JSON.stringify(g.publicJwk),
  expires_at: g.expiresAt,
  created_at: g.createdAt,
});

const fromRow = (r: TrustRow): TrustedIssuer => ({
  id: r.id,
  issuer: r.issuer,
  subject: r.subject,
  // SQLite answers 0/1.
  allowAnySubject: Boolean(r.allow_any_subject),
  scope: JSON.parse(r.scope) as string[],
  keySet: r.key_set,
  keyId: r.key_id,
  publicJwk: JSON.parse(r.public_jwk) as Record<string, unknown>,
  expiresAt: Number(r.expires_at),
  createdAt: Number(r.created_at),
});

export function createTrustStore(db: Knex): TrustStore {
  const table = () => db<TrustRow>('trusted_jwt_issuers');
  return {
    async create(grant) {
      try {
        await table().insert(toRow(grant));
        return true;
      } catch (err) {
        if (isUniqueViolation(err)) return false;
        throw err;
      }
    },
    async get(id) {
      const row = await table().where('id', id).first();
      return row ? fromRow(row) : undefined;
    },
    async list({ limit, after, issuer }) {
      const q = table().orderBy('id', 'asc').limit(limit);
      if (after !== undefined) q.where('id', '>', after);
      if (issuer !== undefined) q.where('issuer', issuer);
      return (await q).map(fromRow);
    },
    async delete(id) {
      return (await table().where('id', id).delete()) > 0;
    },
    async find(issuer, subject, keyId, now) {
      const q = table()
        .where('issuer', issuer)
        .andWhere('expires_at', '>', now)
        .andWhere((w) => w.where('subject', subject).orWhere('allow_any_subject', true));
      if (keyId !== undefined) q.andWhere('key_id', keyId);
      return (await q).map(fromRow);
    },
  };
}
