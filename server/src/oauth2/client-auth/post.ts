import type { AuthMethod } from './types.js';
import { secretMatches } from './secret-check.js';

/** RFC 6749 §2.3.1: client_id and client_secret in the form body. */
export const clientSecretPost: AuthMethod = async (presented, client, deps, credentials) =>
  presented.method === 'client_secret_post' && secretMatches(client, presented.secret, deps, credentials.peer);
