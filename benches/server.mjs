// Beacons/s and webhooks/s through the Node handler on one core, with SQLite and with Redis,
// against the floor measured in the same run (server-target.mjs `floor`: a bare node:http
// server that parses the same body and commits a 2 KB row and a due row in one SQLite
// transaction). autocannon drives a server process pinned to CPU 0 (taskset) while it runs
// elsewhere. Every request is distinct (a new shopper, a new checkout), so nothing is a cheap
// duplicate. Prints a table, the ratios to the floor, and one BENCH-SERVER JSON line.
//
//   node benches/server.mjs [seconds] [--stores sqlite,redis] [--cpu-prof <dir>] [--baseline <checkout>]
//
// --baseline adds the handler of another build (a checkout built with scripts/build.mjs; bench.sh
// makes one of main) on SQLite, interleaved with the rest, so a change shows as a ratio.
// --cpu-prof runs each target under `node --cpu-prof`, its profile written to <dir> on exit.
import { spawn, execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { startRedis } from '../tests/server/redis-server.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const seconds = Number(args[0] && !args[0].startsWith('--') ? args[0] : 10);
const stores = option('--stores', 'sqlite,redis').split(',');
const profileDir = option('--cpu-prof', null);
const baselineDir = option('--baseline', null);

const checkout = readFileSync(new URL('../tests/fixtures/vectors/shopify/checkouts_create.json', import.meta.url), 'utf8')
  .replaceAll('"2021-12-31T19:00:00-05:00"', JSON.stringify(new Date().toISOString()));
export const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** A server-target.mjs process, pinned to CPU 0 where taskset exists. */
export async function target(kind, { redisUrl, profile = null } = {}) {
  const env = kind === 'baseline' ? { ...process.env, REKINDLE_BENCH_DIST: join(resolve(baselineDir), 'pkg', 'dist') } : process.env;
  const node = [...(profile ? ['--cpu-prof', '--cpu-prof-dir', profile, '--cpu-prof-name', `${kind}-${Date.now()}.cpuprofile`] : []),
    new URL('server-target.mjs', import.meta.url).pathname, kind, ...(redisUrl ? [redisUrl] : [])];
  const child = hasTaskset ? spawn('taskset', ['-c', '0', process.execPath, ...node], { env }) : spawn(process.execPath, node, { env });
  child.stderr.pipe(process.stderr);
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      const m = /READY (\S+)/.exec(String(d));
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`target exited ${code}`)));
  });
  return { url, pid: child.pid, stop: () => new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGTERM'); }) };
}

let n = 0;
export const beacon = () => {
  n += 1;
  return JSON.stringify({ v: 1, anonymousId: `anon-${process.pid}-${n}`, events: [{ id: `e-${n}`, at: new Date().toISOString(), type: 'abandoned', origin: 'storefront', cart: { token: `cart-${n}`, stage: 'cart', currency: 'USD', items: [{ title: 'Socks', quantity: 1, unitPrice: 1800 }], recoveryUrl: 'https://shop.example/cart' } }] });
};
export const webhook = () => {
  n += 1;
  return checkout.replace('"token": "123123123"', `"token": "bench-${process.pid}-${n}"`).replace('"cart_token": "eeafa272cebfd4b22385bc4b645e762c"', `"cart_token": "cart-${n}"`).replaceAll('603851970716743426', String(700000000000000000n + BigInt(n))).replace('"email": "example@email.com"', `"email": "shopper-${n}@example.com"`);
};
export const beaconRequest = (req) => ({ ...req, headers: { origin: 'https://shop.example', 'content-type': 'text/plain' }, body: beacon() });
export const webhookRequest = (req) => {
  const body = webhook();
  return {
    ...req,
    headers: { 'content-type': 'application/json', 'x-shopify-topic': 'checkouts/update', 'x-shopify-webhook-id': `wh-${process.pid}-${n}`, 'x-shopify-hmac-sha256': createHmac('sha256', 'bench-shopify-secret').update(body).digest('base64') },
    body,
  };
};

function run(url, path, setupRequest, duration) {
  return new Promise((resolve, reject) => {
    autocannon({ url: url + path, method: 'POST', connections: 8, duration, requests: [{ setupRequest }] }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/** CPU milliseconds (user + system) the process has used, from /proc (Linux); NaN elsewhere. */
export function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime in ticks of 10 ms (USER_HZ 100)
  } catch {
    return NaN;
  }
}

const ROUNDS = 3;
const ROUTES = { beacon: ['/beacon', beaconRequest], webhook: ['/webhooks/shopify', webhookRequest] };
/**
 * Every target up at once, and their runs interleaved (floor, handler, floor, handler, ...) in
 * ROUNDS rounds, so a machine whose load changes hits each alike. Besides req/s and latency,
 * each target's own CPU time per request: on a shared machine the steadier figure.
 */
async function measureAll(kinds, redisUrl) {
  const targets = {};
  try {
    for (const kind of kinds) targets[kind] = await target(kind, { redisUrl, profile: profileDir });
    return await interleaved(kinds, targets);
  } finally {
    // Also when one failed to start: none is left running.
    for (const t of Object.values(targets)) await t.stop();
  }
}

async function interleaved(kinds, targets) {
  const out = Object.fromEntries(kinds.map((k) => [k, Object.fromEntries(Object.keys(ROUTES).map((r) => [r, { requests: 0, seconds: 0, p50: [], p99: [], cpuMs: 0, non2xx: 0, errors: 0 }]))]));
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [route, [path, setup]] of Object.entries(ROUTES)) {
      for (const kind of kinds) {
        const before = cpuMs(targets[kind].pid);
        const r = await run(targets[kind].url, path, setup, Math.max(1, Math.round(seconds / ROUNDS)));
        const o = out[kind][route];
        o.cpuMs += cpuMs(targets[kind].pid) - before;
        o.requests += r.requests.total;
        o.seconds += r.duration;
        o.p50.push(r.latency.p50);
        o.p99.push(r.latency.p99);
        o.non2xx += r.non2xx;
        o.errors += r.errors;
      }
    }
  }
  return out;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const isMain = process.argv[1] && new URL(import.meta.url).pathname === process.argv[1];
if (isMain) {
  const redis = stores.includes('redis') ? await startRedis() : null;
  const results = await measureAll(['floor', ...stores, ...(baselineDir ? ['baseline'] : [])], redis?.url);
  await redis?.stop();
  const rows = [];
  const summary = {};
  for (const [kind, r] of Object.entries(results)) {
    for (const [route, name] of [['beacon', 'beacon'], ['webhook', 'shopify checkouts/update']]) {
      const figures = (x) => ({ reqPerSec: x.requests / x.seconds, p50Ms: median(x.p50), p99Ms: median(x.p99), cpuMsPerRequest: x.cpuMs / x.requests });
      const x = figures(r[route]);
      const f = figures(results.floor[route]);
      const ratio = x.reqPerSec / f.reqPerSec;
      const p99Ratio = x.p99Ms / f.p99Ms;
      const cpuRatio = f.cpuMsPerRequest / x.cpuMsPerRequest; // as a share of the floor's throughput
      const floor = kind === 'floor';
      rows.push({ server: floor ? 'floor (node:http + SQLite)' : kind === 'baseline' ? `handler, sqlite, baseline build` : `handler, ${kind}`, route: name, 'req/s': Math.round(x.reqPerSec), 'p50 ms': x.p50Ms, 'p99 ms': x.p99Ms,
        'CPU ms/req': x.cpuMsPerRequest.toFixed(3), 'vs floor req/s': floor ? '' : ratio.toFixed(2), 'vs floor CPU': floor ? '' : cpuRatio.toFixed(2),
        'vs floor p99': floor ? '' : p99Ratio.toFixed(2), non2xx: r[route].non2xx, errors: r[route].errors });
      summary[`${kind}.${route}`] = { ...x, ratio, p99Ratio, cpuRatio, non2xx: r[route].non2xx, errors: r[route].errors };
    }
  }
  console.log(`\nNode on ${hasTaskset ? 'one core (taskset -c 0)' : 'an unpinned process'}, 8 connections, ${seconds} s per row in ${ROUNDS} interleaved rounds; the floor in the same run. vs floor CPU: the floor's CPU ms per request over the handler's (a share of the floor's throughput, read from each process's own CPU time)`);
  console.table(rows);
  console.log(`BENCH-SERVER ${JSON.stringify(summary)}`);
}
