import { z } from 'zod';

/**
 * The error body both APIs send, as Ory Hydra v2 does (RFC 6749 §5.2 shape):
 * the hint, and with `oauth2.expose_internal_errors` the debug text, are folded
 * into `error_description`.
 */
export const ErrorResponse = z.object({
  error: z.string(),
  error_description: z.string().optional(),
});
export type ErrorResponse = z.infer<typeof ErrorResponse>;
