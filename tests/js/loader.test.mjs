// The loader's contract, against the built package (pkg/dist), with Node's own test runner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

const dist = new URL('../../pkg/dist/', import.meta.url);
const rekindle = await import(new URL('node.js', dist));
const slim = await import(new URL('slim.js', dist));

const checkout = (id, token = 'c1') => ({
  id,
  at: '2026-11-27T15:00:00Z',
  type: 'checkoutUpdated',
  cart: {
    token, stage: 'checkout', currency: 'USD', recoveryUrl: `https://shop.example/${token}/recover`,
    items: [{ title: 'Wool socks', quantity: 2, unitPrice: 1800 }],
  },
  contact: { email: 'ada@example.com', phone: '+15125550100', region: 'US-TX', timeZone: 'America/Chicago' },
  acceptsSms: true,
  acceptsEmail: true,
});
const NOW = Date.parse('2026-11-27T15:00:00Z');

test('calls before init fail with NOT_INITIALIZED, not a crash', () => {
  assert.throws(() => slim.version(), { name: 'RekindleError', code: 'NOT_INITIALIZED' });
});

test('slim without a wasm source fails clearly, and a later init with one succeeds', async () => {
  await assert.rejects(slim.init(), { code: 'NO_WASM_SOURCE' });
  const bytes = await readFile(new URL('rekindle_bg.wasm', dist));
  await slim.init(await WebAssembly.compile(bytes));
  assert.equal(slim.build(), 'server');
});

test('init is idempotent and concurrent-safe', async () => {
  const calls = Array.from({ length: 8 }, () => rekindle.init());
  assert.equal(new Set(calls).size, 1, 'every caller shares one instantiation');
  await Promise.all(calls);
  await rekindle.init();
  assert.match(rekindle.version(), /^\d+\.\d+\.\d+$/);
});

test('a decision plans the default cadence and returns opaque state', async () => {
  await rekindle.init();
  const engine = new rekindle.Engine();
  const out = engine.decide('contact-1', null, checkout('e1'), NOW);
  // Five sends, and the contact's housekeeping entry at the journey's expiry.
  assert.deepEqual(out.actions.map((a) => a.type), ['schedule', 'schedule', 'schedule', 'schedule', 'schedule', 'defer']);
  assert.equal(typeof out.state, 'string');
  assert.equal(JSON.parse(out.state).schemaVersion, 3);
  const again = engine.decide('contact-1', out.state, checkout('e1'), new Date(NOW + 1000));
  assert.deepEqual(again.actions, [], 'a repeated event changes nothing');
  assert.equal(again.state, out.state);
});

test('states the engine keeps parsed never change a decision: handed back, stale, copied or evicted', async () => {
  await rekindle.init();
  const engine = new rekindle.Engine();
  const fresh = (state, event, now) => new rekindle.Engine().decide('contact-1', state, event, now); // keeps nothing
  const first = engine.decide('contact-1', null, checkout('e1'), NOW);
  const due = (id) => ({ id, at: new Date(NOW + 6 * 60_000).toISOString(), type: 'due', actionId: first.actions[0].id });
  const later = NOW + 6 * 60_000;
  const kept = engine.decide('contact-1', first.state, due('d1'), later); // the very string: kept copy
  assert.deepEqual(kept, fresh(first.state, due('d1'), later));
  assert.equal(kept.actions.find((a) => a.type === 'send')?.id, first.actions[0].id);
  const stale = engine.decide('contact-1', first.state, due('d1'), later); // an older state: parsed
  assert.deepEqual(stale, fresh(first.state, due('d1'), later));
  const copy = ` ${stale.state}`.slice(1); // equal text, another string
  const opened = { id: 'o1', at: new Date(later + 60_000).toISOString(), type: 'opened', actionId: first.actions[0].id };
  assert.deepEqual(engine.decide('contact-1', copy, opened, later + 60_000), fresh(stale.state, opened, later + 60_000));
  for (let i = 0; i < 4_200; i += 1) engine.decide(`other-${i}`, null, checkout(`x${i}`, `cart-${i}`), NOW); // pushes contact-1 out
  assert.deepEqual(engine.decide('contact-1', stale.state, opened, later + 60_000), fresh(stale.state, opened, later + 60_000));
});

test('a malformed event reaches JS as a RekindleError with code and path', async () => {
  await rekindle.init();
  const engine = new rekindle.Engine();
  const bad = checkout('e1');
  bad.cart.items[0].unitPrice = '18.00';
  assert.throws(() => engine.decide('contact-1', null, bad, NOW), (error) => {
    assert.ok(error instanceof rekindle.RekindleError);
    assert.equal(error.code, 'INVALID_FIELD');
    assert.equal(error.path, '$.cart.items[0].unitPrice');
    return true;
  });
  assert.throws(() => engine.decide('contact-1', null, '{"id":', NOW), { code: 'MALFORMED_JSON' });
  assert.throws(() => engine.decide('contact-1', null, { ...checkout('e2'), type: 'teleported' }, NOW), {
    code: 'UNKNOWN_EVENT_TYPE',
    path: '$.type',
  });
});

test('ingest reads a body given as its bytes exactly as the same text, and answers plain objects', async () => {
  await rekindle.init();
  const text = await readFile(new URL('../fixtures/vectors/shopify/checkouts_create.json', import.meta.url), 'utf8');
  const bytes = new TextEncoder().encode(text);
  const fromText = rekindle.ingest.shopify('checkouts/create', 'w-1', text, 'salt', NOW);
  assert.deepEqual(rekindle.ingest.shopify('checkouts/create', 'w-1', bytes, 'salt', NOW), fromText);
  assert.deepEqual(rekindle.ingest.shopify('checkouts/create', 'w-1', Buffer.from(bytes), 'salt', NOW), fromText);
  assert.equal(Object.getPrototypeOf(fromText.routed[0].events[0]), Object.prototype);
  assert.ok(fromText.routed[0].contactId && fromText.routed[0].lookup.length > 0);
  // Shopify's 64-bit ids never reach JS as numbers: routed through salted keys, kept as text.
  assert.ok(!JSON.stringify(fromText).includes('603851970716743426'));
  const beacon = JSON.stringify({ v: 1, anonymousId: 'anon-1', events: [{ id: 'e-1', at: '2026-11-27T15:00:00Z', type: 'abandoned', origin: 'storefront',
    cart: { token: 'cart-1', stage: 'cart', currency: 'USD', items: [{ title: 'Socks – wool', quantity: 1, unitPrice: 1800 }], recoveryUrl: 'https://shop.example/cart' } }] });
  assert.deepEqual(rekindle.ingest.beacon(new TextEncoder().encode(beacon), 'salt'), rekindle.ingest.beacon(beacon, 'salt'));
  // Bytes that are not UTF-8 read as a TextDecoder reads them (U+FFFD), as text handed in did.
  const broken = Buffer.from(beacon.replace('Socks – wool', 'Socks ?? wool'));
  broken[broken.indexOf('??')] = 0xff;
  const decoded = new TextDecoder().decode(broken);
  assert.deepEqual(rekindle.ingest.beacon(broken, 'salt'), rekindle.ingest.beacon(decoded, 'salt'));
  assert.equal(rekindle.ingest.beacon(broken, 'salt').routed[0].events[0].cart.items[0].title, 'Socks \ufffd? wool');
});

test('an ingest whose answer holds an integer past 2^53 is refused, never rounded by JSON.parse', async () => {
  await rekindle.init();
  const beacon = (unitPrice) => JSON.stringify({ v: 1, anonymousId: 'anon-2', events: [{ id: 'e-2', at: '2026-11-27T15:00:00Z', type: 'abandoned', origin: 'storefront',
    cart: { token: 'cart-2', stage: 'cart', currency: 'USD', items: [{ title: 'Socks', quantity: 1, unitPrice }], recoveryUrl: 'https://shop.example/cart' } }] });
  assert.equal(rekindle.ingest.beacon(beacon(2 ** 53 - 1), 'salt').routed[0].events[0].cart.items[0].unitPrice, 2 ** 53 - 1);
  assert.throws(() => rekindle.ingest.beacon(beacon('9007199254740993').replace('"9007199254740993"', '9007199254740993'), 'salt'), /2\^53/);
});

test('an invalid playbook reports every problem', async () => {
  await rekindle.init();
  const policy = rekindle.defaultPolicy();
  policy.holdoutPercent = 140;
  policy.storeTimeZone = 'Mars/Olympus_Mons';
  assert.throws(() => new rekindle.Engine(policy), (error) => {
    assert.equal(error.code, 'INVALID_POLICY');
    assert.deepEqual(error.problems.map((p) => p.path), ['$.holdoutPercent', '$.storeTimeZone']);
    return true;
  });
});

test('a trap is survived: the instance is replaced and the next call works', async () => {
  await rekindle.init();
  const engine = new rekindle.Engine();
  const before = engine.decide('contact-1', null, checkout('e1'), NOW);
  assert.throws(() => rekindle.debugTrap(), (error) => {
    assert.equal(error.code, 'ENGINE_TRAPPED');
    assert.ok(error.cause instanceof WebAssembly.RuntimeError);
    return true;
  });
  // The engine created before the trap rebinds to the new instance transparently.
  const after = engine.decide('contact-1', null, checkout('e1'), NOW);
  assert.deepEqual(after, before, 'same inputs, same outputs, across instances');
  assert.equal(rekindle.version(), rekindle.version());
  for (let i = 0; i < 3; i += 1) assert.throws(() => rekindle.debugTrap(), { code: 'ENGINE_TRAPPED' });
  assert.equal(new rekindle.Engine().decide('c2', null, checkout('e9', 'c9'), NOW).actions.length, 6);
});

test('the CJS build exposes the same engine', async () => {
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  const cjs = require('../../pkg/dist/node.cjs');
  await cjs.init();
  assert.equal(new cjs.Engine().decide('contact-1', null, checkout('e1'), NOW).actions.length, 6);
});

// Issue 20 (cold start): Node's first read of the global `Response` loads its fetch
// implementation, 80-170 ms measured on this project's machine; the engine fetches nothing.
test('a Node cold start (import, init, a decision) never loads Node\'s fetch implementation', async () => {
  const { execFileSync } = await import('node:child_process');
  const probe = `
    const r = await import(${JSON.stringify(new URL('node.js', dist).href)});
    await r.init();
    const { actions } = new r.Engine().decide('c', null, ${JSON.stringify(JSON.stringify(checkout('e1')))}, ${NOW});
    console.log(JSON.stringify({ actions: actions.length, undici: process.moduleLoadList.filter((m) => /undici/.test(m)) }));`;
  const seen = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', probe]).toString());
  assert.deepEqual(seen, { actions: 6, undici: [] });
});

test('slim: init takes bytes as well as a compiled module, and a Response (the streaming path)', async () => {
  const bytes = await readFile(new URL('rekindle_bg.wasm', dist));
  for (const source of [bytes, new Uint8Array(bytes).buffer, new Response(bytes, { headers: { 'content-type': 'application/wasm' } })]) {
    const fresh = await import(`${new URL('slim.js', dist).href}?source=${Math.random()}`);
    await fresh.init(source);
    assert.equal(new fresh.Engine().decide('c', null, checkout('e1'), NOW).actions.length, 6);
  }
});

// Issue 20: the report lives in its own wasm, so an edge request's engine ships none of it.
test('the engine wasm holds no report and no storefront capture; the report wasm holds no engine', async () => {
  const exports = async (file) => WebAssembly.Module.exports(await WebAssembly.compile(await readFile(new URL(file, dist)))).map((e) => e.name);
  const engine = await exports('rekindle_bg.wasm');
  const report = await exports('report_bg.wasm');
  const operatorOnly = ['report', 'rollup', 'reportCsv', 'compactOutcomes', 'messageRecord', 'validatePolicy', 'shopperView', 'funnel'];
  for (const name of [...operatorOnly, 'captureStep', 'summariseSignals']) {
    assert.ok(!engine.includes(name), `the engine wasm exports ${name}`);
  }
  assert.ok(engine.includes('engine_decide') && engine.includes('ingestShopify'), 'the engine wasm decides and ingests');
  for (const name of operatorOnly) assert.ok(report.includes(name), `the report wasm lacks ${name}`);
  assert.deepEqual(report.filter((name) => /^engine_|^ingest|^lookupKey$/.test(name)), [], 'the report wasm carries no engine');
});

// Issue 20: what only operators run moved to the report module too; it answers as the engine did.
test('validatePolicy, shopperView and funnel load the report module and answer as before', async () => {
  await rekindle.init();
  const pending = rekindle.validatePolicy({ ...rekindle.defaultPolicy(), holdoutPercent: 7 });
  assert.ok(pending instanceof Promise, 'validatePolicy is async: it runs in the report module');
  const normalised = await pending;
  assert.equal(normalised.holdoutPercent, 7);
  assert.equal(normalised.version, new rekindle.Engine(normalised).policyVersion, 'its output is a playbook the engine takes');
  await assert.rejects(rekindle.validatePolicy({ ...rekindle.defaultPolicy(), holdoutPercent: 140, storeTimeZone: 'Mars/Olympus_Mons' }), (error) => {
    assert.ok(error instanceof rekindle.RekindleError);
    assert.equal(error.code, 'INVALID_POLICY');
    assert.deepEqual(error.problems.map((p) => p.path), ['$.holdoutPercent', '$.storeTimeZone']);
    return true;
  });
  const { state } = new rekindle.Engine().decide('contact-v', null, checkout('e1', 'cv'), NOW);
  const view = await rekindle.shopperView(state);
  assert.equal(view.journeys.length, 1);
  assert.ok(!JSON.stringify(view).includes('ada@example.com'), 'the view masks the address');
  await assert.rejects(rekindle.shopperView('{"id":'), { name: 'RekindleError', code: 'MALFORMED_JSON' });
  const funnel = await rekindle.funnel([state]);
  assert.equal(funnel.abandoned, 1);
});

test('report calls load the report module on first use, and agree with a decision\'s outcome lines', async () => {
  await rekindle.init();
  const { outcomes } = new rekindle.Engine().decide('contact-r', null, checkout('e1', 'cr'), NOW);
  assert.ok(outcomes.length > 0, 'a first decision logs its abandonment');
  const log = { outcomes, rollups: [] };
  const pending = rekindle.report(log);
  assert.ok(pending instanceof Promise, 'report() is async: its module loads on the first call');
  const { treated, holdout } = await pending;
  assert.equal(treated.abandoned + holdout.abandoned, 1);
  assert.equal((await rekindle.rollup(log, 'channel')).length >= 0, true);
  assert.match(await rekindle.reportCsv(log), /^dimension,/);
  assert.equal(await rekindle.messageRecord(log, 'no-such-send'), null);
  await assert.rejects(rekindle.rollup(log, 'weekday'), { name: 'RekindleError', code: 'INVALID_FIELD' });
});

test('slim: the report needs its module brought, like the engine', async () => {
  await assert.rejects(slim.report({ outcomes: [], rollups: [] }), { code: 'NO_WASM_SOURCE' });
  await slim.initReport(await readFile(new URL('report_bg.wasm', dist)));
  const { treated } = await slim.report({ outcomes: [], rollups: [] });
  assert.equal(treated.abandoned, 0);
});
