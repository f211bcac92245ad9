import type BetterSqlite3 from 'better-sqlite3';
import type { Knex } from 'knex';
import type { SqliteConnectionRef } from '../knex/connect.js';

type Database = BetterSqlite3.Database;

/*
 * Hot paths on SQLite, without knex (DESIGN.md, performance budget).
 *
 * better-sqlite3 is synchronous: a statement runs to completion before the
 * event loop moves on, so a statement may run on the pool's one connection
 * whenever no knex transaction is open on it (a knex transaction spans
 * awaits; `inTransaction` says whether one is). Otherwise the work waits for
 * the connection through knex's pool, like any knex query.
 *
 * Writes are group-committed: the jobs queued during one event-loop turn run
 * in one IMMEDIATE transaction, each inside a savepoint of its own (so one
 * failing job rolls back only itself), and every caller's promise settles
 * only after COMMIT. One commit per turn instead of one per token is most of
 * what a token costs on SQLite: a commit writes every page it touched to the
 * WAL, and the pages of the append-mostly indexes are shared by the batch.
 *
 * When another process holds the write lock, SQLite's busy handler would
 * sleep in this thread (1, 2, 5, 10 … ms) with every request waiting behind
 * it. The batch instead tries the lock without waiting and, when it is taken,
 * tries again a millisecond or so later, the event loop serving meanwhile;
 * jobs queued by then join the retry. Past the connection's busy timeout the
 * batch fails with SQLITE_BUSY (503 to the callers).
 */

interface Job {
  readonly run: (db: Database) => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Told after each group commit: how many writes it carried, and ms from its first queued write to COMMIT (metrics). */
export type BatchObserver = (size: number, waitMs: number) => void;

export class SqliteDirect {
  private queue: Job[] = [];
  private scheduled = false;
  /** When the first write of the queue was queued (performance.now()); read only when observed. */
  private queuedAt = 0;
  private readonly ref: SqliteConnectionRef;
  private readonly knex: Knex;
  private readonly observe: BatchObserver | undefined;

  constructor(ref: SqliteConnectionRef, knex: Knex, observe?: BatchObserver) {
    this.ref = ref;
    this.knex = knex;
    this.observe = observe;
  }

  /** Runs a read now when the connection is free, else once the pool hands it over. */
  read<T>(query: (db: Database) => T): Promise<T> {
    const db = this.free();
    if (db) {
      try {
        return Promise.resolve(query(db));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return this.withPooledConnection(query);
  }

  /** Queues a write for this turn's transaction; settles after it commits (or fails). */
  write<T>(job: (db: Database) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run: job, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        if (this.observe) this.queuedAt = performance.now();
        setImmediate(() => this.flush());
      }
    });
  }

  private free(): Database | undefined {
    const db = this.ref.current;
    return db && db.open && !db.inTransaction ? db : undefined;
  }

  private async withPooledConnection<T>(fn: (db: Database) => T): Promise<T> {
    // knex's Client API: the same pool (of one) that every knex query uses.
    const client = this.knex.client as { acquireConnection(): Promise<Database>; releaseConnection(db: Database): Promise<void> };
    const db = await client.acquireConnection();
    try {
      return fn(db);
    } finally {
      await client.releaseConnection(db);
    }
  }

  private flush(): void {
    this.scheduled = false;
    const jobs = this.queue;
    this.queue = [];
    // Empty when a batch waiting for the lock took these jobs along.
    if (jobs.length > 0) this.attempt(jobs, Date.now() + this.ref.busyTimeoutMs, 0, this.queuedAt);
  }

  private attempt(queued: Job[], deadline: number, tries: number, queuedAt: number): void {
    // Jobs queued while this batch waited for the lock go with it.
    const jobs = tries === 0 ? queued : queued.concat(this.queue.splice(0));
    const db = this.free();
    if (db) {
      let outcomes: Outcome[];
      try {
        outcomes = commitWithoutWaiting(db, jobs, this.ref.busyTimeoutMs);
      } catch (err) {
        if (isBusy(err) && Date.now() < deadline) {
          setTimeout(() => this.attempt(jobs, deadline, tries + 1, queuedAt), Math.min(1 + tries, 5) * (0.5 + Math.random()));
          return;
        }
        this.settle(jobs, () => { throw err; });
        return;
      }
      this.observe?.(jobs.length, performance.now() - queuedAt);
      this.settle(jobs, () => outcomes);
    } else {
      this.withPooledConnection((pooled) => commit(pooled, jobs)).then(
        (outcomes) => {
          this.observe?.(jobs.length, performance.now() - queuedAt);
          this.settle(jobs, () => outcomes);
        },
        (err: unknown) => this.settle(jobs, () => { throw err; }),
      );
    }
  }

  private settle(jobs: readonly Job[], outcomes: () => Outcome[]): void {
    let results: Outcome[];
    try {
      results = outcomes();
    } catch (err) {
      for (const job of jobs) job.reject(err);
      return;
    }
    jobs.forEach((job, i) => {
      const outcome = results[i];
      if (outcome?.ok) job.resolve(outcome.value);
      else job.reject(outcome ? outcome.error : new Error('job lost'));
    });
  }
}

type Batch = BetterSqlite3.Transaction<(jobs: readonly Job[]) => Outcome[]>;
const batches = new WeakMap<Database, Batch>();

const isBusy = (err: unknown) => (err as { code?: unknown } | null)?.code === 'SQLITE_BUSY';

/** `commit` with the busy handler off, so a lock held elsewhere throws SQLITE_BUSY at once instead of sleeping. */
function commitWithoutWaiting(db: Database, jobs: readonly Job[], busyTimeoutMs: number): Outcome[] {
  db.pragma('busy_timeout = 0');
  try {
    return commit(db, jobs);
  } finally {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  }
}

/** One IMMEDIATE transaction; each job in a savepoint (better-sqlite3 nests transactions that way). Throws when the commit fails. */
function commit(db: Database, jobs: readonly Job[]): Outcome[] {
  let batch = batches.get(db);
  if (batch === undefined) {
    const single = db.transaction((job: Job) => job.run(db));
    batch = db.transaction((queued: readonly Job[]) =>
      queued.map((job): Outcome => {
        try {
          return { ok: true, value: single(job) };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    );
    batches.set(db, batch);
  }
  return batch.immediate(jobs);
}
