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
 *   (`where key in ($1, …)`) and inserts as one multi-row INSERT (`unnest` of
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

/** What a batched lookup reads: `select * from table where key …`. */
export interface LookupTable {
  /** Prefix of the statements' names. */
  readonly name: string;
  readonly table: string;
  readonly key: string;
}

/** Largest batch read with one placeholder per key; bigger ones bind one array. */
const MAX_LISTED_KEYS = 16;

/**
 * The statement for a batch of `count` distinct keys. PostgreSQL keeps a
 * generic plan for a prepared statement (planned once per connection) only
 * when it costs about what a custom one does; `key = any($1)` never does (the
 * generic plan is costed for an array of unknown length, the custom one for
 * the array bound), so it was planned anew on every execution: in a
 * PostgreSQL log of the refresh bench, binding a token lookup took 83 µs on
 * average against a 32 µs median execution (issue 20;
 * test/storage/plan-cache.test.ts). One statement per batch size, `key in
 * ($1, …, $n)`, is costed the same either way; past MAX_LISTED_KEYS (a rare
 * turn) the array form is planned per execution.
 */
function listedLookup(t: LookupTable, count: number): Statement {
  const placeholders = Array.from({ length: count }, (_, i) => `$${i + 1}`).join(', ');
  return { name: `${t.name}_${count}`, text: `select * from ${t.table} where ${t.key} in (${placeholders})` };
}

/**
 * Reads by key, one statement per turn: each caller gets its row (the row's
 * `key` column equal to its key) or undefined; a key asked for twice is read
 * once.
 */
export function batchedLookup<R extends Row>(direct: PgDirect, t: LookupTable): (key: string) => Promise<R | undefined> {
  // listed[n - 1] reads n keys.
  const listed = Array.from({ length: MAX_LISTED_KEYS }, (_, i) => listedLookup(t, i + 1));
  const any: Statement = { name: `${t.name}_any`, text: `select * from ${t.table} where ${t.key} = any($1::text[])` };
  const batch = new TurnBatch<string, R | undefined>(async (keys) => {
    const distinct = [...new Set(keys)];
    const statement = listed[distinct.length - 1];
    const { rows } = await (statement ? direct.query<R>(statement, distinct) : direct.query<R>(any, [distinct]));
    const byKey = new Map(rows.map((row) => [String(row[t.key]), row]));
    return keys.map((key) => ({ ok: true, value: byKey.get(key) }));
  });
  return (key) => batch.add(key);
}
