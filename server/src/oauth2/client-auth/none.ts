import type { AuthMethod } from './types.js';

/** RFC 6749 §2.1: a public client only identifies itself (OIDC Core §9 "none"). */
export const none: AuthMethod = async (presented) => presented.method === 'none';
