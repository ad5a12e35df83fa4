// The wasm figures: size per artifact (raw, gzipped), cold start in Node and in workerd,
// the JS↔wasm boundary cost of one realistic event, and decisions per second through wasm
// on the same stream the native benchmark measured (run `cargo bench` first; scripts/bench.sh
// does). Prints a human table and one JSON line.
//
//   node benches/wasm.mjs [--sizes-and-throughput | --cold-start] [--baseline <another checkout>]
//
// --baseline measures a second build (a checkout of main built with scripts/build.mjs;
// scripts/bench.sh makes one) in the same run, interleaved with this one, and prints each
// figure's ratio to it: machines drift by ~20% between runs, ratios in one run do not.

import { execFileSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
/** A build to measure: its package (dist) and its raw wasm-bindgen glue. */
const buildAt = (dir) => ({ dist: join(dir, 'pkg', 'dist'), glue: join(dir, 'target', 'bindgen', 'server') });
const builds = { this: buildAt(root) };
if (args.includes('--baseline')) builds.baseline = buildAt(args[args.indexOf('--baseline') + 1]);
const dist = builds.this.dist;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** Nanoseconds per call of `fn(i)` for i in 0..n: the median of five passes. */
const nsPerCall = (n, fn) => median([0, 1, 2, 3, 4].map(() => {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i += 1) fn(i);
  return Number(process.hrtime.bigint() - t0) / n;
}));
const results = {};
const label = (name) => (name === 'this' ? 'this build' : name);
/** `x` against the baseline's figure at the same key, when there is one. */
const against = (x, base) => (base === undefined ? '' : ` (baseline ${fmt(base)}, ratio ${(x / base).toFixed(2)})`);
const fmt = (x) => (Number.isInteger(x) ? String(x) : x.toFixed(1));

// --- sizes -----------------------------------------------------------------------------
function sizes() {
  const files = {
    'server wasm': 'rekindle_bg.wasm',
    'storefront wasm': join('storefront', 'rekindle_bg.wasm'),
    'server JS (browser.js)': 'browser.js',
    'storefront JS (storefront.js)': join('storefront', 'storefront.js'),
  };
  results.sizes = {};
  console.log('\nsize                              raw bytes   gzip -9 bytes');
  for (const name of Object.keys(builds).reverse()) {
    const build = builds[name];
    results.sizes[name] = {};
    for (const [what, file] of Object.entries(files)) {
      const bytes = readFileSync(join(build.dist, file));
      const gz = gzipSync(bytes, { level: 9 }).length;
      results.sizes[name][what] = { raw: bytes.length, gzip: gz };
      const base = name === 'this' ? results.sizes.baseline?.[what] : undefined;
      console.log(`${`${what}${name === 'this' ? '' : ` [${name}]`}`.padEnd(32)} ${String(bytes.length).padStart(10)} ${String(gz).padStart(14)}` +
        (base ? `  (${(gz / base.gzip).toFixed(2)}× the baseline's gzip)` : ''));
    }
  }
}

// --- cold start in Node: a fresh process each time ------------------------------------
function coldStartNode(runs = 7) {
  // CPU time beside wall time: on this shared machine a cold start's wall time is 3-5x its CPU
  // time (waiting for a core), while its CPU time moves far less between runs.
  const probe = (dist) => `
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await import(${JSON.stringify(pathToFileURL(join(dist, 'node.js')).href)});
    const t1 = performance.now();
    await r.init();
    const t2 = performance.now();
    const out = new r.Engine().decide('c', null, ${JSON.stringify(JSON.stringify(sampleEvent()))}, ${Date.parse('2026-11-27T15:00:00Z')});
    const t3 = performance.now();
    // Five sends and the contact's housekeeping entry (expiry, retention: issue 15).
    if (out.actions.length !== 6) throw new Error('unexpected decision: ' + out.actions.length + ' actions');
    const cpu = process.cpuUsage(c0);
    console.log(JSON.stringify({ importMs: t1 - t0, initMs: t2 - t1, firstCallMs: t3 - t2, totalMs: t3 - t0, cpuMs: (cpu.user + cpu.system) / 1000 }));`;
  // Runs interleaved across builds, so the machine's drift hits each alike.
  const samples = Object.fromEntries(Object.keys(builds).map((name) => [name, []]));
  for (let i = 0; i < runs; i += 1) {
    for (const [name, build] of Object.entries(builds)) {
      samples[name].push(JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', probe(build.dist)]).toString()));
    }
  }
  results.coldStartNode = {};
  console.log('');
  for (const name of Object.keys(builds).reverse()) {
    const pick = (k) => median(samples[name].map((s) => s[k]));
    const c = { importMs: pick('importMs'), initMs: pick('initMs'), firstCallMs: pick('firstCallMs'), totalMs: pick('totalMs'), cpuMs: pick('cpuMs') };
    results.coldStartNode[name] = c;
    const b = name === 'this' ? results.coldStartNode.baseline : undefined;
    console.log(`cold start, Node, ${label(name)} (median of ${runs} fresh processes): import ${c.importMs.toFixed(1)} ms, ` +
      `init (read + compile + instantiate) ${c.initMs.toFixed(1)} ms, first decision ${c.firstCallMs.toFixed(1)} ms, ` +
      `total ${c.totalMs.toFixed(1)} ms${against(c.totalMs, b?.totalMs)}; CPU time ${c.cpuMs.toFixed(1)} ms${against(c.cpuMs, b?.cpuMs)}`);
  }
}

// --- cold start in workerd: startup and first request, against a worker without wasm --
async function coldStartWorkerd(runs = coldOnly ? 5 : 3) {
  const { Miniflare } = await import(pathToFileURL(join(root, 'node_modules', 'miniflare', 'dist', 'src', 'index.js')).href);
  const engineWorker = `
    import { init, Engine } from './workerd.js';
    export default { async fetch() {
      await init();
      const out = new Engine().decide('c', null, ${JSON.stringify(JSON.stringify(sampleEvent()))}, ${Date.parse('2026-11-27T15:00:00Z')});
      return new Response(String(out.actions.length));
    } };`;
  const empty = `export default { async fetch() { return new Response('6'); } };`;
  // With --cold-start, where the first request's time goes: workers that stop after init(),
  // after new Engine() (the default playbook parsed and checked), and one that only builds the
  // isolate's first Intl.DateTimeFormat (what the engine's time zones cost on first use).
  const stages = coldOnly ? {
    'the first Intl.DateTimeFormat only': `export default { async fetch() { new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: 'numeric' }).formatToParts(0); return new Response('6'); } };`,
    'init() only': `import { init } from './workerd.js'; export default { async fetch() { await init(); return new Response('6'); } };`,
    'init() + new Engine()': `import { init, Engine } from './workerd.js'; export default { async fetch() { await init(); new Engine(); return new Response('6'); } };`,
  } : {};
  async function measure(dist, script, withWasm) {
    const modules = [{ type: 'ESModule', path: join(dist, 'worker.js'), contents: script }];
    if (withWasm) {
      modules.push({ type: 'ESModule', path: join(dist, 'workerd.js'), contents: readFileSync(join(dist, 'workerd.js'), 'utf8') });
      modules.push({ type: 'CompiledWasm', path: join(dist, 'rekindle_bg.wasm'), contents: readFileSync(join(dist, 'rekindle_bg.wasm')) });
      // The report's module (issue 20), which a baseline built before it lacks.
      if (existsSync(join(dist, 'report_bg.wasm'))) modules.push({ type: 'CompiledWasm', path: join(dist, 'report_bg.wasm'), contents: readFileSync(join(dist, 'report_bg.wasm')) });
    }
    const t0 = performance.now();
    const mf = new Miniflare({ modules, modulesRoot: dist, host: '127.0.0.1', compatibilityDate: '2026-07-01' });
    await mf.ready;
    const t1 = performance.now();
    const res = await mf.dispatchFetch('http://127.0.0.1/');
    const body = await res.text();
    const t2 = performance.now();
    await mf.dispose();
    if (body !== '6') throw new Error(`worker answered ${body}`); // five sends and housekeeping
    return { startupMs: t1 - t0, firstRequestMs: t2 - t1 };
  }
  const samples = { empty: [], ...Object.fromEntries(Object.keys(builds).map((name) => [name, []])) };
  const stageSamples = Object.fromEntries(Object.keys(stages).map((stage) => [stage, Object.fromEntries(Object.keys(builds).map((name) => [name, []]))]));
  for (let i = 0; i < runs; i += 1) {
    samples.empty.push(await measure(dist, empty, false));
    for (const [name, build] of Object.entries(builds)) {
      samples[name].push(await measure(build.dist, engineWorker, true));
      for (const [stage, script] of Object.entries(stages)) stageSamples[stage][name].push(await measure(build.dist, script, true));
    }
  }
  const pick = (xs, k) => median(xs.map((x) => x[k]));
  const base = { startupMs: pick(samples.empty, 'startupMs'), firstRequestMs: pick(samples.empty, 'firstRequestMs') };
  results.coldStartWorkerd = { emptyWorker: base };
  for (const name of Object.keys(builds).reverse()) {
    const w = { startupMs: pick(samples[name], 'startupMs'), firstRequestMs: pick(samples[name], 'firstRequestMs') };
    w.firstRequestAboveEmptyMs = w.firstRequestMs - base.firstRequestMs;
    results.coldStartWorkerd[name] = w;
    const b = name === 'this' ? results.coldStartWorkerd.baseline : undefined;
    console.log(`cold start, workerd via miniflare, ${label(name)} (median of ${runs}): startup ${w.startupMs.toFixed(0)} ms ` +
      `(empty worker ${base.startupMs.toFixed(0)} ms), first request incl. instantiate + decision ${w.firstRequestMs.toFixed(1)} ms ` +
      `(empty worker ${base.firstRequestMs.toFixed(1)} ms): ${w.firstRequestAboveEmptyMs.toFixed(1)} ms above the empty worker` +
      against(w.firstRequestAboveEmptyMs, b?.firstRequestAboveEmptyMs));
    for (const [stage, byBuild] of Object.entries(stageSamples)) {
      const above = (xs) => pick(xs, 'firstRequestMs') - base.firstRequestMs;
      w[stage] = above(byBuild[name]);
      console.log(`  ${stage}: ${w[stage].toFixed(1)} ms above the empty worker` + against(w[stage], b?.[stage]));
    }
  }
}

// --- boundary cost and throughput, on the raw wasm-bindgen glue -----------------------
async function boundaryAndThroughput() {
  const glue = await import(pathToFileURL(join(builds.this.glue, 'rekindle.js')).href);
  glue.initSync({ module: readFileSync(join(builds.this.glue, 'rekindle_bg.wasm')) });
  const event = JSON.stringify({ ...sampleEvent(), type: 'abandoned', origin: 'storefront', acceptsSms: undefined, acceptsEmail: undefined,
    reasons: [{ reason: 'extraCost', confidence: 0.8 }] });
  const N = 200_000;
  nsPerCall(N / 5, () => glue.boundaryProbe(event)); // warm up
  const probeNs = nsPerCall(N, () => glue.boundaryProbe(event));
  const callNs = nsPerCall(N, () => glue.version());
  results.boundary = { eventBytes: event.length, probeNsPerCall: probeNs, emptyCallNs: callNs };
  console.log(`\nJS↔wasm boundary: a ${event.length}-byte event in, an object out: ${probeNs.toFixed(0)} ns/call ` +
    `(a call carrying nothing, returning a short string: ${callNs.toFixed(0)} ns)`);

  const streamFile = join(root, 'target', 'bench', 'stream.json');
  if (!existsSync(streamFile)) {
    console.log('decisions/s through wasm: skipped (run `cargo bench --bench decisions` first for the shared stream)');
    return;
  }
  const stream = JSON.parse(readFileSync(streamFile, 'utf8')).map(([c, e, t]) => [c, JSON.stringify(e), t]);
  const replay = (decide) => {
    const states = new Map();
    const t0 = process.hrtime.bigint();
    for (const [contact, event, now] of stream) states.set(contact, decide(contact, states.get(contact), event, now).state);
    return stream.length / (Number(process.hrtime.bigint() - t0) / 1e9);
  };
  // Every state parsed from its JSON: the raw glue, output parsed as the loader does.
  const raw = new glue.Engine(glue.defaultPolicy());
  results.wasmDecisionsPerSecParsingState = median([0, 1, 2, 3, 4, 5, 6].map(() => replay((contact, state, event, now) => {
    const [next, output] = raw.decide(contact, state, event, now);
    JSON.parse(output);
    return { state: next };
  })));
  // The public API (what hosts call): a state handed back as it was returned is not parsed
  // again (src/recent_states.rs). Every decision still returns its new state as JSON. Each
  // build's rounds interleaved.
  const engines = {};
  for (const [name, build] of Object.entries(builds)) {
    const rekindle = await import(pathToFileURL(join(build.dist, 'node.js')).href);
    await rekindle.init();
    engines[name] = new rekindle.Engine();
  }
  const rounds = Object.fromEntries(Object.keys(builds).map((name) => [name, []]));
  for (let r = 0; r < 7; r += 1) {
    for (const [name, engine] of Object.entries(engines)) rounds[name].push(replay((c, s, e, n) => engine.decide(c, s, e, n)));
  }
  results.wasmDecisionsPerSec = median(rounds.this);
  if (builds.baseline) results.wasmDecisionsPerSecBaseline = median(rounds.baseline);
  console.log(`decisions/s through wasm in Node, the public Engine.decide (JSON in, objects out, median of 7): ` +
    `${results.wasmDecisionsPerSec.toFixed(0)} on ${stream.length} decisions` +
    `${builds.baseline ? ` (baseline ${results.wasmDecisionsPerSecBaseline.toFixed(0)}, ratio ${(results.wasmDecisionsPerSec / results.wasmDecisionsPerSecBaseline).toFixed(2)})` : ''}; ` +
    `${results.wasmDecisionsPerSecParsingState.toFixed(0)} when every state is parsed from JSON`);
  priceOfJson(glue, stream);
}

// --- what the JSON contract costs a decision ------------------------------------------
// The same replay three ways, rounds interleaved so the machine's drift hits all alike:
// as shipped (state JSON out, output JSON out and parsed), without the state's JSON, and
// without either (the engine, the event's JSON and the boundary). Then the JavaScript half
// of the contract alone, on the stream's own strings: decoding the state text and parsing
// the output. With both JSON writers free inside wasm, a decision would still cost
// (without either) + (that JavaScript half): the floor of any JSON-in, JSON-state contract.
function priceOfJson(glue, stream) {
  const engine = new glue.Engine(glue.defaultPolicy());
  const replay = (stateJson, outputJson, keep) => {
    const tickets = new Map();
    const t0 = process.hrtime.bigint();
    for (const [contact, event, now] of stream) {
      const [state, output, ticket] = engine.decidePricing(contact, tickets.get(contact), event, now, stateJson, outputJson);
      tickets.set(contact, ticket);
      if (output !== undefined) JSON.parse(output);
      keep?.(state, output);
    }
    return Number(process.hrtime.bigint() - t0) / 1e3 / stream.length;
  };
  const states = [];
  const outputs = [];
  replay(true, true, (state, output) => { states.push(Buffer.from(state)); outputs.push(output); });
  const ways = { shipped: [true, true], withoutStateJson: [false, true], withoutEitherJson: [false, false] };
  const samples = Object.fromEntries(Object.keys(ways).map((k) => [k, []]));
  for (let r = 0; r < 7; r += 1) {
    for (const [way, [stateJson, outputJson]] of Object.entries(ways)) samples[way].push(replay(stateJson, outputJson));
  }
  const decoder = new TextDecoder();
  const perItem = (items, fn) => nsPerCall(items.length, (i) => fn(items[i])) / 1e3;
  const us = Object.fromEntries(Object.entries(samples).map(([way, xs]) => [way, median(xs)]));
  us.decodeState = perItem(states, (bytes) => decoder.decode(bytes));
  us.parseOutput = perItem(outputs, (text) => JSON.parse(text));
  us.floor = us.withoutEitherJson + us.decodeState + us.parseOutput;
  results.microsecondsPerDecision = us;
  const f = (x) => `${x.toFixed(2)} µs (${(1e6 / x).toFixed(0)}/s)`;
  console.log(`\nprice of the JSON contract, µs per decision (raw glue, median of 7 interleaved rounds):\n` +
    `  as shipped ${f(us.shipped)}; without the state's JSON ${f(us.withoutStateJson)}; without either JSON ${f(us.withoutEitherJson)}\n` +
    `  JavaScript's half alone: decoding the state text ${us.decodeState.toFixed(2)} µs, JSON.parse of the output ${us.parseOutput.toFixed(2)} µs\n` +
    `  floor with both JSON writers free inside wasm: ${f(us.floor)}`);
}

function sampleEvent() {
  return {
    id: 'evt-1', at: '2026-11-27T15:00:00Z', type: 'checkoutUpdated', acceptsSms: true, acceptsEmail: true,
    cart: { token: 'chk-1', stage: 'checkout', currency: 'USD', recoveryUrl: 'https://shop.example/checkouts/chk-1/recover',
      items: [{ title: 'Merino wool socks', variant: 'M / Charcoal', quantity: 2, unitPrice: 1800, category: 'apparel' },
              { title: 'Trail cap', quantity: 1, unitPrice: 2400, category: 'accessories' }] },
    contact: { email: 'shopper@example.com', phone: '+15125550100', firstName: 'Ada', region: 'US-TX', timeZone: 'America/Chicago' },
  };
}

const quick = args.includes('--sizes-and-throughput');
const coldOnly = args.includes('--cold-start'); // cold starts only, when trying a change to them
if (!coldOnly) sizes();
if (!quick) {
  coldStartNode();
  await coldStartWorkerd();
}
if (!coldOnly) await boundaryAndThroughput();
console.log(`\nJSON-BENCH ${JSON.stringify(results)}`);
