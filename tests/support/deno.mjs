// A real Deno for the tests: the npm `deno` package ships the binary, installed once into
// .cache/deno (gitignored, kept between runs). Used by the packaging test and the Deno example's.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DENO_VERSION = '2.9.6';
export const denoCache = join(repo, '.cache', 'deno');
const TIMEOUT_MS = 120_000;

/**
 * `{ bin, about }` for a working Deno binary, or `{ why }` when it cannot be installed or run.
 * Two test files may ask at once: the install runs under a lock file (flock), so they take turns.
 */
export async function realDeno() {
  const bin = join(denoCache, 'node_modules', '.bin', 'deno');
  const manifest = join(denoCache, 'node_modules', 'deno', 'package.json');
  const installed = async () => existsSync(bin) && JSON.parse(await readFile(manifest, 'utf8')).version === DENO_VERSION;
  try {
    let how = 'cached';
    if (!(await installed())) {
      await mkdir(denoCache, { recursive: true });
      await writeFile(join(denoCache, 'package.json'), JSON.stringify({ private: true }));
      const lock = join(denoCache, '.install.lock');
      await run('flock', [lock, 'npm', 'install', '--no-audit', '--no-fund', `deno@${DENO_VERSION}`], { cwd: denoCache, timeout: TIMEOUT_MS, maxBuffer: 16 << 20 });
      how = 'installed now';
    }
    const { stdout } = await run(bin, ['--version'], { timeout: TIMEOUT_MS });
    return { bin, about: `${stdout.split('\n')[0]}, ${how} in ${relative(repo, denoCache)}` };
  } catch (error) {
    return { why: `could not install or run Deno: ${error.message.replace(/\s+/g, ' ').slice(0, 240)}` };
  }
}

/** The environment for a Deno child: its cache under .cache/deno, no update check, no colour. */
export function denoEnv(extra = {}) {
  return { ...process.env, DENO_DIR: join(denoCache, 'deno-dir'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1', ...extra };
}
