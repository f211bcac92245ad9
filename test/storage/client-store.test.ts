import { expect } from 'chai';
import { describeEachBackend } from '../helpers/databases.js';
import { clientFixture as client, useStorage } from './storage.js';


describeEachBackend('ClientStore contract', (backend) => {
  const ctx = useStorage(backend);

  it('creates, reads back every field, and refuses a taken id', async () => {
    const c = client('store-a', { owner: 'team-a', secret_hash: null });
    expect(await ctx.storage.clients.create(c)).to.equal(true);
    expect(await ctx.storage.clients.get('store-a')).to.deep.equal(c);
    expect(await ctx.storage.clients.create(client('store-a'))).to.equal(false);
  });

  it('answers undefined for an unknown id', async () => {
    expect(await ctx.storage.clients.get('nobody')).to.equal(undefined);
  });

  it('replaces a client but keeps its created_at, and says false for an unknown one', async () => {
    await ctx.storage.clients.create(client('store-b'));
    const changed = client('store-b', { client_name: 'renamed', created_at: 1, updated_at: 1_800_000_000_000 });
    expect(await ctx.storage.clients.replace(changed)).to.equal(true);
    const back = await ctx.storage.clients.get('store-b');
    expect(back?.client_name).to.equal('renamed');
    expect(back?.created_at).to.equal(1_700_000_000_000);
    expect(back?.updated_at).to.equal(1_800_000_000_000);
    expect(await ctx.storage.clients.replace(client('store-none'))).to.equal(false);
  });

  it('deletes once', async () => {
    await ctx.storage.clients.create(client('store-c'));
    expect(await ctx.storage.clients.delete('store-c')).to.equal(true);
    expect(await ctx.storage.clients.delete('store-c')).to.equal(false);
    expect(await ctx.storage.clients.get('store-c')).to.equal(undefined);
  });

  it('lists in id order with keyset pagination, a total, and filters', async () => {
    for (const id of ['page-3', 'page-1', 'page-2', 'page-4', 'page-5']) {
      await ctx.storage.clients.create(client(id, { owner: 'pager', client_name: id === 'page-2' ? 'special' : 'plain' }));
    }
    const seen: string[] = [];
    let after: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await ctx.storage.clients.list({ limit: 2, after, owner: 'pager' });
      expect(page.total).to.equal(5);
      seen.push(...page.items.map((c) => c.client_id));
      after = page.nextAfter;
      if (!after) break;
    }
    expect(seen).to.deep.equal(['page-1', 'page-2', 'page-3', 'page-4', 'page-5']);
    const special = await ctx.storage.clients.list({ limit: 10, name: 'special', owner: 'pager' });
    expect(special.items.map((c) => c.client_id)).to.deep.equal(['page-2']);
    expect(special.total).to.equal(1);
    expect(special.nextAfter).to.equal(undefined);
  });

  it('keeps ids that differ only in case apart', async () => {
    await ctx.storage.clients.create(client('CaseId'));
    expect(await ctx.storage.clients.create(client('caseid'))).to.equal(true);
    expect((await ctx.storage.clients.get('CaseId'))?.client_id).to.equal('CaseId');
  });
});
