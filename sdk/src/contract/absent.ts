import { z } from 'zod';

/*
 * `null` on the admin API's JSON bodies. Hydra reads them with Go's
 * encoding/json, where a member that is `null` leaves its field at the zero
 * value: exactly what leaving the member out does. Clients that serialise
 * "no value" as `null` (Python's None, a nil slice, …) rely on it. These
 * helpers accept `null` where Hydra's Go types do (the OpenAPI document says
 * so), hand the server `undefined` (or the default) so that past the edge
 * `null` and "absent" cannot be told apart, and still refuse a wrong type.
 */

/** An optional member for which `null` means "not sent". */
export const absent = <T extends z.ZodType>(schema: T) => schema.nullish().transform((value) => value ?? undefined).optional();

/** A member with a default, which `null` also gets (Go: the zero value, which Hydra then defaults). */
export const withDefault = <T extends z.ZodType>(schema: T, fallback: NonNullable<z.output<T>>) =>
  schema.nullish().transform((value): NonNullable<z.output<T>> => value ?? fallback);

/**
 * Drops the members that are `null` (or were made `undefined` by `absent`)
 * from an object whose unknown members pass through: go-jose reads a JWK
 * member that is `null` as absent, whichever member it is, and a JWK's
 * members are checked by presence (`d` makes it private).
 */
export const withoutNulls = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, member]) => member !== null && member !== undefined)) as T;
