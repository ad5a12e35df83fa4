// The template gallery as `rekindle preview` writes it, made once per test file into a fresh
// temporary directory: what the spam filter and the accessibility checker read.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export async function writeGallery() {
  const dir = await mkdtemp(join(tmpdir(), 'rekindle-gallery-'));
  execFileSync('cargo', ['run', '--quiet', '--bin', 'rekindle', '--', 'preview', dir], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const entries = JSON.parse(await readFile(join(dir, 'messages.json'), 'utf8'));
  return { dir, entries, remove: () => rm(dir, { recursive: true, force: true }) };
}
