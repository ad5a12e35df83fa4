// Snippets come from tested code. Every fenced `js` block in the READMEs below is byte-identical
// to a file in examples/snippets/ (or is marked `<!-- not-code -->` on the line before its
// fence: a type listing, never a program), and every file there is run here, as a merchant
// would run it: in a fresh directory where `rekindle` is this repository's pkg/ (built), as its
// own process (Node), or bundled as wrangler bundles it in workerd (Cloudflare).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { Miniflare } from 'miniflare';
import { startPostgres } from './postgres-server.mjs';
import { startRedis } from './redis-server.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const snippets = join(root, 'examples', 'snippets');
const dist = join(root, 'pkg', 'dist');
const READMES = ['README.md', 'js-shim/server/README.md', 'pkg/README.md', 'js-shim/storefront/BEACON.md', 'docs/scaling.md'];
const NOT_CODE = '<!-- not-code -->';
const ENV = { REKINDLE_SALT: 'snippet-salt', SHOPIFY_SECRET: 'snippet-shopify', TICK_SECRET: 'snippet-tick', SENDGRID_KEY: 'SG.snippet', SHOP_ORIGIN: 'https://shop.example' };

/** The fenced `js` blocks of a markdown text: their code, line, and whether they are marked not-code. */
export function jsBlocks(markdown) {
  const lines = markdown.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i += 1) {
    const fence = /^```(\S*)/.exec(lines[i]);
    if (!fence) continue;
    const end = lines.indexOf('```', i + 1);
    assert.notEqual(end, -1, `unclosed fence at line ${i + 1}`);
    if (['js', 'javascript', 'mjs'].includes(fence[1])) {
      blocks.push({ line: i + 1, code: `${lines.slice(i + 1, end).join('\n')}\n`, marked: lines[i - 1]?.trim() === NOT_CODE });
    }
    i = end;
  }
  return blocks;
}

test('every js block in the READMEs is a file of examples/snippets/, byte for byte', async () => {
  const files = new Map();
  for (const name of await readdir(snippets)) files.set(await readFile(join(snippets, name), 'utf8'), name);
  let checked = 0;
  for (const readme of READMES) {
    for (const block of jsBlocks(await readFile(join(root, readme), 'utf8'))) {
      if (block.marked) continue;
      assert.ok(files.has(block.code), `${readme}:${block.line}: this js block is no file of examples/snippets/ (copy it from the tested file, or mark a non-program ${NOT_CODE})`);
      checked += 1;
    }
  }
  assert.ok(checked >= 5, `${checked} blocks checked`);
});

test('the block check itself: a changed byte or an unmarked block is caught', () => {
  const [block] = jsBlocks('text\n```js\nconst a = 1;\n```\n');
  assert.deepEqual(block, { line: 2, code: 'const a = 1;\n', marked: false });
  assert.equal(jsBlocks(`${NOT_CODE}\n\`\`\`js\nx\n\`\`\`\n`)[0].marked, true);
  assert.deepEqual(jsBlocks('```sh\nnpm test\n```\n```toml\n[x]\n```\n'), [], 'other languages are not programs to check');
});

// ---------- running each snippet ----------

let sandbox;
let redis;
before(async () => {
  sandbox = await mkdtemp(join(tmpdir(), 'rekindle-snippets-'));
  await mkdir(join(sandbox, 'node_modules'));
  await symlink(join(root, 'pkg'), join(sandbox, 'node_modules', 'rekindle'), 'dir');
  for (const name of await readdir(snippets)) {
    // Deno names npm packages `npm:<name>`; Node resolves the same package by its bare name.
    const text = (await readFile(join(snippets, name), 'utf8')).replaceAll("'npm:rekindle", "'rekindle");
    await writeFile(join(sandbox, name), text);
  }
  redis = await startRedis();
});

after(async () => {
  await redis?.stop();
  await rm(sandbox, { recursive: true, force: true });
});

async function freePort() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** `node <file>` in the sandbox; resolves with its exit code and output once it exits. */
function run(file, env = {}, { onStdout } = {}) {
  const child = spawn(process.execPath, [file], { cwd: sandbox, env: { PATH: process.env.PATH, ...ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    onStdout?.(stdout);
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, exited };
}

async function until(what, check, timeoutMs = 20_000) {
  const started = Date.now();
  for (;;) {
    const value = await check().catch(() => null);
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('engine.mjs (README.md): a decision, then a typed error with its code and path', async () => {
  const { code, stdout, stderr } = await run('engine.mjs').exited;
  assert.equal(code, 0, stderr);
  const [summary, error] = stdout.trim().split('\n');
  assert.match(summary, /journey j_[0-9a-f]{16} started/);
  assert.equal(error, 'UNKNOWN_EVENT_TYPE $.type');
});

test('node-server.mjs: serves, ticks on request, reports the tick on /health; a loopback publicUrl stops it at start-up', async () => {
  const port = await freePort();
  const { child, exited } = run('node-server.mjs', { PORT: String(port), PUBLIC_URL: 'https://recover.example.com' });
  try {
    const base = `http://127.0.0.1:${port}`;
    const health = await until('the server', async () => (await fetch(`${base}/health`)).json());
    assert.deepEqual([health.ok, health.scheduler, health.due, health.lastTick], [true, 'tick', 0, null]);
    const ticked = await fetch(`${base}/tick`, { method: 'POST', headers: { authorization: `Bearer ${ENV.TICK_SECRET}` } });
    assert.deepEqual(await ticked.json(), { due: 0, sent: 0, failed: 0, retrying: 0 });
    assert.notEqual((await (await fetch(`${base}/health`)).json()).lastTick, null);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  const refused = await run('node-server.mjs', { PORT: String(port), PUBLIC_URL: 'http://127.0.0.1:8787' }).exited;
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /RekindleConfigError: publicUrl: http:\/\/127\.0\.0\.1:8787 is a loopback address/);
  assert.match(refused.stderr, /code: 'UNSAFE_PUBLIC_URL'/);
});

test('node-postgres.mjs (docs/scaling.md): two processes on one real PostgreSQL; a tick in one is seen by the other', async () => {
  const postgres = await startPostgres();
  const servers = [];
  try {
    for (const port of [await freePort(), await freePort()]) {
      servers.push({ base: `http://127.0.0.1:${port}`, ...run('node-postgres.mjs', { PORT: String(port), DATABASE_URL: postgres.url, PUBLIC_URL: 'https://recover.example.com' }) });
    }
    const [a, b] = servers;
    for (const s of servers) await until('the server', async () => (await fetch(`${s.base}/health`)).ok);
    const asked = Date.now(); // the tickers' own first ticks come 15 s after start
    const ticked = await fetch(`${a.base}/tick`, { method: 'POST', headers: { authorization: `Bearer ${ENV.TICK_SECRET}` } });
    assert.deepEqual(await ticked.json(), { due: 0, sent: 0, failed: 0, retrying: 0 });
    const [seenByA, seenByB] = await Promise.all(servers.map(async (s) => (await (await fetch(`${s.base}/health`)).json()).lastTick));
    assert.equal(seenByB, seenByA, 'the other process reads the tick from the shared database');
    assert.ok(Date.parse(seenByB) >= asked - 1000, `${seenByB} is the tick just asked for`);
  } finally {
    for (const s of servers) s.child.kill('SIGTERM');
    await Promise.all(servers.map((s) => s.exited));
    await postgres.stop();
  }
});

test('lambda.mjs: an EventBridge "Scheduled Event" ticks; an HTTP event is answered; both on a real Redis', async () => {
  await writeFile(join(sandbox, 'drive-lambda.mjs'), `
    import { handler } from './lambda.mjs';
    const scheduled = { version: '0', id: 'e', 'detail-type': 'Scheduled Event', source: 'aws.events', account: '123456789012', time: '2026-11-27T15:00:00Z', region: 'us-east-1', resources: ['arn:aws:events:us-east-1:123456789012:rule/rekindle-tick'], detail: {} };
    const tick = await handler(scheduled);
    const health = await handler({ version: '2.0', rawPath: '/health', rawQueryString: '', headers: { host: 'recover.example.com' }, requestContext: { http: { method: 'GET', sourceIp: '192.0.2.1' } } });
    console.log(JSON.stringify({ tick, status: health.statusCode, health: JSON.parse(health.body) }));
    process.exit(0);`);
  const { code, stdout, stderr } = await run('drive-lambda.mjs', { REDIS_URL: redis.url, PUBLIC_URL: 'https://recover.example.com' }).exited;
  assert.equal(code, 0, stderr);
  const out = JSON.parse(stdout);
  assert.deepEqual(out.tick, { due: 0, sent: 0, failed: 0, retrying: 0 });
  assert.equal(out.status, 200);
  assert.equal(typeof out.health.lastTick, 'string', 'the scheduled tick was recorded in Redis');
});

test('deno-cron.mjs: Deno.serve answers, the Deno.cron job ticks (under a stand-in for the Deno global: no Deno on this machine)', async () => {
  await writeFile(join(sandbox, 'drive-deno.mjs'), `
    const served = [];
    const crons = [];
    globalThis.Deno = {
      env: { toObject: () => ({ ...process.env }) },
      serve: (handler) => served.push(handler),
      cron: (name, schedule, job) => crons.push({ name, schedule, job }),
    };
    await import('./deno-cron.mjs');
    const info = { remoteAddr: { transport: 'tcp', hostname: '203.0.113.7', port: 52000 } }; // what Deno.serve passes
    const health = async () => (await served[0](new Request('https://recover.example.com/health'), info)).json();
    const before = await health();
    await crons[0].job();
    const after = await health();
    console.log(JSON.stringify({ crons: crons.map((c) => [c.name, c.schedule]), before: before.lastTick, after: after.lastTick }));
    process.exit(0);`);
  const { code, stdout, stderr } = await run('drive-deno.mjs', { REDIS_URL: redis.url, PUBLIC_URL: 'https://recover.example.com' }).exited;
  assert.equal(code, 0, stderr);
  const out = JSON.parse(stdout);
  assert.deepEqual(out.crons, [['rekindle tick', '* * * * *']]);
  assert.equal(typeof out.after, 'string', 'the cron job ticked and the tick was recorded');
});

test('cloudflare-worker.mjs: bundled as wrangler bundles it, in workerd; /health says alarms schedule; a loopback publicUrl fails its requests', async () => {
  const { outputFiles } = await esbuild.build({
    entryPoints: [join(sandbox, 'cloudflare-worker.mjs')],
    bundle: true, write: false, format: 'esm', platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    alias: { 'rekindle/server/cloudflare': join(dist, 'server', 'cloudflare.js'), rekindle: join(dist, 'workerd.js') },
    external: ['./rekindle_bg.wasm', './report_bg.wasm', 'cloudflare:*'],
    logLevel: 'silent',
  });
  const wasm = await readFile(join(dist, 'rekindle_bg.wasm'));
  const reportWasm = await readFile(join(dist, 'report_bg.wasm'));
  const worker = async (bindings) => {
    const mf = new Miniflare({
      modules: [
        { type: 'ESModule', path: join(dist, 'worker.js'), contents: outputFiles[0].text },
        { type: 'CompiledWasm', path: join(dist, 'rekindle_bg.wasm'), contents: wasm },
        { type: 'CompiledWasm', path: join(dist, 'report_bg.wasm'), contents: reportWasm },
      ],
      modulesRoot: dist,
      compatibilityDate: '2026-07-01',
      durableObjects: { REKINDLE: { className: 'RekindleContact', useSQLite: true } },
      bindings: { ...ENV, ...bindings },
    });
    await mf.ready;
    return mf;
  };
  const good = await worker({ PUBLIC_URL: 'https://recover.example.com' });
  try {
    const response = await good.dispatchFetch('https://recover.example.com/health');
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.deepEqual([body.ok, body.scheduler, body.due], [true, 'alarms', null]);
  } finally {
    await good.dispose();
  }
  const bad = await worker({ PUBLIC_URL: 'http://localhost:8787' });
  try {
    const response = await bad.dispatchFetch('https://recover.example.com/health');
    assert.equal(response.status, 500, 'the handler rejects: workerd answers 500');
    await response.text();
  } finally {
    await bad.dispose();
  }
});
