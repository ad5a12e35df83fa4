// Packaging test: tests what users install, not the source tree. It packs pkg/ with npm,
// installs the tarball into a scratch project, and from there loads the package in every
// runtime we ship an entry for (Node ESM, Node CJS, workerd, Deno, Chromium). Each runtime runs
// the same engine calls (fixtures/exercise.mjs) and reports; the assertions live here.
//
//   node scripts/build.mjs && node tests/packaging/run.mjs
//
// REKINDLE_PACKAGING_DENO=fallback skips real Deno and runs the fallback path.
// REKINDLE_KEEP_SCRATCH=1 keeps the temp dirs for inspection.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';
import { Miniflare } from 'miniflare';
import { chromium } from 'playwright-core';
import { denoEnv, realDeno } from '../support/deno.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const pkgDir = join(repo, 'pkg');
const fixtures = join(here, 'fixtures');
const CHILD_TIMEOUT_MS = 60_000;
const TEST_TIMEOUT_MS = 90_000;

const run = promisify(execFile);
const cleanups = []; // undone in reverse order in after()
let tarball; // { path, files }
let project; // the scratch project dir
let installed; // the installed package's package.json

// ---------- scratch project ----------

async function makeTempDir(label) {
  const dir = await mkdtemp(join(tmpdir(), `rekindle-packaging-${label}-`));
  if (!process.env.REKINDLE_KEEP_SCRATCH) cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function npm(args, cwd) {
  try {
    return await run('npm', args, { cwd, timeout: CHILD_TIMEOUT_MS, maxBuffer: 16 << 20 });
  } catch (error) {
    throw new Error(`npm ${args.join(' ')} failed in ${cwd}:\n${error.stderr || error.message}`);
  }
}

async function packPackage() {
  if (!existsSync(join(pkgDir, 'dist', 'rekindle_bg.wasm'))) {
    throw new Error('pkg/dist is missing or incomplete: run `node scripts/build.mjs` first');
  }
  const dir = await makeTempDir('tarball');
  const { stdout } = await npm(['pack', '--json', '--pack-destination', dir], pkgDir);
  const [packed] = JSON.parse(stdout);
  return { path: join(dir, packed.filename), files: packed.files.map((f) => f.path) };
}

async function installInScratchProject(tarballPath) {
  const dir = await makeTempDir('project');
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'scratch', private: true }, null, 2));
  await npm(['install', '--no-audit', '--no-fund', tarballPath], dir);
  for (const name of ['exercise.mjs', 'node-esm.mjs', 'node-cjs.cjs', 'worker.mjs', 'durable-object-worker.mjs', 'deno.mjs']) {
    await copyFile(join(fixtures, name), join(dir, name));
  }
  return dir;
}

before(async () => {
  tarball = await packPackage();
  project = await installInScratchProject(tarball.path);
  installed = JSON.parse(await readFile(join(project, 'node_modules', 'rekindle', 'package.json'), 'utf8'));
});

after(async () => {
  for (const undo of cleanups.reverse()) await undo();
});

// ---------- shared helpers ----------

/** Every file path the manifest points at (exports targets, main, module, types). */
function manifestTargets(manifest) {
  const targets = [manifest.main, manifest.module, manifest.types];
  const walk = (node) => {
    if (typeof node === 'string') targets.push(node);
    else if (node && typeof node === 'object') Object.values(node).forEach(walk);
  };
  walk(manifest.exports);
  return [...new Set(targets.filter(Boolean).map((p) => p.replace(/^\.\//, '')))];
}

/** The installed file `exports["."]` names for a condition, as a project path. */
function exportFor(condition) {
  return `node_modules/rekindle/${installed.exports['.'][condition].replace(/^\.\//, '')}`;
}

// The entry built for each runtime. Stated here, not read from package.json, so that a
// condition pointing at the wrong file fails even when that file happens to load.
const ENTRY = {
  nodeImport: 'node_modules/rekindle/dist/node.js',
  nodeRequire: 'node_modules/rekindle/dist/node.cjs',
  workerd: 'node_modules/rekindle/dist/workerd.js',
  deno: 'node_modules/rekindle/dist/deno.js',
  browser: 'node_modules/rekindle/dist/browser.js',
};

/** Run a child that prints `REPORT <json>`; returns the parsed report. */
async function childReport(command, args, options = {}) {
  let out;
  try {
    out = await run(command, args, { cwd: project, timeout: CHILD_TIMEOUT_MS, maxBuffer: 16 << 20, ...options });
  } catch (error) {
    throw new Error(`${command} ${args.join(' ')} failed:\n${error.stdout ?? ''}${error.stderr ?? error.message}`);
  }
  const line = out.stdout.split('\n').find((l) => l.startsWith('REPORT '));
  assert.ok(line, `no REPORT line from ${command}; stdout:\n${out.stdout}\nstderr:\n${out.stderr}`);
  return JSON.parse(line.slice('REPORT '.length));
}

/** The package file a bundle pulled in for 'rekindle', from esbuild's metafile. */
function bundledEntry(metafile) {
  const inputs = Object.keys(metafile.inputs).filter((p) => p.includes('node_modules/rekindle/'));
  assert.equal(inputs.length, 1, `expected one rekindle file in the bundle, got ${inputs.join(', ')}`);
  return inputs[0];
}

/** The assertions every runtime must pass; `entry` is the package file it should have loaded. */
function assertReport(report, entry) {
  assert.equal(report.version, installed.version, 'version() matches the installed package');
  assert.ok(report.resolved?.endsWith(entry), `'rekindle' resolved to ${report.resolved}, expected …${entry}`);

  assert.deepEqual(report.decision, { scheduleCount: 5, stateType: 'string', stateHasSchemaVersion: true });

  const invalid = report.invalid.threw;
  assert.ok(invalid, 'validatePolicy(\'{"version":5}\') must reject (in the report module, loaded on this first call)');
  assert.equal(invalid.isError, true, 'the thrown value is an Error');
  assert.equal(invalid.name, 'RekindleError');
  assert.equal(invalid.code, 'INVALID_FIELD');
  assert.equal(invalid.path, '$.version');

  const trap = report.trap.threw;
  assert.ok(trap, 'debugTrap() must throw');
  assert.equal(trap.isError, true);
  assert.equal(trap.name, 'RekindleError');
  assert.equal(trap.code, 'ENGINE_TRAPPED');

  assert.ok(report.afterTrap.returned, `the call after a trap failed: ${JSON.stringify(report.afterTrap.threw)}`);
  assert.deepEqual(report.afterTrap.returned, report.decision, 'the call after a trap decides as before');
}

// ---------- the tarball ----------

test('tarball ships every file package.json points at', () => {
  const missing = manifestTargets(installed).filter((file) => !tarball.files.includes(file));
  assert.deepEqual(missing, [], 'files named by package.json but absent from the tarball');
});

// ---------- Node ----------

test('Node ESM: import from rekindle', { timeout: TEST_TIMEOUT_MS }, async () => {
  const report = await childReport(process.execPath, ['node-esm.mjs']);
  assertReport(report, ENTRY.nodeImport);
});

test('Node CJS: require(rekindle)', { timeout: TEST_TIMEOUT_MS }, async () => {
  const report = await childReport(process.execPath, ['node-cjs.cjs']);
  assertReport(report, ENTRY.nodeRequire);
});

// ---------- workerd ----------

/** esbuild plugin doing what wrangler does with .wasm imports: copy the file, keep the import. */
function wasmAsModule(outDir) {
  return {
    name: 'wasm-as-module',
    setup(build) {
      build.onResolve({ filter: /\.wasm$/ }, async (args) => {
        const file = join(args.resolveDir, args.path);
        await copyFile(file, join(outDir, basename(file)));
        return { path: `./${basename(file)}`, external: true };
      });
    },
  };
}

async function bundleWorker(source = 'worker.mjs') {
  const outDir = join(project, `${basename(source, '.mjs')}-dist`);
  await mkdir(outDir, { recursive: true });
  const { metafile } = await esbuild.build({
    absWorkingDir: project,
    entryPoints: [source],
    outfile: join(outDir, 'worker.js'),
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    plugins: [wasmAsModule(outDir)],
    external: ['cloudflare:*'], // workerd's own modules, as wrangler leaves them
    metafile: true,
    logLevel: 'silent',
  });
  return { script: join(outDir, 'worker.js'), metafile };
}

test('workerd (Miniflare): bundled like wrangler', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { script, metafile } = await bundleWorker();
  const entry = bundledEntry(metafile);
  const mf = new Miniflare({
    host: '127.0.0.1',
    port: 0,
    scriptPath: script,
    modulesRoot: dirname(script), // module names are relative to this (default: cwd)
    modules: true,
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: '2025-06-01', // no nodejs_compat: the entry must not need it
  });
  try {
    const response = await mf.dispatchFetch('http://localhost/');
    const body = await response.text();
    assert.equal(response.status, 200, body);
    assertReport({ ...JSON.parse(body), resolved: entry }, ENTRY.workerd);
  } finally {
    await mf.dispose();
  }
});

test('workerd (Miniflare): rekindle/server/cloudflare, its Durable Object class and store', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { script, metafile } = await bundleWorker('durable-object-worker.mjs');
  const files = Object.keys(metafile.inputs).filter((p) => p.includes('node_modules/rekindle/')).map((p) => p.replace(/^.*node_modules\/rekindle\//, ''));
  assert.deepEqual(files.sort(), ['dist/server/cloudflare.js', 'dist/workerd.js'], 'the workerd condition picked both entries');
  const mf = new Miniflare({
    host: '127.0.0.1',
    port: 0,
    scriptPath: script,
    modulesRoot: dirname(script),
    modules: true,
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: '2025-06-01',
    durableObjects: { REKINDLE: { className: 'RekindleContact', useSQLite: true } },
  });
  try {
    const response = await mf.dispatchFetch('http://localhost/');
    const body = await response.text();
    assert.equal(response.status, 200, body);
    assert.deepEqual(JSON.parse(body), {
      committed: true, again: false, loaded: { state: 'state-1', version: 1 }, resolved: 'c_packaged', due: ['a1'],
    });
  } finally {
    await mf.dispose();
  }
});

// ---------- Deno ----------

async function runInRealDeno(bin) {
  const env = denoEnv();
  // Offline and read-only: Deno resolves 'rekindle' from node_modules with the `deno` condition.
  const args = ['run', '--no-lock', '--no-remote', '--cached-only', `--allow-read=${project}`, 'deno.mjs'];
  return childReport(bin, args, { env });
}

/** Without Deno: bundle for the `deno` condition, prove it needs no Node built-ins, run it on Node. */
async function runDenoBundleOnNode() {
  const outDir = join(project, 'deno-dist');
  await mkdir(outDir, { recursive: true });
  const outfile = join(outDir, 'deno.bundle.mjs');
  const { metafile } = await esbuild.build({
    absWorkingDir: project,
    entryPoints: ['deno.mjs'],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['deno'],
    external: ['node:*'], // kept visible so the check below can name them
    metafile: true,
    logLevel: 'silent',
  });
  const builtins = Object.values(metafile.outputs).flatMap((o) => o.imports.map((i) => i.path)).filter((p) => p.startsWith('node:'));
  assert.deepEqual(builtins, [], 'the deno bundle imports Node built-ins');
  // The entry fetches new URL('./rekindle_bg.wasm', import.meta.url): put the wasm beside the bundle.
  await copyFile(join(project, 'node_modules', 'rekindle', 'dist', 'rekindle_bg.wasm'), join(outDir, 'rekindle_bg.wasm'));
  const runner = join(fixtures, 'deno-fallback-runner.mjs');
  const report = await childReport(process.execPath, [runner, pathToFileURL(outfile).href]);
  return { ...report, resolved: bundledEntry(metafile) };
}

test('Deno: the deno export', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const deno = process.env.REKINDLE_PACKAGING_DENO === 'fallback' ? { why: 'REKINDLE_PACKAGING_DENO=fallback' } : await realDeno();
  let report;
  if (deno.bin) {
    t.diagnostic(`deno: real Deno (${deno.about})`);
    report = await runInRealDeno(deno.bin);
  } else {
    t.diagnostic(`deno: FALLBACK (esbuild bundle for the deno condition, run on Node) because ${deno.why}`);
    report = await runDenoBundleOnNode();
  }
  assertReport(report, ENTRY.deno);
});

// ---------- Chromium ----------

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

/** A static server for the scratch project on 127.0.0.1; records the paths it served. */
async function serveProject() {
  const served = [];
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url, 'http://127.0.0.1').pathname);
    const file = join(project, path);
    if (!file.startsWith(project + sep)) return response.writeHead(403).end();
    try {
      const body = await readFile(file);
      served.push(path);
      response.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((ready) => server.listen(0, '127.0.0.1', ready));
  const stop = () => new Promise((done) => { server.closeAllConnections(); server.close(done); });
  return { origin: `http://127.0.0.1:${server.address().port}`, served, stop };
}

/** The page: an import map sends 'rekindle' to the package's `browser` export. */
function browserPage() {
  const importMap = { imports: { rekindle: `/${exportFor('browser')}` } };
  return `<!doctype html>
<link rel="icon" href="data:,">
<script type="importmap">${JSON.stringify(importMap)}</script>
<script type="module">
  import { init, Engine, validatePolicy, debugTrap, version } from 'rekindle';
  import { exercise } from './exercise.mjs';
  exercise({ init, Engine, validatePolicy, debugTrap, version }).then(
    (report) => { window.report = { ...report, resolved: import.meta.resolve('rekindle') }; },
    (error) => { window.report = { failed: String(error?.stack ?? error) }; },
  );
</script>`;
}

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

test('Chromium: the browser export via an import map', { timeout: TEST_TIMEOUT_MS }, async () => {
  await writeFile(join(project, 'index.html'), browserPage());
  const server = await serveProject();
  let browser;
  try {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const page = await browser.newPage();
    const errors = []; // includes console warnings: a wrong wasm MIME type only warns
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('console', (message) => {
      if (['error', 'warning'].includes(message.type())) errors.push(`console.${message.type()}: ${message.text()}`);
    });
    await page.goto(`${server.origin}/index.html`);
    await page.waitForFunction(() => window.report, null, { timeout: 30_000 }).catch(() => {
      throw new Error(`the page produced no report; page errors: ${errors.join('; ') || 'none'}`);
    });
    const report = await page.evaluate(() => window.report);
    assert.equal(report.failed, undefined, report.failed);
    assertReport(report, ENTRY.browser);
    assert.ok(server.served.includes('/node_modules/rekindle/dist/rekindle_bg.wasm'), 'the wasm came from the package');
    assert.deepEqual(errors, [], 'page errors and console warnings');
  } finally {
    await browser?.close();
    await server.stop();
  }
});
