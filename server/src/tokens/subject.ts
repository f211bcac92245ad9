import { createHash } from 'node:crypto';
import type { Client } from '../clients/client.js';
import type { ForcedSubjectStore } from '../storage/ports.js';

/*
 * Pairwise subject identifiers (OIDC Core §8.1), Hydra's algorithm
 * (consent/subject_identifier_algorithm_pairwise.go): the lowercase hex
 * SHA-256 of sector host, local subject and `oidc.subject_identifiers.pairwise.salt`,
 * so subjects carry over from Hydra with the same salt. The sector is the
 * host of `sector_identifier_uri` when the client has one, else the host
 * its redirect URIs share (registration refuses a pairwise client whose
 * redirect URIs span hosts without a sector_identifier_uri, §8.1).
 *
 * Where the pairwise subject appears (as in Hydra): ID tokens and userinfo.
 * Access tokens (introspection's `sub`, a JWT access token's `sub`) keep the
 * local subject, the one resource servers know; introspection adds the
 * pairwise one as `obfuscated_subject`. The login app's
 * `force_subject_identifier` replaces the computed pairwise subject, and is
 * ignored for public-subject clients (Hydra's obfuscateSubjectIdentifier).
 */

export type SectorClient = Pick<Client, 'subject_type' | 'sector_identifier_uri' | 'redirect_uris'>;

/** The client's sector host; undefined when it has none (no redirect URI, or several hosts and no sector_identifier_uri). */
export function sectorHost(client: Pick<Client, 'sector_identifier_uri' | 'redirect_uris'>): string | undefined {
  if (client.sector_identifier_uri) return URL.canParse(client.sector_identifier_uri) ? new URL(client.sector_identifier_uri).host : undefined;
  const hosts = new Set(client.redirect_uris.filter((u) => URL.canParse(u)).map((u) => new URL(u).host));
  return hosts.size === 1 ? [...hosts][0] : undefined;
}

export function pairwiseSubject(sector: string, subject: string, salt: string): string {
  return createHash('sha256').update(sector + subject + salt).digest('hex');
}

/**
 * The subject a client sees in ID tokens and userinfo: the local one for
 * public clients; for pairwise clients the forced identifier, else the
 * pairwise hash (undefined when the client has no sector or no salt is set).
 */
export function subjectForClient(client: SectorClient, subject: string, forced: string | undefined, salt: string | undefined): string | undefined {
  if (client.subject_type !== 'pairwise') return subject;
  if (forced) return forced;
  const sector = sectorHost(client);
  return sector === undefined || !salt ? undefined : pairwiseSubject(sector, subject, salt);
}

/**
 * Whether an id_token_hint's `sub` names `subject` (OIDC Core §3.1.2.1, RP-Initiated
 * Logout §2): the local subject, or the pairwise one the hint's client saw.
 * A forced subject identifier cannot be computed back: hintNamesUser looks it up.
 */
export function hintNamesSubject(hintSub: unknown, subject: string, client: SectorClient | undefined, salt: string | undefined): boolean {
  if (hintSub === subject) return true;
  return client?.subject_type === 'pairwise' && hintSub === subjectForClient(client, subject, undefined, salt);
}

/**
 * hintNamesSubject, or the subject the login app forced for this pairwise
 * client and this user (`force_subject_identifier`, recorded when the login
 * completed; Hydra's obfuscated authentication session).
 */
export async function hintNamesUser(
  hintSub: unknown,
  subject: string,
  client: (SectorClient & Pick<Client, 'client_id'>) | undefined,
  salt: string | undefined,
  forced: Pick<ForcedSubjectStore, 'subjectOf'>,
): Promise<boolean> {
  if (hintNamesSubject(hintSub, subject, client, salt)) return true;
  if (typeof hintSub !== 'string' || client?.subject_type !== 'pairwise') return false;
  return (await forced.subjectOf(client.client_id, hintSub)) === subject;
}
