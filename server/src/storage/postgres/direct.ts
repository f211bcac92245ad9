import type { Knex } from 'knex';
import type pg from 'pg';

/*
 * Hot paths on PostgreSQL, without knex (DESIGN.md, performance budget).
 *
 * A profile of client_credentials on PostgreSQL spent half of Tessera's CPU
 * in `writev`, one per round trip to the server, and most of the rest in
 * knex building the same SQL again for every request. So here:
 *
 * - every statement is a named prepared statement (parsed and planned once
 *   per connection; each call sends only the values), on a connection of
 *   knex's own pool, so the pool size, timeouts and search_path are the DSN's;
 * - reads by key that arrive in one event-loop turn go as one statement
 *   (`where key = any($1)`) and inserts as one multi-row INSERT (`unnest` of
 *   one array per column, so one prepared statement serves any batch size).
 *   Every caller is answered after its own statement finished, so a read is
 *   as fresh as if it ran alone and a token is committed before its response
 *   is written. Ten requests of one turn cost one round trip instead of ten.
 */

/** A prepared statement: its name is how PostgreSQL caches the plan per connection. */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

export type Row = Record<string, unknown>;

/** knex's Client API for its pool; for the pg dialect the connections are `pg.Client`s. */
interface Pool {
  acquireConnection(): Promise<pg.Client>;
  releaseConnection(connection: pg.Client): Promise<unknown>;
}

/** Most values one statement binds; bigger batches are split. */
const MAX_BATCH = 500;

export class PgDirect {
  private readonly pool: Pool;

  constructor(knex: Knex) {
    this.pool = knex.client as unknown as Pool;
  }

  /** Runs one named statement on a pooled connection. */
  async query<R extends Row>(statement: Statement, values: readonly unknown[]): Promise<pg.QueryResult<R>> {
    const connection = await this.pool.acquireConnection();
    try {
      return await connection.query<R>({ name: statement.name, text: statement.text, values: [...values] });
    } finally {
      await this.pool.releaseConnection(connection);
    }
  }
}

interface Waiting<I, O> {
  readonly input: I;
  readonly resolve: (value: O) => void;
  readonly reject: (err: unknown) => void;
}

/** One caller's answer from a batch. */
export type Outcome<O> = { readonly ok: true; readonly value: O } | { readonly ok: false; readonly error: unknown };

/**
 * Collects the calls of one event-loop turn and runs them together:
 * `run(inputs)` answers one outcome per input, in order, or throws for all.
 */
export class TurnBatch<I, O> {
  private waiting: Array<Waiting<I, O>> = [];
  private readonly run: (inputs: readonly I[]) => Promise<ReadonlyArray<Outcome<O>>>;

  constructor(run: (inputs: readonly I[]) => Promise<ReadonlyArray<Outcome<O>>>) {
    this.run = run;
  }

  add(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      if (this.waiting.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const all = this.waiting;
    this.waiting = [];
    for (let i = 0; i < all.length; i += MAX_BATCH) this.settle(all.slice(i, i + MAX_BATCH));
  }

  private settle(batch: ReadonlyArray<Waiting<I, O>>): void {
    this.run(batch.map((w) => w.input)).then(
      (outcomes) =>
        batch.forEach((w, i) => {
          const outcome = outcomes[i];
          if (outcome?.ok) w.resolve(outcome.value);
          else w.reject(outcome ? outcome.error : new Error('batch answered too few outcomes'));
        }),
      (err: unknown) => batch.forEach((w) => w.reject(err)),
    );
  }
}

/**
 * Reads by key, one statement per turn: `statement` takes `$1` as a text
 * array and returns rows carrying `keyColumn`. Each caller gets its row or
 * undefined; a key asked for twice is read once.
 */
export function batchedLookup<R extends Row>(direct: PgDirect, statement: Statement, keyColumn: keyof R & string): (key: string) => Promise<R | undefined> {
  const batch = new TurnBatch<string, R | undefined>(async (keys) => {
    const { rows } = await direct.query<R>(statement, [[...new Set(keys)]]);
    const byKey = new Map(rows.map((row) => [String(row[keyColumn]), row]));
    return keys.map((key) => ({ ok: true, value: byKey.get(key) }));
  });
  return (key) => batch.add(key);
}
