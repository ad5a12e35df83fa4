// examples/storefront-embed in real headless Chromium: the example installed with the packed
// package and its assets copied as its README says (`npm run assets`), served as a merchant's
// host would, and a Rekindle handler on another origin receiving the beacon. Product →
// cart → checkout: with consent the abandonment reaches the handler and is accepted, with CORS
// for the shop's origin; without consent nothing leaves the page; a missing wasm breaks nothing.
//
//   node scripts/build.mjs && node --test tests/examples/storefront-embed.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { closeServer } from '../server/fake-providers.mjs';
import { SECRETS, server, serverNode, testPolicy } from '../server/harness.mjs';
import { assertReadmeQuotesExample, installExample, waitFor } from './common.mjs';

const ENDPOINT_IN_EXAMPLE = 'https://recover.example.com/beacon';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript', '.wasm': 'application/wasm' };
const TEST_TIMEOUT_MS = 60_000;

let project, shop, rekindle, browser;
const beacons = []; // every request the handler answered on /beacon
const hosting = { wasmMissing: false };

/**
 * The merchant's host: a plain static server over the example's folder (pages, theme.css,
 * assets/rekindle/), with the endpoint in the pages set to `endpoint()`.
 */
async function startShop(root, endpoint) {
  const http = createServer(async (req, res) => {
    const { pathname } = new URL(req.url, 'http://127.0.0.1');
    try {
      if (!/^(\/assets\/rekindle)?\/[\w-]+\.(html|css|js|wasm)$/.test(pathname)) return res.writeHead(404).end();
      if (hosting.wasmMissing && pathname.endsWith('.wasm')) return res.writeHead(404).end();
      let body = await readFile(join(root, pathname));
      if (pathname.endsWith('.html')) body = body.toString('utf8').replaceAll(ENDPOINT_IN_EXAMPLE, endpoint());
      res.writeHead(200, { 'content-type': TYPES[extname(pathname)], 'cache-control': 'no-store' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${http.address().port}`, close: () => closeServer(http) };
}

/** Rekindle's handler, allowing the shop's origin; each beacon request and its answer recorded. */
async function startRekindle(shopOrigin) {
  const store = server.memoryStore();
  const handler = server.createHandler({
    store, policy: testPolicy(), secrets: SECRETS, transports: {},
    publicUrl: 'https://recover.example.com',
    beacon: { allowedOrigins: [shopOrigin] },
  });
  const recording = async (request, env, ctx) => {
    const body = request.method === 'POST' ? await request.clone().text() : '';
    const response = await handler(request, env, ctx);
    if (new URL(request.url).pathname === '/beacon') {
      beacons.push({ method: request.method, origin: request.headers.get('origin'), body, status: response.status, allowOrigin: response.headers.get('access-control-allow-origin'), answer: await response.clone().text() });
    }
    return response;
  };
  const http = createServer(serverNode.toNodeListener(recording));
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${http.address().port}`, store, close: async () => { await closeServer(http); await store.close(); } };
}

before(async () => {
  project = await installExample('storefront-embed');
  await promisify(execFile)('npm', ['run', 'assets'], { cwd: project.dir });
  shop = await startShop(project.dir, () => `${rekindle.url}/beacon`); // the handler's URL is known once the shop's origin is
  rekindle = await startRekindle(shop.origin);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await rekindle?.close();
  await shop?.close();
  await project?.remove();
});

/** A fresh browser context; page errors and every request body leaving the page are collected. */
async function openPage() {
  beacons.length = 0;
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  const sent = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  context.on('request', (request) => sent.push({ url: request.url(), body: request.postData() ?? '' }));
  return { context, page, errors, sent };
}

const engineReady = (page) => page.waitForFunction(() => sessionStorage.getItem('rekindle:session'), null, { timeout: 15_000 });

/** Product → add to cart → checkout, the email typed, shipping shown; consent given on the way or not. */
async function shopAndLeave(page, { consent }) {
  await page.goto(`${shop.origin}/product.html`);
  await Promise.all([page.waitForURL('**/cart.html**'), page.click('#add')]);
  await engineReady(page);
  if (consent) await page.check('#rekindle-consent input[name=analytics]');
  await Promise.all([page.waitForURL('**/checkout.html'), page.click('#to-checkout')]);
  await engineReady(page);
  await page.fill('#email', 'ada@example.com');
  if (consent) await page.check('#accepts-email');
  await page.click('#to-shipping');
  assert.equal(await page.isVisible('#shipping'), true);
  await page.goto('about:blank'); // the shopper leaves: pagehide
}

test('with consent: the abandonment beacon reaches the handler, is accepted, with CORS for the shop', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page, errors } = await openPage();
  try {
    await shopAndLeave(page, { consent: true });
    await waitFor('the abandonment beacon at the handler', () => beacons.some((b) => b.body.includes('"abandoned"')));
    for (const beacon of beacons) {
      assert.equal(beacon.origin, shop.origin);
      assert.equal(beacon.status, 202, beacon.answer);
      assert.equal(beacon.allowOrigin, shop.origin, 'the shop page may read the answer');
    }
    const events = beacons.flatMap((b) => JSON.parse(b.body).events);
    const abandoned = events.filter((e) => e.type === 'abandoned').at(-1);
    assert.equal(abandoned.cart.stage, 'checkout');
    assert.deepEqual(abandoned.cart.items, [{ title: 'Merino wool socks', variant: 'M', quantity: 2, unitPrice: 1800, productId: 'gid://shopify/Product/1' }]);
    assert.equal(abandoned.contact.email, 'ada@example.com', 'with marketing consent the email goes');
    assert.ok(events.some((e) => e.type === 'consentChanged' && e.channel === 'email' && e.status === 'granted'));
    assert.ok(beacons.some((b) => JSON.parse(b.answer).applied >= 1), 'the engine applied the events');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('without consent: the same visit sends nothing, and nothing personal leaves the page', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page, errors, sent } = await openPage();
  try {
    await shopAndLeave(page, { consent: false });
    await page.waitForTimeout(3000); // longer than the consented visit took to send
    assert.deepEqual(beacons, [], 'no beacon at all without analytics consent');
    assert.deepEqual(sent.filter((r) => r.url.startsWith(rekindle.url)), []);
    assert.deepEqual(sent.filter((r) => r.url.includes('ada%40') || r.body.includes('ada@')), [], 'the email stays on the page');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the embed failing (its wasm 404) breaks nothing on the page', { timeout: TEST_TIMEOUT_MS }, async () => {
  hosting.wasmMissing = true;
  const { context, page, errors, sent } = await openPage();
  try {
    const warnings = [];
    page.on('console', (message) => message.type() === 'warning' && warnings.push(message.text()));
    await page.goto(`${shop.origin}/product.html`);
    await Promise.all([page.waitForURL('**/cart.html**'), page.click('#add')]);
    await Promise.all([page.waitForURL('**/checkout.html'), page.click('#to-checkout')]);
    await page.check('#rekindle-consent input[name=analytics]');
    await page.fill('#email', 'ada@example.com');
    await page.check('#accepts-email');
    await page.click('#to-shipping');
    assert.equal(await page.isVisible('#shipping'), true, "the theme's own script works");
    await waitFor('the warning that says why', () => warnings.some((w) => w.includes('engine unavailable')));
    assert.ok(sent.some((r) => r.url.endsWith('.wasm')), 'the wasm was asked for (and 404)');
    await page.goto('about:blank');
    await page.waitForTimeout(1500);
    assert.deepEqual(beacons, [], 'without the engine nothing is sent');
    assert.deepEqual(errors, [], 'no uncaught error on the page');
  } finally {
    hosting.wasmMissing = false;
    await context.close();
  }
});

test('the README\'s code is the example\'s own', () => assertReadmeQuotesExample('storefront-embed'));
