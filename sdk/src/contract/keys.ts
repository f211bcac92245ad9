import { z } from 'zod';

/** A JSON Web Key (RFC 7517) as the admin API sends it; private members included there. */
export const JsonWebKey = z.looseObject({
  kty: z.string(),
  kid: z.string().max(255),
  alg: z.string().max(32),
  use: z.string().max(8),
  crv: z.string().optional(),
  x: z.string().optional(),
  y: z.string().optional(),
  n: z.string().optional(),
  e: z.string().optional(),
  d: z.string().optional(),
  p: z.string().optional(),
  q: z.string().optional(),
  dp: z.string().optional(),
  dq: z.string().optional(),
  qi: z.string().optional(),
  k: z.string().optional(),
  x5c: z.array(z.string()).optional(),
});
export type JsonWebKey = z.infer<typeof JsonWebKey>;

export const JsonWebKeySet = z.object({ keys: z.array(JsonWebKey) });
export type JsonWebKeySet = z.infer<typeof JsonWebKeySet>;

/** Body of `PUT /admin/keys/{set}`: bounded, unlike what the server may answer. */
export const JsonWebKeySetInput = z.object({ keys: z.array(JsonWebKey).max(100) });
export type JsonWebKeySetInput = z.infer<typeof JsonWebKeySetInput>;

export const signingAlgorithms = ['RS256', 'ES256', 'EdDSA'] as const;
export type SigningAlgorithm = (typeof signingAlgorithms)[number];

/** Body of `POST /admin/keys/{set}`: generate a key and add it to the set. */
export const CreateJsonWebKeySet = z.object({
  alg: z.enum(signingAlgorithms),
  kid: z.string().max(255).default(''),
  use: z.enum(['sig', 'enc']).default('sig'),
});
export type CreateJsonWebKeySet = z.infer<typeof CreateJsonWebKeySet>;
/** What a caller may send (kid and use have defaults). */
export type CreateJsonWebKeySetInput = z.input<typeof CreateJsonWebKeySet>;
