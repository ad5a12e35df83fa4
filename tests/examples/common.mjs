// Shared by the example tests (tests/examples/*.test.mjs): each example is copied into a scratch
// project with the package installed from an `npm pack` tarball, as a merchant would install it,
// then started in the runtime it targets. Helpers here are general; the tests hold the checks.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { shopifySample } from '../server/harness.mjs';

const run = promisify(execFile);
export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const examplesDir = join(repo, 'examples');
const NPM_TIMEOUT_MS = 120_000;

export const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

async function npm(args, cwd) {
  try {
    return await run('npm', args, { cwd, timeout: NPM_TIMEOUT_MS, maxBuffer: 16 << 20 });
  } catch (error) {
    throw new Error(`npm ${args.join(' ')} failed in ${cwd}:\n${error.stderr || error.message}`);
  }
}

let packed; // one tarball per test process
/** `npm pack` of pkg/ (built first by scripts/build.mjs); the tarball's path. */
export function packRekindle() {
  packed ??= (async () => {
    if (!existsSync(join(repo, 'pkg', 'dist', 'rekindle_bg.wasm'))) throw new Error('pkg/dist is missing: run `node scripts/build.mjs` first');
    const dir = await mkdtemp(join(tmpdir(), 'rekindle-example-tarball-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true })); // one per test file's process
    const { stdout } = await npm(['pack', '--json', '--pack-destination', dir], join(repo, 'pkg'));
    return join(dir, JSON.parse(stdout)[0].filename);
  })();
  return packed;
}

/**
 * Copies examples/<name> into a scratch directory and installs its dependencies there: `rekindle`
 * from the tarball instead of the registry, the example's other `dependencies` at the versions
 * it declares (from npm's cache when it has them). `devDependencies` (deploy tools such as
 * wrangler) are left out: the tests start the runtime themselves, and so are the dependencies
 * named in `provided` (a framework the test stands in for, such as next). Returns the directory
 * and a `remove()`; REKINDLE_KEEP_SCRATCH=1 keeps it for inspection.
 */
export async function installExample(name, { provided = [] } = {}) {
  const source = join(examplesDir, name);
  const dir = await mkdtemp(join(tmpdir(), `rekindle-example-${name}-`));
  await cp(source, dir, { recursive: true, filter: (path) => !/(^|\/)(node_modules|\.vercel|\.wrangler|\.next)(\/|$)/.test(relative(source, path)) });
  const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
  const { rekindle, ...others } = manifest.dependencies ?? {};
  assert.ok(rekindle, `examples/${name}/package.json must depend on rekindle`);
  delete manifest.devDependencies;
  manifest.dependencies = {};
  await writeFile(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  const specs = [await packRekindle(), ...Object.entries(others).filter(([pkg]) => !provided.includes(pkg)).map(([pkg, version]) => `${pkg}@${version}`)];
  await npm(['install', '--no-audit', '--no-fund', '--prefer-offline', ...specs], dir);
  return { dir, remove: () => (process.env.REKINDLE_KEEP_SCRATCH ? undefined : rm(dir, { recursive: true, force: true })) };
}

/** Polls `check` every 50 ms; the time it took, or an error naming `what` after `timeoutMs`. */
export async function waitFor(what, check, timeoutMs = 15_000) {
  const startedAt = Date.now();
  while (!(await check())) {
    if (Date.now() - startedAt > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
  return Date.now() - startedAt;
}

/** The Shopify sample order, placed from checkout `token` by customer `customerId`. */
export async function orderForCheckout({ token, customerId }) {
  return (await shopifySample('orders_create'))
    .replace('"checkout_token": null', `"checkout_token": ${JSON.stringify(token)}`)
    .replaceAll('115310627314723954', customerId);
}

/**
 * A child process started with `spawn`, resolved once its output matches `ready` (a RegExp);
 * its first match is returned as `match`. `stop()` ends it by its pid and waits for the exit.
 * The output is kept in `output()` for failure messages.
 */
export async function startProcess(command, args, { cwd, env, ready, timeoutMs = 60_000 }) {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let seen = '';
  const exited = new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
  const match = await new Promise((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} was not ready after ${timeoutMs} ms:\n${seen}`)), timeoutMs);
    const onData = (chunk) => {
      seen += chunk;
      const found = ready.exec(seen);
      if (found) {
        clearTimeout(timer);
        resolveReady(found);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited (${code ?? signal}) before it was ready:\n${seen}`));
    });
  });
  return {
    match,
    output: () => seen,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Every fenced code block of examples/<name>/README.md, except shell sessions (```sh), must be
 * lines copied from one of the example's files, so the README shows the code the test runs.
 */
export async function assertReadmeQuotesExample(name) {
  const dir = join(examplesDir, name);
  const readme = await readFile(join(dir, 'README.md'), 'utf8');
  const files = [];
  const walk = async (at) => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'README.md') continue;
      const path = join(at, entry.name);
      if (entry.isDirectory()) await walk(path);
      else files.push({ path: relative(dir, path), lines: (await readFile(path, 'utf8')).split('\n') });
    }
  };
  await walk(dir);
  const blocks = [...readme.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].filter(([, lang]) => !['sh', 'console', 'text'].includes(lang));
  assert.ok(blocks.length > 0, `examples/${name}/README.md quotes no code`);
  for (const [, lang, body] of blocks) {
    const wanted = body.replace(/\n$/, '').split('\n');
    const found = files.some(({ lines }) => lines.some((_, at) => wanted.every((line, i) => lines[at + i] === line)));
    assert.ok(found, `examples/${name}/README.md has a \`\`\`${lang} block that is not copied from the example's files:\n${body}`);
  }
}
