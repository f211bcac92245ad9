import { z } from 'zod';
import { absent, withDefault, withoutNulls } from './absent.js';

/**
 * A JSON Web Key (RFC 7517) as the admin API sends it; private members
 * included there. A member that is `null` is absent, as go-jose reads it.
 */
export const JsonWebKey = z
  .looseObject({
    kty: z.string(),
    kid: z.string().max(255),
    alg: z.string().max(32),
    use: z.string().max(8),
    crv: absent(z.string()),
    x: absent(z.string()),
    y: absent(z.string()),
    n: absent(z.string()),
    e: absent(z.string()),
    d: absent(z.string()),
    p: absent(z.string()),
    q: absent(z.string()),
    dp: absent(z.string()),
    dq: absent(z.string()),
    qi: absent(z.string()),
    k: absent(z.string()),
    x5c: absent(z.array(z.string())),
  })
  .transform(withoutNulls);
export type JsonWebKey = z.infer<typeof JsonWebKey>;

export const JsonWebKeySet = z.object({ keys: z.array(JsonWebKey) });
export type JsonWebKeySet = z.infer<typeof JsonWebKeySet>;

/** Body of `PUT /admin/keys/{set}`: bounded, unlike what the server may answer. */
export const JsonWebKeySetInput = z.object({ keys: z.array(JsonWebKey).max(100) });
export type JsonWebKeySetInput = z.infer<typeof JsonWebKeySetInput>;

export const signingAlgorithms = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;
export type SigningAlgorithm = (typeof signingAlgorithms)[number];

/** Body of `POST /admin/keys/{set}`: generate a key and add it to the set. `null` kid or use get the default, as in Hydra. */
export const CreateJsonWebKeySet = z.object({
  alg: z.enum(signingAlgorithms),
  kid: withDefault(z.string().max(255), ''),
  use: withDefault(z.enum(['sig', 'enc']), 'sig'),
});
export type CreateJsonWebKeySet = z.infer<typeof CreateJsonWebKeySet>;
/** What a caller may send (kid and use have defaults). */
export type CreateJsonWebKeySetInput = z.input<typeof CreateJsonWebKeySet>;
