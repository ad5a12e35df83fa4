// CPU milliseconds per request of the server handler in workerd (the Workers free plan allows
// 10 ms). Inside a Worker the clock stands still while code runs, so the figure is taken from
// outside: the workerd process's own CPU time (utime + stime in /proc) across N requests,
// divided by N. That includes workerd's HTTP handling, so `GET /health` is measured the same
// way as a floor. Linux only.
//
//   node benches/workerd-cpu.mjs [requests]

import { createHmac } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'pkg', 'dist');
const N = Number(process.argv[2] ?? 1000);
const SECRETS = { salt: 'bench-salt', shopify: 'bench-shopify-secret' };

// The merchant's worker: the package's handler on the in-memory store, bundled as wrangler
// would ('rekindle' resolves to the workerd entry, the wasm stays a module import).
const worker = `
  import { createHandler, memoryStore } from ${JSON.stringify(join(dist, 'server', 'index.js'))};
  export default { fetch: createHandler({ store: memoryStore(), secrets: ${JSON.stringify(SECRETS)}, publicUrl: 'https://rekindle.bench' }) };`;
const { outputFiles } = await esbuild.build({
  stdin: { contents: worker, resolveDir: root, loader: 'js' },
  bundle: true, write: false, format: 'esm', platform: 'neutral',
  conditions: ['workerd', 'worker', 'browser'],
  alias: { rekindle: join(dist, 'workerd.js') },
  external: ['./rekindle_bg.wasm', './report_bg.wasm'],
  logLevel: 'silent',
});
const { Miniflare } = await import(pathToFileURL(join(root, 'node_modules', 'miniflare', 'dist', 'src', 'index.js')).href);
const mf = new Miniflare({
  modules: [
    { type: 'ESModule', path: join(dist, 'worker.js'), contents: outputFiles[0].text },
    { type: 'CompiledWasm', path: join(dist, 'rekindle_bg.wasm'), contents: readFileSync(join(dist, 'rekindle_bg.wasm')) },
    { type: 'CompiledWasm', path: join(dist, 'report_bg.wasm'), contents: readFileSync(join(dist, 'report_bg.wasm')) },
  ],
  modulesRoot: dist,
  host: '127.0.0.1',
  compatibilityDate: '2026-07-01',
});
await mf.ready;

/** The workerd processes Miniflare started (children of this process), by /proc. */
function workerdPids() {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').trim();
      const [, comm, rest] = /^\d+ \((.*)\) (.*)$/.exec(stat);
      return comm.startsWith('workerd') && Number(rest.split(' ')[1]) === process.pid;
    } catch {
      return false; // the process ended while we looked
    }
  });
}
const TICK_MS = 10; // USER_HZ is 100 on Linux
function cpuMs(pids) {
  return pids.reduce((sum, pid) => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return sum + (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime, stime
  }, 0);
}

const sample = readFileSync(join(root, 'tests', 'fixtures', 'vectors', 'shopify', 'checkouts_create.json'), 'utf8')
  .replace('"buyer_accepts_marketing": false', '"buyer_accepts_marketing": true');
function checkout(i) {
  const body = sample.replace('"token": "123123123"', `"token": "bench-${i}"`).replace('"email": "example@email.com"', `"email": "bench${i}@example.com"`)
    .replaceAll('603851970716743426', String(700000000000000000 + i));
  return ['http://127.0.0.1/webhooks/shopify', {
    method: 'POST',
    headers: {
      'content-type': 'application/json', 'x-shopify-topic': 'checkouts/create', 'x-shopify-webhook-id': `bench-${i}`,
      'x-shopify-hmac-sha256': createHmac('sha256', SECRETS.shopify).update(body).digest('base64'),
    },
    body,
  }];
}

async function measure(label, make) {
  for (let i = 0; i < 50; i += 1) await (await mf.dispatchFetch(...make(-1 - i))).arrayBuffer(); // warm up
  const pids = workerdPids();
  if (pids.length === 0) throw new Error('no workerd process found under this one');
  const before = cpuMs(pids);
  for (let i = 0; i < N; i += 1) {
    const response = await mf.dispatchFetch(...make(i));
    if (response.status !== 200) throw new Error(`${label}: ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
  }
  const perRequest = (cpuMs(pids) - before) / N;
  console.log(`${label}: ${perRequest.toFixed(3)} CPU ms/request in workerd (${N} requests, ±${(TICK_MS / N).toFixed(3)})`);
  return perRequest;
}

try {
  const floor = await measure('GET /health (HTTP floor)', () => ['http://127.0.0.1/health']);
  const webhook = await measure('POST /webhooks/shopify checkouts/create (HMAC, ingest, decide, commit)', checkout);
  console.log(`handler work above the floor: ${(webhook - floor).toFixed(3)} CPU ms/request`);
  console.log(`BENCH-WORKERD-CPU ${JSON.stringify({ requests: N, floorMs: floor, webhookMs: webhook, aboveFloorMs: webhook - floor })}`);
} finally {
  await mf.dispose();
}
