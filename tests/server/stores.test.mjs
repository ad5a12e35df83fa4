// Memory and SQLite against the store contract; a SQLite file from before due entries were leased.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { removeDir, server, serverNode, tempDir } from './harness.mjs';
import { storeContract } from './store-contract.mjs';

storeContract('memory', async () => ({ store: server.memoryStore() }));
storeContract('sqlite', async () => {
  const dir = await tempDir();
  return { store: await serverNode.sqliteStore(join(dir, 'contract.db')), cleanup: () => removeDir(dir) };
});

test('sqlite: a file made before due entries were leased gains the lease columns, and its entries are claimed', async () => {
  const dir = await tempDir();
  try {
    const path = join(dir, 'old.db');
    const old = new Database(path);
    // The due table as the store first created it: no owner, no lease_until.
    old.exec(`CREATE TABLE due (action_id TEXT PRIMARY KEY, contact_id TEXT NOT NULL, at INTEGER NOT NULL);
      INSERT INTO due VALUES ('old-1', 'c-old', 100), ('old-2', 'c-old', 200);`);
    old.close();
    const store = await serverNode.sqliteStore(path);
    assert.deepEqual(await store.claimDue(1000, 1, 'A', 5000), [{ id: 'old-1', contactId: 'c-old', at: 100 }]);
    assert.deepEqual(await store.claimDue(1000, 10, 'B', 5000), [{ id: 'old-2', contactId: 'c-old', at: 200 }]);
    assert.deepEqual(await store.claimDue(1000, 10, 'C', 5000), []);
    await store.close();
    const reopened = await serverNode.sqliteStore(path); // the columns are there now: nothing to add; the leases (to 6000) are kept
    assert.deepEqual(await reopened.claimDue(5999, 10, 'D', 5000), []);
    assert.deepEqual((await reopened.claimDue(6000, 10, 'D', 5000)).map((d) => d.id), ['old-1', 'old-2']);
    await reopened.close();
  } finally {
    await removeDir(dir);
  }
});

test('sqlite: a file made before sends were found by their provider id gains the column; its sends are found once finished', async () => {
  const dir = await tempDir();
  try {
    const path = join(dir, 'old-intents.db');
    const old = new Database(path);
    // The intents table as the store created it before it recorded the provider's name.
    old.exec(`CREATE TABLE intents (action_id TEXT PRIMARY KEY, contact_id TEXT NOT NULL, action TEXT,
        status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL DEFAULT 0,
        owner TEXT, lease_until INTEGER NOT NULL DEFAULT 0, provider_id TEXT, detail TEXT);
      INSERT INTO intents (action_id, contact_id, action) VALUES ('old-send', 'c-old', '{"type":"send"}');
      INSERT INTO intents (action_id, contact_id, status, provider_id) VALUES ('older-send', 'c-old', 'sent', 'SMolder');`);
    old.close();
    const store = await serverNode.sqliteStore(path);
    assert.equal(await store.providerMessage('twilio', 'SMolder'), null, 'a send finished before: its provider is not known');
    assert.ok(await store.claim('old-send', 'A', 10, 1000));
    assert.equal(await store.finish('old-send', 'A', { status: 'sent', provider: 'twilio', providerId: 'SMnew' }), true);
    assert.deepEqual(await store.providerMessage('twilio', 'SMnew'), { contactId: 'c-old', actionId: 'old-send' });
    await store.close();
  } finally {
    await removeDir(dir);
  }
});

test('sqlite: commits asked for together share one transaction, yet each answers for itself and is on disk when it answers', async () => {
  const dir = await tempDir();
  try {
    const path = join(dir, 'group.db');
    const store = await serverNode.sqliteStore(path);
    const change = (state, expected = 0) => ({ expected, state, schedule: [{ id: `due-${state}`, at: 1000 }], unschedule: [], intents: [], links: [`link:${state}`], settle: null, erase: false, purge: false, forget: false });
    // Two writers race for one contact from the same version, beside three other contacts.
    const answers = await Promise.all([
      store.commit('c-1', change('a')), store.commit('c-1', change('b')),
      store.commit('c-2', change('c')), store.commit('c-3', change('d')), store.commit('c-4', change('e')),
    ]);
    assert.deepEqual(answers, [true, false, true, true, true], 'one compare-and-set wins; a lost one costs the others nothing');
    // Read through another connection the moment the promises settled: committed, not pending.
    const other = new Database(path, { readonly: true });
    assert.deepEqual(other.prepare('SELECT id, state, version FROM contacts ORDER BY id').all(), [
      { id: 'c-1', state: 'a', version: 1 }, { id: 'c-2', state: 'c', version: 1 }, { id: 'c-3', state: 'd', version: 1 }, { id: 'c-4', state: 'e', version: 1 },
    ]);
    assert.deepEqual(other.prepare('SELECT action_id FROM due ORDER BY action_id').all().map((r) => r.action_id), ['due-a', 'due-c', 'due-d', 'due-e'], 'the loser left no due entry');
    assert.equal(await store.resolve(['link:b']), null, 'nor a link');
    other.close();
    // The next round builds on the winner's version.
    assert.deepEqual(await Promise.all([store.commit('c-1', change('f', 1)), store.commit('c-1', change('g', 1))]), [true, false]);
    assert.equal((await store.load('c-1')).state, 'f');
    await store.close();
  } finally {
    await removeDir(dir);
  }
});
