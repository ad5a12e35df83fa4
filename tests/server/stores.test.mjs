// Memory and SQLite against the store contract.
import { join } from 'node:path';
import { removeDir, server, serverNode, tempDir } from './harness.mjs';
import { storeContract } from './store-contract.mjs';

storeContract('memory', async () => ({ store: server.memoryStore() }));
storeContract('sqlite', async () => {
  const dir = await tempDir();
  return { store: await serverNode.sqliteStore(join(dir, 'contract.db')), cleanup: () => removeDir(dir) };
});
