/*
 * The bounded run of `npm test`: a fixed seed, so a failure fails the same way
 * on every machine and replays with `npm run fuzz -- --seed 20261212 --op …`.
 * FUZZ_RUNS raises the count for a local run; the long run is `npm run fuzz`.
 */
export const CI_SEED = 20_261_212;
/** Generated requests per operation: ~55 operations, about a minute per database on a loaded 2-core machine. */
export const CI_RUNS = Number(process.env['FUZZ_RUNS'] ?? 25);
