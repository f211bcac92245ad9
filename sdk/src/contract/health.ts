import { z } from 'zod';

export const HealthStatus = z.object({ status: z.literal('ok') });
export type HealthStatus = z.infer<typeof HealthStatus>;

/** `/health/ready` when a dependency does not answer (503). */
export const HealthNotReady = z.object({ errors: z.record(z.string(), z.string()) });
export type HealthNotReady = z.infer<typeof HealthNotReady>;

export const Version = z.object({ version: z.string() });
export type Version = z.infer<typeof Version>;
