import { ConfigError } from '../../server/src/config/load.js';

/** A system secret long enough for the schema. */
export const CONFIG_SECRET = 'a-system-secret-of-at-least-32-characters';

/** The least environment a configuration loads with. */
export const MINIMAL_ENV = { DSN: 'memory', SECRETS_SYSTEM: CONFIG_SECRET, URLS_SELF_ISSUER: 'https://auth.example.com' } as const;

/** The ConfigError `fn` throws; anything else thrown fails the test, and so does nothing thrown. */
export function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}
