import { expect } from 'chai';
import { startStack, type Stack } from '../login-consent-app/support.js';
import { CI_RUNS, CI_SEED } from './ci.js';
import { APP_ROUTES, appFixture } from './login-app.js';
import { rowCounter, type RowCounter } from './rows.js';
import { fuzzOperation, reproduce, type Target } from './runner.js';

/*
 * The bounded fuzz run of the login-consent app's form routes, in process
 * with Tessera as `npm start` wires them (test/login-consent-app/support.ts,
 * which runs Tessera on SQLite). The app answers errors as HTML pages, so the
 * properties are: never 5xx, no internals in the body, no Tessera row written
 * on a 4xx, and both still healthy.
 */

describe('fuzz: the login-consent app form routes', () => {
  let stack: Stack | undefined;
  let rows: RowCounter | undefined;
  let target: Target;

  before(async function () {
    this.timeout(60_000);
    stack = await startStack();
    const s = stack;
    rows = await rowCounter(s.tessera.config.dsn);
    target = {
      urls: { public: s.tessera.publicUrl, admin: s.tessera.adminUrl, app: s.appUrl },
      rows,
      fixture: (op) => appFixture(s.tessera, s.appUrl, s.alice.id, op),
    };
  });
  after(async () => {
    await rows?.close();
    await stack?.stop();
  });

  for (const op of APP_ROUTES) {
    it(`${op.method} ${op.path} never answers 5xx, shows no internals and writes nothing in Tessera on a 4xx`, async function () {
      this.timeout(120_000);
      const { finding } = await fuzzOperation(op, target, { seed: CI_SEED, runs: CI_RUNS });
      expect(finding, finding && reproduce(finding, 'sqlite')).to.equal(undefined);
    });
  }
});
