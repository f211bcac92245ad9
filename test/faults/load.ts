import { randomBytes } from 'node:crypto';
import { basic, form } from '../helpers/clients.js';

/** One answer the load loop saw. */
export interface Outcome {
  readonly target: string;
  readonly status: number;
  readonly ms: number;
  readonly token?: string | undefined;
}

/**
 * client_credentials issuance and introspection against `targets`, round
 * robin, `concurrency` loops until `until()`; every answer is recorded.
 * Bounded in time by the caller's `until`.
 */
export async function mixedLoad(
  targets: () => ReadonlyArray<{ publicUrl: string; adminUrl: string }>,
  client: { client_id: string; client_secret: string },
  until: () => boolean,
  concurrency = 4,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const issued: string[] = [];
  let turn = 0;
  async function loop(): Promise<void> {
    while (!until()) {
      const list = targets();
      const target = list[turn++ % list.length];
      if (!target) return;
      const started = performance.now();
      const introspecting = issued.length > 0 && turn % 3 === 0;
      try {
        if (introspecting) {
          const token = issued[Math.floor(Math.random() * issued.length)] ?? '';
          const f = form({ token });
          const res = await fetch(`${target.adminUrl}/admin/oauth2/introspect`, { method: 'POST', body: f.body, headers: f.headers, signal: AbortSignal.timeout(10_000) });
          await res.text();
          outcomes.push({ target: target.adminUrl, status: res.status, ms: performance.now() - started });
        } else {
          const f = form({ grant_type: 'client_credentials', scope: 'read', state: randomBytes(4).toString('hex') });
          const res = await fetch(`${target.publicUrl}/oauth2/token`, {
            method: 'POST',
            body: f.body,
            headers: { ...f.headers, authorization: basic(client.client_id, client.client_secret) },
            signal: AbortSignal.timeout(10_000),
          });
          const body = (await res.json().catch(() => ({}))) as { access_token?: string };
          if (res.status === 200 && body.access_token) issued.push(body.access_token);
          outcomes.push({ target: target.publicUrl, status: res.status, ms: performance.now() - started, token: body.access_token });
        }
      } catch (err) {
        // status 0: the connection failed (a killed process), or the 10 s client timeout.
        outcomes.push({ target: target.publicUrl, status: (err as Error).name === 'TimeoutError' ? -1 : 0, ms: performance.now() - started });
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, loop));
  return outcomes;
}

export function summarise(outcomes: readonly Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[String(o.status)] = (counts[String(o.status)] ?? 0) + 1;
  return counts;
}
