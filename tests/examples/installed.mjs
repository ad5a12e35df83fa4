// An example as a merchant's engineer runs it: its files copied into a scratch project whose
// node_modules/rekindle is the built package (pkg/, with dist/ from scripts/build.mjs), and
// whose other dependencies are the workspace's own installs. The example's imports resolve as
// they would after `npm install` (a linked package resolves its own imports from its real
// path, so rekindle finds better-sqlite3 and ioredis in the workspace's node_modules).
import { cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));

/** A scratch copy of examples/<name>; `dependencies` are linked from the workspace. `remove()` deletes it. */
export async function exampleProject(name, dependencies = []) {
  if (!existsSync(join(repo, 'pkg', 'dist', 'server', 'node.js'))) {
    throw new Error('pkg/dist is missing: run `node scripts/build.mjs` first');
  }
  const dir = await mkdtemp(join(tmpdir(), `rekindle-example-${name}-`));
  await cp(join(repo, 'examples', name), dir, { recursive: true });
  await mkdir(join(dir, 'node_modules'));
  await symlink(join(repo, 'pkg'), join(dir, 'node_modules', 'rekindle'), 'dir');
  for (const dependency of dependencies) {
    await symlink(join(repo, 'node_modules', dependency), join(dir, 'node_modules', dependency), 'dir');
  }
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Resolves once `condition()` holds; rejects with `what` after `timeoutMs`. */
export async function eventually(condition, what, { timeoutMs = 15_000, everyMs = 50 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
