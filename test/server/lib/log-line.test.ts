import { expect } from 'chai';
import { formatLogLine } from '../../../server/src/lib/log-line.js';
import { describeDsn } from '../../../server/src/lib/dsn.js';

/** Issue 19, item 2: the pieces of the start-up line and the readable log format. */
describe('readable log lines and the database description', () => {
  it('a record becomes one line: local time, level, message, then its own fields; a stack stays on that line', () => {
    const time = new Date(2026, 0, 2, 3, 4, 5, 6).getTime();
    const record = { level: 50, time, pid: 1, hostname: 'h', service: 'tessera', msg: 'request failed', request_id: 'r-1', err: { message: 'boom', stack: 'Error: boom\n    at x' } };
    const line = formatLogLine(JSON.stringify(record));
    expect(line).to.equal('03:04:05.006 ERROR request failed request_id=r-1 err={"message":"boom","stack":"Error: boom\\n    at x"}\n');
    expect(line.split('\n')).to.have.length(2);
    expect(formatLogLine(JSON.stringify({ level: 30, time, msg: 'x', location: 'in this process', n: 2 }))).to.equal('03:04:05.006 INFO  x location="in this process" n=2\n');
  });

  it('describeDsn names kind and place, never the user, password or query of a PostgreSQL DSN', () => {
    expect(describeDsn('postgres://admin:s3cret@db.internal:5432/hydra?sslmode=require&password=also-secret')).to.deep.equal({ kind: 'postgres', location: 'db.internal:5432/hydra' });
    expect(describeDsn('postgresql://db.internal/hydra')).to.deep.equal({ kind: 'postgres', location: 'db.internal/hydra' });
    expect(describeDsn('sqlite:///var/lib/tessera/db.sqlite?statement_timeout=5s')).to.deep.equal({ kind: 'sqlite', location: '/var/lib/tessera/db.sqlite' });
    expect(describeDsn('memory')).to.deep.equal({ kind: 'memory', location: 'in this process' });
  });
});
