/** SQLite's SQLITE_CONSTRAINT_PRIMARYKEY/UNIQUE and PostgreSQL's 23505 both mean "that key is taken". */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
