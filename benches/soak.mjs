// Memory under constant load: the Node handler (SQLite, one core) fed a fixed rate of distinct
// beacons and signed checkouts/update webhooks (every one a new shopper, so state, indexes and
// caches keep meeting new keys), its resident set (VmRSS from /proc) sampled every two seconds.
// The first quarter is warm-up (the engine's caches fill, V8 and SQLite settle); after it the
// RSS must stay flat within 10%: the figure is the last tenth's median against the median of
// the tenth that follows warm-up. Linux only.
//
//   node benches/soak.mjs [seconds=600] [requests per second=100]
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { beaconRequest, target, webhookRequest } from './server.mjs';

const seconds = Number(process.argv[2] ?? 600);
const rate = Number(process.argv[3] ?? 100);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rssMb = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

const t = await target('sqlite');
const samples = [];
const started = performance.now();
const sampler = setInterval(() => samples.push({ s: (performance.now() - started) / 1000, mb: rssMb(t.pid) }), 2000);
samples.push({ s: 0, mb: rssMb(t.pid) });
const result = await new Promise((resolve, reject) => {
  autocannon({
    url: t.url, method: 'POST', connections: 4, overallRate: rate, duration: seconds,
    requests: [{ path: '/beacon', setupRequest: beaconRequest }, { path: '/webhooks/shopify', setupRequest: webhookRequest }],
  }, (err, r) => (err ? reject(err) : resolve(r)));
});
clearInterval(sampler);
samples.push({ s: (performance.now() - started) / 1000, mb: rssMb(t.pid) });
await t.stop();

const warm = seconds / 4;
const tenth = seconds / 10;
const window = (from, to) => samples.filter((x) => x.s >= from && x.s < to).map((x) => x.mb);
const afterWarmUp = median(window(warm, warm + tenth));
const end = median(window(seconds - tenth, Infinity));
const peak = Math.max(...window(warm, Infinity));
const growth = end / afterWarmUp - 1;
const every = Math.max(1, Math.floor(samples.length / 12));
console.log(`RSS (MB) over time: ${samples.filter((_, i) => i % every === 0).map((x) => `${x.s.toFixed(0)} s ${x.mb.toFixed(0)}`).join(', ')}`);
console.log(`soak: ${seconds} s at ${rate} req/s (beacons and checkouts/update alternating, each a new shopper): ${result.requests.total} requests, ` +
  `${result.non2xx} non-2xx, ${result.errors} errors; RSS at start ${samples[0].mb.toFixed(0)} MB, after warm-up (${warm.toFixed(0)} s) ${afterWarmUp.toFixed(0)} MB, ` +
  `at the end ${end.toFixed(0)} MB (peak ${peak.toFixed(0)}): ${(100 * growth).toFixed(1)}% after warm-up, ${Math.abs(growth) <= 0.1 ? 'flat within 10%' : 'NOT flat within 10%'}`);
console.log(`BENCH-SOAK ${JSON.stringify({ seconds, rate, requests: result.requests.total, non2xx: result.non2xx, startMb: samples[0].mb, afterWarmUpMb: afterWarmUp, endMb: end, peakMb: peak, growth })}`);
