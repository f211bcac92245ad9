import { expect } from 'chai';
import { describeEachBackend } from '../helpers/databases.js';
import { clientFixture, useStorage } from './storage.js';

/*
 * Subjects login apps forced for pairwise clients (Hydra's obfuscated
 * authentication sessions): what an id_token_hint carrying one is matched
 * against (tokens/subject.ts hintNamesUser).
 */

describeEachBackend('forced subjects', (backend) => {
  const ctx = useStorage(backend);

  it('keeps the latest forced subject per client and user, and names a user only when exactly one has it', async () => {
    const { forcedSubjects } = ctx.storage;
    await forcedSubjects.save('app', 'alice', 'f-1');
    expect(await forcedSubjects.subjectOf('app', 'f-1')).to.equal('alice');
    expect(await forcedSubjects.subjectOf('other-app', 'f-1'), 'another client').to.equal(undefined);

    await forcedSubjects.save('app', 'alice', 'f-2');
    expect(await forcedSubjects.subjectOf('app', 'f-1'), 'replaced').to.equal(undefined);
    expect(await forcedSubjects.subjectOf('app', 'f-2')).to.equal('alice');

    await forcedSubjects.save('app', 'bob', 'f-2');
    expect(await forcedSubjects.subjectOf('app', 'f-2'), 'given to two users: names neither').to.equal(undefined);
  });

  it('go with their client', async () => {
    const { clients, forcedSubjects } = ctx.storage;
    expect(await clients.create(clientFixture('doomed'))).to.equal(true);
    await forcedSubjects.save('doomed', 'carol', 'f-carol');
    expect(await clients.delete('doomed')).to.equal(true);
    expect(await forcedSubjects.subjectOf('doomed', 'f-carol')).to.equal(undefined);
  });
});
