// The Web Pixel extension (examples/shopify-app/extensions/rekindle-pixel) in headless Chromium
// inside a Web Worker, the shape of Shopify's strict sandbox: no DOM, async storage, sendBeacon
// and the Standard API handed in through `shopify.extend('WebPixel::Render', …)`, which is what
// @shopify/web-pixels-extension's `register` calls. The extension is bundled from its source as
// Shopify's CLI bundles it (esbuild, one ESM file) with the real @shopify/web-pixels-extension
// and the built `rekindle/web-pixel`; it is fed Shopify's documented standard-event payloads
// (fixtures/standard-events.json), and its beacon must reach a local collector and be accepted
// by the server engine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';

const root = new URL('../../', import.meta.url);
const extension = new URL('examples/shopify-app/extensions/rekindle-pixel/', root);
const entry = new URL('examples/shopify-app/extensions/rekindle-pixel/src/index.js', root);
const rekindle = await import(new URL('pkg/dist/node.js', root));
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// The stand-in for Shopify's sandbox host, inside the worker: the Standard API the extension is
// handed (analytics.subscribe, browser.* as async proxies, init, settings, customerPrivacy), and
// events posted in from the page as Shopify's event bus delivers them.
const SANDBOX = `
const subscribers = [];
const memory = () => { const m = new Map(); return { getItem: async (k) => m.get(k) ?? null, setItem: async (k, v) => void m.set(k, String(v)), removeItem: async (k) => void m.delete(k) }; };
self.shopify = {
  extend(point, extension) {
    if (point !== 'WebPixel::Render') throw new Error('unknown extension point ' + point);
    extension({
      settings: SETTINGS,
      analytics: { subscribe: (name, handler) => { subscribers.push([name, handler]); return () => true; } },
      browser: {
        localStorage: memory(), sessionStorage: memory(),
        cookie: { get: async () => '', set: async () => '' },
        sendBeacon: async (url, body) => (await fetch(url, { method: 'POST', body, keepalive: true, headers: { 'content-type': 'text/plain' } })).ok,
      },
      init: INIT,
      customerPrivacy: { subscribe: () => () => true },
      _pixelInfo: { id: 'gid://shopify/WebPixel/1', type: 'APP', runtimeContext: 'STRICT' },
    });
  },
};
self.onmessage = ({ data }) => {
  for (const event of data) for (const [name, handler] of subscribers) if (name === 'all_events' || name === event.name || (name === 'all_standard_events' && event.type === 'standard')) handler(event);
};
try {
  await import('/pixel.js');
  postMessage({ ready: true, sandbox: { document: typeof document, window: typeof window, localStorage: typeof localStorage } });
} catch (error) {
  postMessage({ error: String(error && error.stack || error) });
}
`;

let server;
let origin;
let browser;
const beacons = [];
let pixelBundle;

before(async () => {
  await rekindle.init();
  const built = await esbuild.build({
    entryPoints: [entry.pathname],
    bundle: true, format: 'esm', write: false, target: 'es2022', logLevel: 'silent',
    alias: { 'rekindle/web-pixel': new URL('pkg/dist/storefront/web-pixel.js', root).pathname },
    nodePaths: [new URL('node_modules/', root).pathname],
  });
  pixelBundle = built.outputFiles[0].text;
  const wasm = await readFile(new URL('pkg/dist/storefront/pixel_bg.wasm', root));
  server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (req.method === 'POST' && url.pathname === '/apps/rekindle/beacon') {
      let body = '';
      for await (const chunk of req) body += chunk;
      beacons.push(JSON.parse(body));
      return res.writeHead(204).end();
    }
    const settings = { endpoint: `${origin}/apps/rekindle/beacon`, wasmUrl: `${origin}/web-pixel.wasm`, idleSeconds: '2', consentRequired: 'false' };
    const init = JSON.parse(await readFile(new URL('fixtures/standard-events.json', import.meta.url), 'utf8')).init;
    const js = (body) => res.writeHead(200, { 'content-type': 'text/javascript' }).end(body);
    if (url.pathname === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>sandbox</title>');
    if (url.pathname === '/sandbox.js') return js(`const SETTINGS = ${JSON.stringify(settings)}; const INIT = ${JSON.stringify(init)};\n${SANDBOX}`);
    if (url.pathname === '/pixel.js') return js(pixelBundle);
    if (url.pathname === '/web-pixel.wasm') return res.writeHead(200, { 'content-type': 'application/wasm' }).end(wasm);
    res.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

test('the extension\'s toml is a strict-sandbox web pixel with the settings its entry reads', async () => {
  const { parse } = await import('smol-toml');
  const toml = parse(await readFile(new URL('shopify.extension.toml', extension), 'utf8'));
  assert.equal(toml.type, 'web_pixel_extension');
  assert.equal(toml.runtime_context, 'strict');
  assert.deepEqual(Object.keys(toml.settings.fields).sort(), ['consentRequired', 'endpoint', 'idleSeconds', 'wasmUrl']);
  for (const field of Object.values(toml.settings.fields)) assert.equal(field.type, 'single_line_text_field');
  assert.match(await readFile(entry, 'utf8'), /from '@shopify\/web-pixels-extension'/);
});

test('in a Web Worker, fed Shopify\'s standard checkout events, the pixel sends the abandonment beacon, which the server engine accepts', { timeout: 60_000 }, async () => {
  const { events } = JSON.parse(await readFile(new URL('fixtures/standard-events.json', import.meta.url), 'utf8'));
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('worker', (w) => w.on('console', () => {}));
    await page.goto(`${origin}/`);
    const started = await page.evaluate(() => new Promise((resolve) => {
      const worker = new Worker('/sandbox.js', { type: 'module' });
      window.pixelWorker = worker;
      worker.onmessage = ({ data }) => resolve(data);
      worker.onerror = (e) => resolve({ error: e.message });
    }));
    assert.equal(started.error, undefined, started.error);
    assert.deepEqual(started.sandbox, { document: 'undefined', window: 'undefined', localStorage: 'undefined' }, 'a worker: no DOM, no synchronous storage');
    // Shopify's events, timestamped now so the capture's clock agrees with them.
    const now = Date.now();
    const timed = events.map((e, i) => ({ ...e, timestamp: new Date(now - (events.length - i) * 1000).toISOString() }));
    await page.evaluate((list) => window.pixelWorker.postMessage(list), timed);
    const deadline = Date.now() + 30_000;
    while (beacons.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(beacons.length > 0, 'a beacon reached the collector');
    const abandoned = beacons.flatMap((b) => b.events).find((e) => e.type === 'abandoned');
    assert.ok(abandoned, 'the checkout was reported left');
    assert.equal(abandoned.origin, 'storefront');
    assert.equal(abandoned.cart.stage, 'checkout');
    assert.equal(abandoned.cart.currency, 'USD');
    assert.deepEqual(abandoned.cart.items.map((i) => [i.title, i.quantity]), [['Merino wool socks', 2]]);
    assert.deepEqual(abandoned.cart.shipping, { state: 'known', minor: 599 }, 'the shipping cost the checkout showed');
    assert.equal(abandoned.contact.region, 'US-IL', 'from the shipping address');
    assert.equal(abandoned.contact.email, undefined, 'the pixel saw the email; without marketing permission (init.customerPrivacy) it stays in the sandbox');
    assert.ok(abandoned.reasons.some((r) => r.reason === 'extraCost'), 'left at the shipping cost');
    // The server build's engine reads every beacon as the handler would.
    for (const beacon of beacons) rekindle.ingest.beacon(JSON.stringify(beacon), 'salt');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
