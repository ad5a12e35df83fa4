// examples/vercel-edge in Vercel's edge runtime emulation (the `edge-runtime` package): the
// example installed with the packed package; its route bundled as Vercel bundles an edge function
// (the `edge-light` export condition; a `.wasm?module` import becomes a WebAssembly.Module the
// runtime provides, as Vercel and Next.js do); the store route run on Node against a real
// redis-server. Checkout → the cron's tick sends the first email → order → nothing more.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { EdgeRuntime, runServer } from 'edge-runtime';
import { fakeSendgrid, fakeTwilio } from '../server/fake-providers.mjs';
import { SECRETS, SENDGRID_KEY, TEMPLATES, TWILIO, abandonedCheckout, postShopify, rekindle, server, serverNode, testPolicy } from '../server/harness.mjs';
import { startRedis } from '../server/redis-server.mjs';
import { storeContract } from '../server/store-contract.mjs';
import { storeEndpoint, storeOverHttp } from '../../examples/vercel-edge/lib/store-over-http.js';
import { assertReadmeQuotesExample, installExample, orderForCheckout, sleep, startProcess } from './common.mjs';

const ROUTE = 'app/api/rekindle/[...path]/route.js';
const STORE_ROUTE = 'app/api/rekindle-store/route.js';
const REPORT_ROUTE = 'app/api/rekindle-report/[...path]/route.js';
const REPORTS_SECRET = 'reports-secret';
const STORE_SECRET = 'store-secret';
const CRON_SECRET = 'cron-secret';

let example, redis, twilio, sendgrid, storeRoute, storeUrl, reportRoute, reportBase, edge, runtime, base, bundled, inspect;

/**
 * The route bundled for the edge: `edge-light` first among the export conditions, every
 * `<file>.wasm?module` import turned into a global the runtime defines (Next.js names them
 * `wasm_<name>`), and the route's method exports served through a fetch listener.
 */
async function bundleForEdge(dir, entry) {
  const wasm = new Map();
  const { outputFiles, metafile } = await esbuild.build({
    absWorkingDir: dir,
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: '__route',
    platform: 'browser',
    conditions: ['edge-light', 'worker', 'browser'],
    metafile: true,
    logLevel: 'silent',
    plugins: [{
      name: 'wasm-module',
      setup(build) {
        build.onResolve({ filter: /\.wasm\?module$/ }, (args) => {
          const file = join(args.resolveDir, args.path.replace(/\?module$/, ''));
          const name = `wasm_${wasm.size}`;
          wasm.set(name, file);
          return { path: name, namespace: 'wasm-module' };
        });
        build.onLoad({ filter: /.*/, namespace: 'wasm-module' }, (args) => ({ contents: `export default globalThis.${args.path};`, loader: 'js' }));
      },
    }],
    footer: { js: 'addEventListener("fetch", (event) => { const handle = __route[event.request.method]; event.respondWith(handle ? handle(event.request) : new Response(null, { status: 405 })); });' },
  });
  return { code: outputFiles[0].text, wasm, inputs: Object.keys(metafile.inputs) };
}

/**
 * Vercel's edge runtime compiles no WebAssembly at run time: only modules imported with `?module`
 * (compiled at deploy) can be instantiated. The `edge-runtime` package allows compiling bytes, so
 * the test takes it away, as Next.js's own edge sandbox does: compile, instantiate from bytes,
 * the streaming forms and `new WebAssembly.Module(bytes)` throw.
 */
function noWasmFromBytes(global) {
  const wasm = global.WebAssembly;
  const refuse = () => {
    throw new EvalError('Dynamic WASM code generation is not allowed in the Edge Runtime');
  };
  const isModule = (value) => Object.prototype.toString.call(value) === '[object WebAssembly.Module]';
  global.WebAssembly = Object.assign(Object.create(wasm), {
    compile: async () => refuse(),
    compileStreaming: async () => refuse(),
    instantiateStreaming: async () => refuse(),
    instantiate: async (source, imports) => (isModule(source) ? wasm.instantiate(source, imports) : refuse()),
    Module: new Proxy(wasm.Module, { construct: refuse }),
  });
}

before(async () => {
  example = await installExample('vercel-edge', { provided: ['next', 'react', 'react-dom'] });
  redis = await startRedis();
  twilio = await fakeTwilio({ ...TWILIO, authToken: SECRETS.twilioAuthToken });
  sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });

  // The store route, on Node in a process of its own, as Vercel runs a Node.js function.
  storeRoute = await startProcess(process.execPath, [fileURLToPath(new URL('serve-route.mjs', import.meta.url)), example.dir, STORE_ROUTE], {
    env: { ...process.env, REDIS_URL: redis.url, REKINDLE_STORE_SECRET: STORE_SECRET },
    ready: /listening (http:\/\/127\.0\.0\.1:\d+)/,
  });
  storeUrl = `${storeRoute.match[1]}/api/rekindle-store`;
  // The report and the roll-up: a Node.js function too, over the same Redis (issue 20: the
  // report's wasm stays out of the edge function).
  reportRoute = await startProcess(process.execPath, [fileURLToPath(new URL('serve-route.mjs', import.meta.url)), example.dir, REPORT_ROUTE], {
    env: { ...process.env, REDIS_URL: redis.url, REKINDLE_POLICY: JSON.stringify(testPolicy()), REKINDLE_SALT: SECRETS.salt, REKINDLE_REPORTS_SECRET: REPORTS_SECRET, CRON_SECRET, PUBLIC_URL: 'https://shop.example.com' },
    ready: /listening (http:\/\/127\.0\.0\.1:\d+)/,
  });
  reportBase = `${reportRoute.match[1]}/api/rekindle-report`;

  bundled = await bundleForEdge(example.dir, ROUTE);
  const env = {
    REKINDLE_STORE_URL: storeUrl,
    REKINDLE_STORE_SECRET: STORE_SECRET,
    REKINDLE_POLICY: JSON.stringify(testPolicy()),
    REKINDLE_SALT: SECRETS.salt,
    SHOPIFY_API_SECRET: SECRETS.shopify,
    TWILIO_AUTH_TOKEN: SECRETS.twilioAuthToken,
    SENDGRID_WEBHOOK_PUBLIC_KEY: SECRETS.sendgridPublicKey,
    CRON_SECRET,
    SENDGRID_API_KEY: SENDGRID_KEY,
    EMAIL_FROM: 'shop@example.com',
    SENDGRID_TEMPLATES: JSON.stringify(TEMPLATES),
    SENDGRID_API_URL: sendgrid.url,
    TWILIO_ACCOUNT_SID: TWILIO.accountSid,
    TWILIO_MESSAGING_SERVICE_SID: TWILIO.messagingServiceSid,
    TWILIO_API_URL: twilio.url,
    PUBLIC_URL: 'https://shop.example.com',
  };
  const modules = new Map();
  for (const [name, file] of bundled.wasm) modules.set(name, await WebAssembly.compile(await readFile(file)));
  runtime = new EdgeRuntime({
    extend: (context) => {
      for (const [name, module] of modules) context[name] = module;
      context.process = { env }; // what Vercel gives an edge function: process.env only
      return context;
    },
  });
  runtime.evaluate(`(${noWasmFromBytes})(globalThis);`); // evaluated in the runtime's own realm
  runtime.evaluate(bundled.code);
  edge = await runServer({ runtime, host: '127.0.0.1', port: 0 });
  base = `${edge.url.replace(/\/$/, '')}/api/rekindle`;
  // The store as the test sees it: the same Redis, read directly.
  inspect = await serverNode.redisStore(redis.url);
});

after(async () => {
  await edge?.close();
  await inspect?.close();
  await storeRoute?.stop();
  await reportRoute?.stop();
  await twilio?.close();
  await sendgrid?.close();
  await redis?.stop();
  await example?.remove();
});

// The hop itself keeps the store contract: the contract's cases through storeOverHttp, served by
// storeEndpoint over a memory store on 127.0.0.1.
storeContract('over HTTP (examples/vercel-edge)', async () => {
  const behind = server.memoryStore();
  const http = createServer(serverNode.toNodeListener(storeEndpoint(() => behind, STORE_SECRET)));
  await new Promise((ready) => http.listen(0, '127.0.0.1', ready));
  const store = storeOverHttp({ url: `http://127.0.0.1:${http.address().port}/`, secret: STORE_SECRET });
  return { store, cleanup: () => new Promise((done) => { http.closeAllConnections(); http.close(done); }) };
});

test('bundled for the edge: the edge-light entry, its wasm as a module, no Node built-ins', () => {
  const rekindleFiles = bundled.inputs.filter((p) => p.includes('node_modules/rekindle/')).map((p) => p.replace(/^.*node_modules\/rekindle\//, ''));
  assert.ok(rekindleFiles.includes('dist/edge-light.js'), `the edge-light entry; got ${rekindleFiles.join(', ')}`);
  assert.deepEqual([...bundled.wasm.values()].map((f) => f.replace(/^.*node_modules\/rekindle\//, '')), ['dist/rekindle_bg.wasm']);
  assert.deepEqual(bundled.inputs.filter((p) => p.startsWith('node:') || p.includes('ioredis')), []);
  assert.equal(runtime.context.__route.runtime, 'edge', 'the route asks Vercel for the edge runtime');
});

test('the runtime refuses to compile wasm bytes, as Vercel does: the engine came from the ?module import', async () => {
  const refused = await runtime.evaluate('WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])).then(() => "compiled", (e) => e.message)');
  assert.match(refused, /not allowed/);
});

test('checkout → the cron tick sends the first email → order → nothing more is sent', async () => {
  const shopper = { token: 've-001', customerId: '920000000000000001', email: 've-001@example.com', phone: '+15125550301' };
  // Abandoned 5 minutes ago: the email step (5 minutes after abandonment) is due now.
  const checkout = await abandonedCheckout({ ...shopper, at: new Date(Date.now() - 5 * 60_000).toISOString() });
  const [{ contactId }] = rekindle.ingest.shopify('checkouts/create', 'x', checkout, SECRETS.salt, Date.now()).routed;

  assert.equal((await postShopify(base, 'checkouts/create', checkout, { hmac: 'AAAA' })).status, 401, 'the Shopify secret is in force');
  const created = await postShopify(base, 'checkouts/create', checkout);
  assert.equal(created.status, 200, await created.clone().text());
  assert.deepEqual(await created.json(), { applied: 1, unmatched: 0 });
  assert.equal((await inspect.load(contactId)).version, 1, 'the state reached Redis through the store route');

  // What Vercel Cron sends; anyone else is refused.
  const cron = (secret) => fetch(`${base}/tick`, { headers: secret ? { authorization: `Bearer ${secret}` } : {} });
  assert.equal((await cron()).status, 401);
  assert.equal((await cron('wrong')).status, 401);
  const ticked = await cron(CRON_SECRET);
  assert.equal(ticked.status, 200);
  assert.deepEqual(await ticked.json(), { due: 1, sent: 1, failed: 0, retrying: 0 });
  const mailsTo = () => sendgrid.mails.filter((m) => m.mail.personalizations[0].to[0].email === shopper.email);
  assert.equal(mailsTo().length, 1);
  assert.equal(mailsTo()[0].mail.template_id, TEMPLATES['cart.email.confirm']);
  assert.match(JSON.stringify(mailsTo()[0].mail), /https:\/\/shop\.example\.com\/api\/rekindle\/r\//, 'links carry the public URL and the base path');
  const pending = (await inspect.dueBefore(Number.MAX_SAFE_INTEGER, 100)).filter((d) => d.contactId === contactId && d.id.startsWith('j_')); // sends, not the contact's housekeeping
  assert.deepEqual(pending.map((d) => d.id.replace(/^j_[0-9a-f]+\./, '')), ['sms-1.sms.0'], 'the SMS is still to come: the order has something to cancel');

  const ordered = await postShopify(base, 'orders/create', await orderForCheckout(shopper));
  assert.deepEqual(await ordered.json(), { applied: 1, unmatched: 0 });
  assert.deepEqual((await inspect.dueBefore(Number.MAX_SAFE_INTEGER, 100)).filter((d) => d.contactId === contactId && d.id.startsWith('j_')), [], 'the order unscheduled the SMS');
  assert.equal(JSON.parse((await inspect.load(contactId)).state).journeys[0].status, 'recovered');
  assert.deepEqual(await (await cron(CRON_SECRET)).json(), { due: 0, sent: 0, failed: 0, retrying: 0 });
  const health = await (await fetch(`${base}/health`)).json(); // the store's dueSummary, over the hop
  assert.deepEqual([health.ok, health.scheduler, health.due], [true, 'tick', 0], JSON.stringify(health));
  assert.ok(Date.now() - Date.parse(health.lastTick) < 60_000, 'the cron tick was recorded');
  await sleep(200);
  assert.equal(mailsTo().length, 1, 'one email');
  assert.deepEqual(twilio.messages, [], 'no SMS');

  // The report, from the Node.js function: the edge wrote the outcome lines through the store route.
  const report = (secret) => fetch(`${reportBase}/report`, { headers: secret ? { authorization: `Bearer ${secret}` } : {} });
  assert.equal((await report()).status, 401);
  const figures = await report(REPORTS_SECRET);
  assert.equal(figures.status, 200, await figures.clone().text());
  const { treated, holdout } = await figures.json();
  assert.equal(treated.abandoned + holdout.abandoned, 1, 'the journey the edge decided is counted');
  assert.equal(treated.recovered + holdout.recovered, 1, 'and its order');
  // The hourly roll-up cron: its secret, then nothing settled yet to fold.
  const rollup = (secret) => fetch(`${reportBase}/rollup`, { headers: secret ? { authorization: `Bearer ${secret}` } : {} });
  assert.equal((await rollup('wrong')).status, 401);
  const rolled = await rollup(CRON_SECRET);
  assert.equal(rolled.status, 200);
  assert.deepEqual(await rolled.json(), { rolledUp: 0 }, 'a journey abandoned minutes ago is not settled');
});

// Issue 20: what only operators run lives in the report module, which the edge function leaves
// out; at the edge each such call rejects with a typed error, and the engine still decides.
test('at the edge, the report and the operator\'s views reject with REPORT_NOT_IN_EDGE_BUILD', async () => {
  const { writeFile } = await import('node:fs/promises');
  const probe = 'edge-probe.js';
  await writeFile(join(example.dir, probe), `import { init, Engine, defaultPolicy, validatePolicy, shopperView, funnel, report } from 'rekindle';
export async function GET() {
  await init();
  const { state } = new Engine().decide('c1', null, ${JSON.stringify(JSON.stringify({ id: 'e1', at: '2026-11-27T15:00:00Z', type: 'checkoutUpdated', cart: { token: 'c1', stage: 'checkout', currency: 'USD', recoveryUrl: 'https://shop.example/c1', items: [{ title: 'Socks', quantity: 1, unitPrice: 1800 }] }, contact: { email: 'a@example.com' }, acceptsEmail: true }))}, Date.parse('2026-11-27T15:00:00Z'));
  const calls = { validatePolicy: () => validatePolicy(defaultPolicy()), shopperView: () => shopperView(state), funnel: () => funnel([state]), report: () => report({ outcomes: [], rollups: [] }) };
  const codes = {};
  for (const [name, call] of Object.entries(calls)) codes[name] = await call().then(() => 'resolved', (e) => [e.name, e.code]);
  return Response.json({ decided: typeof state, codes });
}
`);
  const probed = await bundleForEdge(example.dir, probe);
  assert.deepEqual([...probed.wasm.values()].map((f) => f.replace(/^.*node_modules\/rekindle\//, '')), ['dist/rekindle_bg.wasm'], 'the engine wasm only');
  const module = await WebAssembly.compile(await readFile([...probed.wasm.values()][0]));
  const edgeProbe = new EdgeRuntime({ extend: (context) => Object.assign(context, { [[...probed.wasm.keys()][0]]: module }) });
  edgeProbe.evaluate(`(${noWasmFromBytes})(globalThis);`);
  edgeProbe.evaluate(probed.code);
  const answer = await (await edgeProbe.dispatchFetch('http://127.0.0.1/probe')).json();
  const refused = ['RekindleError', 'REPORT_NOT_IN_EDGE_BUILD'];
  assert.deepEqual(answer, { decided: 'string', codes: { validatePolicy: refused, shopperView: refused, funnel: refused, report: refused } });
});

test('the store route refuses callers without its secret, and methods outside the contract', async () => {
  const call = (secret, body) => fetch(storeUrl, { method: 'POST', headers: secret ? { authorization: `Bearer ${secret}` } : {}, body: JSON.stringify(body) });
  assert.equal((await call(undefined, { method: 'eraseAll', args: [] })).status, 401);
  assert.equal((await call('nope', { method: 'eraseAll', args: [] })).status, 401);
  assert.equal((await call(STORE_SECRET, { method: 'close', args: [] })).status, 400);
  assert.equal((await call(STORE_SECRET, { method: 'constructor', args: [] })).status, 400);
  assert.deepEqual(await (await call(STORE_SECRET, { method: 'load', args: ['nobody'] })).json(), { result: null });
});

test('vercel.json schedules the tick the edge route serves and the roll-up the report route serves', async () => {
  const { crons } = JSON.parse(await readFile(join(example.dir, 'vercel.json'), 'utf8'));
  assert.deepEqual(crons.map((c) => c.path), ['/api/rekindle/tick', '/api/rekindle-report/rollup']);
});

test('the README quotes the example files', async () => {
  await assertReadmeQuotesExample('vercel-edge');
});
