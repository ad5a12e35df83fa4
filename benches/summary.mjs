// The end of `bash scripts/bench.sh`: issue 20's table, each row's figure from this run's
// output (the JSON lines each benchmark prints) against its target, met or not met.
//
//   node benches/summary.mjs <the run's output, as a file>
import { readFileSync } from 'node:fs';

const lines = readFileSync(process.argv[2], 'utf8').split('\n');
/** The last line starting with `tag ` (a prefixed copy, e.g. `[z] JSON-BENCH`, does not count), parsed; or null. */
const last = (tag, keep = () => true) => {
  const found = lines.filter((l) => l.startsWith(`${tag} `)).map((l) => JSON.parse(l.slice(tag.length + 1))).filter(keep);
  return found.length ? found[found.length - 1] : null;
};
const native = last('JSON-BENCH', (j) => j.allocator === 'mimalloc');
const wasm = last('JSON-BENCH', (j) => j.sizes && j.coldStartNode);
const weight = last('JSON-WEIGHT');
// The storefront benchmark measures this build and, in bench.sh, the baseline's: this build's figures.
const storefront = last('JSON', (j) => j['this build'])?.['this build'];
const server = last('BENCH-SERVER');
const workerd = last('BENCH-WORKERD-CPU');
const soak = last('BENCH-SOAK');

const kb = (bytes) => `${(bytes / 1000).toFixed(0)} KB`;
const ms = (x) => `${x.toFixed(1)} ms`;
const rows = [];
/** One row: `figure` and `met` from the run when `data` is there, else "not measured". */
function row(what, data, figure, target, met) {
  rows.push({ what, now: data ? figure(data) : 'not measured in this run', target, verdict: data ? (met(data) ? 'met' : 'NOT met') : '—' });
}
const sizes = wasm?.sizes?.this;
row('server wasm, gzipped (raw)', sizes, (s) => `${kb(s['server wasm'].gzip)} (${kb(s['server wasm'].raw)})`, '≤ 300 KB (≤ 1 MB)',
  (s) => s['server wasm'].gzip <= 300_000 && s['server wasm'].raw <= 1_000_000);
row('Vercel Edge example, whole function gzipped', weight?.now?.vercelEdge, (v) => `${kb(v.gzip)}: ${(100 * v.shareOfHobbyLimit).toFixed(1)}% of the 1 MB Hobby limit`,
  'under 50% of it', (v) => v.shareOfHobbyLimit < 0.5);
row('Node: import + init() + first decision', wasm?.coldStartNode?.this, (c) => `${ms(c.totalMs)} (import ${ms(c.importMs)}, init ${ms(c.initMs)}, decision ${ms(c.firstCallMs)})`,
  '≤ 30 ms', (c) => c.totalMs <= 30);
row('workerd: first request incl. instantiate and a decision, above an empty worker', wasm?.coldStartWorkerd?.this, (w) => ms(w.firstRequestAboveEmptyMs),
  '≤ 15 ms', (w) => w.firstRequestAboveEmptyMs <= 15);
row('workerd CPU per webhook above the floor', workerd, (w) => `${w.aboveFloorMs.toFixed(3)} ms (floor ${w.floorMs.toFixed(3)} ms)`, '≤ 1 ms', (w) => w.aboveFloorMs <= 1);
row('Node handler, one core, SQLite: beacons/s and p99 against the floor', server?.['sqlite.beacon'] && server,
  (s) => `${s['sqlite.beacon'].ratio.toFixed(2)} of the floor (${s['sqlite.beacon'].reqPerSec.toFixed(0)} vs ${s['floor.beacon'].reqPerSec.toFixed(0)} req/s); ` +
    `p99 ${s['sqlite.beacon'].p99Ms} vs ${s['floor.beacon'].p99Ms} ms (${s['sqlite.beacon'].p99Ratio.toFixed(1)}×)`,
  '≥ 0.5 of the floor, p99 ≤ 2× its', (s) => s['sqlite.beacon'].ratio >= 0.5 && s['sqlite.beacon'].p99Ratio <= 2);
row('the same for signed checkouts/update webhooks', server?.['sqlite.webhook'] && server,
  (s) => `${s['sqlite.webhook'].ratio.toFixed(2)} of the floor (${s['sqlite.webhook'].reqPerSec.toFixed(0)} vs ${s['floor.webhook'].reqPerSec.toFixed(0)} req/s); p99 ${s['sqlite.webhook'].p99Ms} vs ${s['floor.webhook'].p99Ms} ms`,
  '≥ 0.4 of the floor', (s) => s['sqlite.webhook'].ratio >= 0.4);
row('handler RSS under constant load, after warm-up', soak,
  (s) => `${s.afterWarmUpMb.toFixed(0)} → ${s.endMb.toFixed(0)} MB (${(100 * s.growth).toFixed(1)}%) over ${s.seconds} s, ${s.requests} new shoppers' requests`,
  'flat within 10%', (s) => Math.abs(s.growth) <= 0.1);
row('storefront wasm, gzipped', sizes, (s) => kb(s['storefront wasm'].gzip), '≤ 60 KB', (s) => s['storefront wasm'].gzip <= 60_000);
row('storefront main-thread time added per page', storefront,
  (s) => `cart page ${ms(s.mainThreadMs.cartAdded)}, checkout page ${ms(s.mainThreadMs.checkoutAdded)} added ` +
    `(CPU ${ms(s.mainThreadCpuMs.cartAdded)}, ${ms(s.mainThreadCpuMs.checkoutAdded)}); longest task running Rekindle ${ms(s.longestTaskMs.runningRekindle)}`,
  '≤ 30 ms, no task over 50 ms',
  (s) => Math.max(s.mainThreadMs.cartAdded, s.mainThreadMs.checkoutAdded) <= 30 && s.longestTaskMs.runningRekindle <= 50);
row('native decisions/s (engine only, mimalloc)', native, (n) => Math.round(n.nativeEngineOnlyPerSec).toLocaleString('en'), '≥ 1 M', (n) => n.nativeEngineOnlyPerSec >= 1e6);
row('wasm decisions/s in Node, the public Engine.decide (reported, no target)', wasm?.wasmDecisionsPerSec && wasm, (w) => Math.round(w.wasmDecisionsPerSec).toLocaleString('en'), '—', () => true);

console.log('\n=== summary: issue 20\'s table, this run');
for (const r of rows) console.log(`- ${r.what}: ${r.now} | target ${r.target} | ${r.verdict}`);
