// A beacon flood from one address against the Node handler with its default limits (SQLite,
// behind one trusted proxy: `trustProxy: { hops: 1 }`), while legitimate shoppers beacon
// from other addresses. Prints how the flood is answered (429s per second, how many got
// through) and what share of the legitimate beacons were still accepted, and how fast.
// The server runs in its own process, pinned to CPU 0 when taskset exists.
//
//   node benches/flood.mjs [seconds]
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

if (process.argv[2] === '--serve') {
  const { createServer } = await import('node:http');
  const dist = new URL('../pkg/dist/', import.meta.url);
  const server = await import(new URL('server/index.js', dist));
  const node = await import(new URL('server/node.js', dist));
  const store = await node.sqliteStore(join(mkdtempSync(join(tmpdir(), 'rekindle-flood-')), 'flood.db'));
  const handler = server.createHandler({
    store,
    secrets: { salt: 'bench-salt', tick: 'bench-tick' },
    publicUrl: 'https://rekindle.bench',
    beacon: { allowedOrigins: ['https://shop.example'] }, // the default limits
  });
  const http = createServer(node.toNodeListener(handler, { trustProxy: { hops: 1 } }));
  http.listen(0, '127.0.0.1', () => console.log(`READY http://127.0.0.1:${http.address().port}`));
  process.on('SIGTERM', () => http.close(async () => {
    await store.close();
    process.exit(0);
  }));
} else {
  const seconds = Number(process.argv[2] ?? 10);
  const hasTaskset = (() => {
    try {
      execFileSync('taskset', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  const argv = [new URL(import.meta.url).pathname, '--serve'];
  const child = hasTaskset ? spawn('taskset', ['-c', '0', process.execPath, ...argv]) : spawn(process.execPath, argv);
  child.stderr.pipe(process.stderr);
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      const m = /READY (\S+)/.exec(String(d));
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`flood target exited ${code}`)));
  });

  let n = 0;
  const beacon = () => {
    n += 1;
    return JSON.stringify({ v: 1, anonymousId: `anon-${n}`, events: [{ id: `e-${n}`, at: new Date().toISOString(), type: 'abandoned', origin: 'storefront', cart: { token: `cart-${n}`, stage: 'cart', currency: 'USD', items: [{ title: 'Socks', quantity: 1, unitPrice: 1800 }], recoveryUrl: 'https://shop.example/cart' } }] });
  };
  // The attacker: one address (its spoofed X-Forwarded-For entries left of the proxy's), a new shopper id each time.
  const flood = new Promise((resolve, reject) => {
    autocannon({
      url: `${url}/beacon`, method: 'POST', connections: 8, duration: seconds,
      requests: [{ setupRequest: (req) => ({ ...req, headers: { origin: 'https://shop.example', 'content-type': 'text/plain', 'x-forwarded-for': `10.${n % 256}.0.1, 203.0.113.66` }, body: beacon() }) }],
    }, (err, result) => (err ? reject(err) : resolve(result)));
  });
  // Shoppers: each from its own address, 20 a second, through the same proxy.
  const legit = { sent: 0, accepted: 0, ms: [] };
  const deadline = Date.now() + seconds * 1000;
  let shopper = 0;
  while (Date.now() < deadline) {
    shopper += 1;
    const started = performance.now();
    const r = await fetch(`${url}/beacon`, { method: 'POST', headers: { origin: 'https://shop.example', 'content-type': 'text/plain', 'x-forwarded-for': `198.51.${shopper >> 8 & 255}.${shopper & 255}` }, body: beacon() });
    await r.arrayBuffer();
    legit.ms.push(performance.now() - started);
    legit.sent += 1;
    if (r.status === 202) legit.accepted += 1;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const f = await flood;
  const total = f['2xx'] + f.non2xx;
  legit.ms.sort((a, b) => a - b);
  const p = (q) => legit.ms[Math.floor(q * (legit.ms.length - 1))].toFixed(1);
  console.log(`flood, one address: ${(total / seconds).toFixed(0)} requests/s answered, ${(f.non2xx / seconds).toFixed(0)} 429/s (${((100 * f.non2xx) / total).toFixed(2)} %), ${f['2xx']} accepted in ${seconds} s (limit: 120 a minute, 20 new shoppers)`);
  console.log(`shoppers, other addresses: ${legit.accepted} of ${legit.sent} accepted (${((100 * legit.accepted) / legit.sent).toFixed(1)} %), latency p50 ${p(0.5)} ms, p99 ${p(0.99)} ms`);
  await new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}
