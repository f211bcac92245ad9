import type { AuthMethod } from './types.js';
import { secretMatches } from './secret-check.js';

/** RFC 6749 §2.3.1: HTTP Basic with the form-urlencoded id and secret. */
export const clientSecretBasic: AuthMethod = async (presented, client, deps, credentials) =>
  presented.method === 'client_secret_basic' && secretMatches(client, presented.secret, deps, credentials.peer);
