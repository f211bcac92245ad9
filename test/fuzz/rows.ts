import Sqlite from 'better-sqlite3';
import pg from 'pg';

/*
 * Row counts of every table of the server's database (names read from the
 * database itself, so a new table is counted without touching this file), to
 * check that a refused request wrote nothing.
 */

export type Counts = ReadonlyMap<string, number>;

export interface RowCounter {
  count(): Promise<Counts>;
  close(): Promise<void>;
}

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;
/** One statement counting every table; `from` is the quoted (possibly schema-qualified) name. */
const countSql = (tables: readonly { label: string; from: string }[]): string =>
  tables.map(({ label, from }) => `select '${label.replace(/'/g, "''")}' as t, count(*) as n from ${from}`).join(' union all ');

function sqliteCounter(file: string): RowCounter {
  const db = new Sqlite(file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const tables = (db.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'").all() as { name: string }[]).map((r) => r.name);
  const statement = db.prepare(countSql(tables.map((t) => ({ label: t, from: quote(t) }))));
  return {
    count: async () => new Map((statement.all() as { t: string; n: number }[]).map((r) => [r.t, Number(r.n)])),
    close: async () => void db.close(),
  };
}

async function postgresCounter(dsn: string): Promise<RowCounter> {
  const url = new URL(dsn);
  const schema = url.searchParams.get('search_path') ?? 'public';
  url.searchParams.delete('search_path');
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  const listed = await client.query<{ table_name: string }>("select table_name from information_schema.tables where table_schema = $1 and table_type = 'BASE TABLE'", [schema]);
  const sql = countSql(listed.rows.map((r) => ({ label: r.table_name, from: `${quote(schema)}.${quote(r.table_name)}` })));
  return {
    async count() {
      const res = await client.query<{ t: string; n: string }>(sql);
      return new Map(res.rows.map((r) => [r.t, Number(r.n)]));
    },
    close: () => client.end(),
  };
}

export async function rowCounter(dsn: string): Promise<RowCounter> {
  if (dsn.startsWith('sqlite:')) return sqliteCounter(decodeURIComponent(dsn.replace(/^sqlite:\/\//, '').split('?')[0] ?? ''));
  return postgresCounter(dsn);
}

/** Tables that gained rows between two counts. */
export function grown(before: Counts, after: Counts): string[] {
  return [...after].filter(([table, n]) => n > (before.get(table) ?? 0)).map(([table, n]) => `${table} ${before.get(table) ?? 0}→${n}`);
}
