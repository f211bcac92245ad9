/**
 * Every body the server accepts is small (both APIs, both media types);
 * anything larger is a mistake or an attack. Also the bound of what a JSON
 * Patch may grow a client document to (clients/patch.ts).
 */
export const BODY_LIMIT = 100 * 1024;
