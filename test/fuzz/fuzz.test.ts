import { expect } from 'chai';
import { openApiDocument } from '@tessera/sdk/openapi';
import { describeEachBackend } from '../helpers/databases.js';
import { useTessera } from '../helpers/tessera.js';
import { CI_RUNS, CI_SEED } from './ci.js';
import { FUZZ_CONFIG, makeFixture } from './fixture.js';
import { rowCounter, type RowCounter } from './rows.js';
import { fuzzOperation, reproduce, type Target } from './runner.js';
import { STRAY_ROUTES, operationsOf, type OpSpec } from './spec.js';

/*
 * The bounded fuzz run of `npm test` (issue 12): every operation of the
 * served OpenAPI document, plus stray routes on both ports, with a fixed
 * seed so a failure here fails the same way on every machine. The long run
 * is `npm run fuzz -- --runs N` (test/fuzz/main.ts).
 */

// The operations as the SDK builds the document, to name the tests; the run reads the served one.
const expected: readonly OpSpec[] = [...operationsOf(openApiDocument()), ...STRAY_ROUTES];

describeEachBackend('fuzz: every operation of the served OpenAPI document', (backend) => {
  const harness = useTessera(backend, FUZZ_CONFIG);
  let served: OpSpec[] = [];
  let rows: RowCounter | undefined;
  let target: Target;

  before(async () => {
    const doc: unknown = await (await fetch(`${harness.t.adminUrl}/.well-known/openapi.json`)).json();
    served = [...operationsOf(doc), ...STRAY_ROUTES];
    rows = await rowCounter(harness.db.dsn);
    const t = harness.t;
    target = { urls: { public: t.publicUrl, admin: t.adminUrl }, rows, fixture: () => makeFixture(t) };
  });
  after(async () => rows?.close());

  it('fuzzes every operation the admin port serves in its document', () => {
    expect(served.map((o) => o.key)).to.deep.equal(expected.map((o) => o.key));
  });

  for (const op of expected) {
    it(`${op.key}: ${op.method} ${op.path} never answers 5xx, shows no internals, answers errors as JSON and writes nothing on a 4xx`, async function () {
      this.timeout(120_000);
      const spec = served.find((o) => o.key === op.key) ?? op;
      const { finding } = await fuzzOperation(spec, target, { seed: CI_SEED, runs: CI_RUNS });
      expect(finding, finding && reproduce(finding, backend.name)).to.equal(undefined);
    });
  }
});
