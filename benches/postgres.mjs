// The scale story of the Postgres store: one PostgreSQL cluster (durable settings: fsync and
// synchronous commit on), then P handler processes (benches/postgres-handler.mjs) on the one
// database. N signed Shopify checkouts go in through the handlers (round robin), then every
// process ticks at once until nothing is due and nothing is left to send: first the email step,
// then, an hour later on the simulated clock, the SMS step. Sends are counted at a local
// receiver by their Idempotency-Key (the action id): duplicates and lost sends must both be 0.
// Runs P = 1 and P = 4 on the same N, each in its own schema, so the two compare. First, the
// store's own operations one at a time on one connection, with synchronous_commit on (as
// Postgres ships) and off, to show what a durable commit costs on this disk.
//
//   node benches/postgres.mjs [journeys=2000] [processes=1,4]
import { fork } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { abandonedCheckout, serverNode } from '../tests/server/harness.mjs';
import { startPostgres } from '../tests/server/postgres-server.mjs';
import postgres from 'postgres';

const journeys = Number(process.argv[2] ?? 2000);
const processCounts = (process.argv[3] ?? '1,4').split(',').map(Number);
const BASE = Date.parse('2026-11-27T15:00:00Z'); // the simulated clock's start (a weekday afternoon in the US)
const LOAD_CONCURRENCY = 16;
const POOL_PER_PROCESS = 4;

// The receiver: the merchant's endpoint behind the signed webhook transport.
const received = new Map(); // idempotency key → times received
const byChannel = { email: 0, sms: 0 };
const receiver = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const key = req.headers['idempotency-key'];
    received.set(key, (received.get(key) ?? 0) + 1);
    byChannel[JSON.parse(Buffer.concat(chunks).toString('utf8')).action.channel] += 1;
    res.writeHead(200, { 'x-request-id': `r-${received.size}` });
    res.end();
  });
});
await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const receiverUrl = `http://127.0.0.1:${receiver.address().port}/rekindle`;

const loadBefore = loadavg()[0];
const pg = await startPostgres({ durable: true });
const children = new Set();
process.on('exit', () => { for (const child of children) child.kill('SIGKILL'); });

function startHandler(schema) {
  const child = fork(new URL('postgres-handler.mjs', import.meta.url).pathname, [pg.url, schema, receiverUrl, String(BASE), String(POOL_PER_PROCESS)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    child.once('message', ({ ready }) => resolve({ child, url: ready }));
    child.once('exit', (code) => reject(new Error(`handler exited ${code}`)));
  });
}

const ask = (h, message, answer) => new Promise((resolve) => {
  const listen = (m) => {
    if (m[answer] === undefined) return;
    h.child.off('message', listen);
    resolve(m[answer]);
  };
  h.child.on('message', listen);
  h.child.send(message);
});

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function load(handlers, run) {
  const started = performance.now();
  let next = 0;
  let failed = 0;
  async function worker() {
    while (next < journeys) {
      const i = next;
      next += 1;
      const body = await abandonedCheckout({
        at: new Date(BASE - 60_000).toISOString(),
        token: `r${run}-${i}`,
        customerId: String(950000000000000000n + BigInt(run * 1_000_000 + i)),
        email: `shopper-${run}-${i}@example.com`,
        phone: `+1512${String(5_550_000 + i).padStart(7, '0')}`, // 555-xxxx: a valid US line, one per shopper
      });
      const response = await fetch(`${handlers[i % handlers.length].url}/webhooks/shopify`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-shopify-topic': 'checkouts/create',
          'x-shopify-webhook-id': `wh-${run}-${i}`,
          'x-shopify-hmac-sha256': createHmac('sha256', 'bench-shopify-secret').update(body).digest('base64'),
        },
        body,
      });
      await response.arrayBuffer();
      if (response.status !== 200) failed += 1;
    }
  }
  await Promise.all(Array.from({ length: LOAD_CONCURRENCY }, worker));
  return { seconds: (performance.now() - started) / 1000, failed };
}

/** Every process ticks at once at `offsetMs` until each finds nothing to do. */
async function drain(handlers, offsetMs) {
  const keysBefore = new Set(received.keys());
  const started = performance.now();
  const results = await Promise.all(handlers.map((h) => ask(h, { offsetMs, drain: true }, 'drained')));
  const seconds = (performance.now() - started) / 1000;
  const fresh = [...received.keys()].filter((k) => !keysBefore.has(k));
  const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
  return {
    seconds,
    sends: fresh.length,
    duplicates: fresh.reduce((sum, k) => sum + received.get(k) - 1, 0),
    decisions: results.reduce((sum, r) => sum + r.decisions, 0),
    due: results.reduce((sum, r) => sum + r.due, 0),
    failed: results.reduce((sum, r) => sum + r.failed, 0),
    ticks: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    perProcess: results.map((r) => r.sent),
  };
}

/** ms per store operation, sequential on one connection. */
async function storeOperations(synchronousCommit) {
  const sql = postgres(pg.url, { max: 1, onnotice: () => {}, connection: { synchronous_commit: synchronousCommit } });
  const store = await serverNode.postgresStore(sql, { schema: `ops_${synchronousCommit}` });
  const n = 500;
  const timed = async (fn) => {
    const started = performance.now();
    for (let i = 0; i < n; i += 1) await fn(i);
    return +((performance.now() - started) / n).toFixed(2);
  };
  const send = (i) => ({ type: 'send', id: `i${i}`, channel: 'email', to: `s${i}@example.com`, message: {} });
  const row = {
    synchronous_commit: synchronousCommit,
    'commit ms (new contact: due entry, 2 links, 1 intent)': await timed((i) => store.commit(`c${i}`, {
      expected: 0, state: 'x'.repeat(2000), schedule: [{ id: `d${i}`, at: BASE }], unschedule: [], settle: null,
      links: [`email:${i}`, `token:${i}`], intents: [{ id: `i${i}`, action: send(i) }], erase: false,
    })),
    'load ms': await timed((i) => store.load(`c${i}`)),
    'claim ms': await timed((i) => store.claim(`i${i}`, 'bench', BASE, 60_000)),
    'finish ms': await timed((i) => store.finish(`i${i}`, 'bench', { status: 'sent', providerId: `p${i}` })),
  };
  await store.close();
  return row;
}
const operations = [await storeOperations('on'), await storeOperations('off')];

const rows = [];
for (const [run, processes] of processCounts.entries()) {
  const schema = `bench_p${processes}_r${run}`;
  const check = await serverNode.postgresStore(pg.url, { schema, max: 1 });
  const handlers = await Promise.all(Array.from({ length: processes }, () => startHandler(schema)));
  for (const h of handlers) h.child.send({ offsetMs: 0 });
  const loaded = await load(handlers, run);
  rows.push({ processes, phase: `load ${journeys} checkouts`, 'per s': Math.round(journeys / loaded.seconds), seconds: +loaded.seconds.toFixed(2), errors: loaded.failed });

  for (const [phase, offsetMs] of [['email step', 5 * 60_000], ['sms step', 65 * 60_000]]) {
    const d = await drain(handlers, offsetMs);
    const lost = journeys - d.sends; // each journey owes one send per step
    const { due } = await check.dueSummary(BASE + offsetMs);
    const stranded = (await check.claimable(BASE + offsetMs + 3_600_000, 10)).length;
    rows.push({
      processes,
      phase,
      'sends/s': Math.round(d.sends / d.seconds),
      'decisions/s': Math.round(d.decisions / d.seconds),
      seconds: +d.seconds.toFixed(2),
      'tick p50 ms': +d.p50.toFixed(1),
      'tick p99 ms': +d.p99.toFixed(1),
      ticks: d.ticks,
      'sends per process': d.perProcess.join('/'),
      duplicates: d.duplicates,
      lost,
      'left due/queued': `${due}/${stranded}`,
    });
  }
  await Promise.all(handlers.map((h) => new Promise((resolve) => { h.child.once('exit', resolve); h.child.send({ stop: true }); })));
  await check.close();
}

console.log('\nstore operations, one at a time on one connection (ms each, 500 of each)');
console.table(operations);
console.log(`\nhandler processes: ${journeys} journeys (each: one email, then one SMS an hour later on the simulated clock); ` +
  `PostgreSQL 15, fsync and synchronous_commit on; ${POOL_PER_PROCESS} connections per handler process; ${cpus().length} cores shared by Postgres, the handlers and the receiver ` +
  `(1-min load average ${loadBefore.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after: other work on the machine slows every row alike)`);
console.table(rows);
console.log(`receiver: ${byChannel.email} emails, ${byChannel.sms} SMS, ${[...received.values()].filter((n) => n > 1).length} keys received more than once`);
receiver.close();
await pg.stop();
const bad = rows.some((r) => r.duplicates > 0 || r.lost > 0 || r.errors > 0);
if (bad) {
  console.error('FAILED: a duplicate, a lost send or a refused checkout (see the table)');
  process.exitCode = 1;
}
