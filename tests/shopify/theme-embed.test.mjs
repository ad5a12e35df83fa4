// The theme app extension (examples/shopify-app/extensions/rekindle-embed): its app embed block,
// rendered with liquidjs as Shopify renders Liquid (asset_url and money filters stood in for),
// loads the package's real storefront embed in headless Chromium on a cart page; the embed's
// beacon goes to the shop's own /apps/rekindle/beacon, where a stand-in for Shopify's app proxy
// signs it as Shopify does and hands it to appProxy (js-shim/server/shopify/app-proxy.js),
// which verifies it and forwards it to the handler's /beacon.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Liquid } from 'liquidjs';
import { chromium } from 'playwright-core';
import { appProxy } from '../../js-shim/server/shopify/app-proxy.js';

const root = new URL('../../', import.meta.url);
const extension = new URL('examples/shopify-app/extensions/rekindle-embed/', root);
// What Shopify's CDN serves for the extension: its assets/ (filled from the package build, theme-assets.test.mjs).
const assets = new URL('assets/', extension);
const SECRET = 'app-client-secret';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let shop;
let origin;
let browser;
const forwarded = [];

/** The block's Liquid and its `{% schema %}` JSON, apart. */
async function block() {
  const text = await readFile(new URL('blocks/rekindle.liquid', extension), 'utf8');
  const [liquid, rest] = text.split('{% schema %}');
  return { liquid, schema: JSON.parse(rest.split('{% endschema %}')[0]) };
}

async function render(settings) {
  const engine = new Liquid();
  engine.registerFilter('asset_url', (name) => `/cdn/extensions/rekindle-embed/assets/${name}`);
  engine.registerFilter('money_without_currency', (cents) => (cents / 100).toFixed(2));
  const { liquid } = await block();
  return engine.parseAndRender(liquid, {
    block: { settings },
    template: { name: 'cart' },
    routes: { root_url: '/', cart_url: '/cart' },
    shop: { url: origin },
    cart: {
      token: 'cart-theme-1', item_count: 2, currency: { iso_code: 'USD' },
      items: [{ product: { title: 'Merino wool socks', type: 'Socks', has_only_default_variant: false }, variant: { title: 'M' }, quantity: 2, final_price: 1800, product_id: 1 }],
    },
  });
}

before(async () => {
  // The proxy's app side: verified requests land here, as the handler's /beacon would get them.
  const proxy = appProxy({
    secret: SECRET,
    forward: async (request, context) => {
      forwarded.push({ path: new URL(request.url).pathname, context, body: JSON.parse(await request.text()) });
      return new Response(JSON.stringify({ applied: 1, unmatched: 0 }), { status: 202 });
    },
  });
  shop = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    try {
      if (url.pathname === '/cart') {
        const html = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Cart</title></head><body><h1>Your cart</h1>${await render(shop.settings)}</body></html>`;
        return res.writeHead(200, { 'content-type': 'text/html' }).end(html);
      }
      if (url.pathname.startsWith('/cdn/extensions/rekindle-embed/assets/')) {
        const name = url.pathname.split('/').pop();
        const type = name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript';
        return res.writeHead(200, { 'content-type': type }).end(await readFile(new URL(name, assets)));
      }
      if (url.pathname.startsWith('/apps/rekindle/')) {
        // Shopify's proxy: the same path under the app's proxy URL, its parameters added and signed.
        let body = '';
        for await (const chunk of req) body += chunk;
        const params = new URLSearchParams(url.search);
        params.set('shop', 'acme.myshopify.com');
        params.set('logged_in_customer_id', '');
        params.set('path_prefix', '/apps/rekindle');
        params.set('timestamp', String(Math.floor(Date.now() / 1000)));
        const message = [...params].map(([k, v]) => `${k}=${v}`).sort().join('');
        params.set('signature', createHmac('sha256', SECRET).update(message).digest('hex'));
        const target = `https://app.example/proxy${url.pathname.slice('/apps/rekindle'.length)}?${params}`;
        // Shopify forwards the shopper's address in X-Forwarded-For (here: the browser's socket).
        const answer = await proxy(new Request(target, { method: req.method, headers: { 'content-type': req.headers['content-type'] ?? 'text/plain', origin: req.headers.origin ?? '', 'x-forwarded-for': req.socket.remoteAddress }, body }));
        return res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
      }
      res.writeHead(404).end();
    } catch (error) {
      res.writeHead(500).end(String(error));
    }
  });
  shop.settings = {};
  await new Promise((resolve) => shop.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${shop.address().port}`;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => shop?.close(resolve));
});

test('the extension is a theme app extension whose block is an app embed on the body, with the settings the embed reads', async () => {
  const { parse } = await import('smol-toml');
  const toml = parse(await readFile(new URL('shopify.extension.toml', extension), 'utf8'));
  assert.equal(toml.type, 'theme');
  const { schema } = await block();
  assert.equal(schema.target, 'body');
  assert.deepEqual(schema.settings.map((s) => s.id).sort(), ['consent_required', 'idle_seconds', 'show_widget', 'text_version', 'wasm_url']);
  const html = await render({ consent_required: true, idle_seconds: 2, text_version: 'cart-v1', show_widget: true, wasm_url: 'https://app.example/storefront.wasm' });
  assert.match(html, /<script\s+async\s+src="\/cdn\/extensions\/rekindle-embed\/assets\/embed\.js"/);
  for (const attribute of ['data-endpoint="/apps/rekindle/beacon"', 'data-consent-required="true"', 'data-idle-seconds="2"', 'data-text-version="cart-v1"', 'data-widget="#rekindle-consent"', 'data-wasm="https://app.example/storefront.wasm"']) {
    assert.ok(html.includes(attribute), attribute);
  }
  assert.ok(html.includes('data-rekindle-cart data-token="cart-theme-1" data-currency="USD"'));
  assert.ok(html.includes('data-title="Merino wool socks" data-variant="M" data-quantity="2" data-price="18.00"'));
  const plain = await render({});
  assert.ok(!plain.includes('data-consent-required') && !plain.includes('data-widget') && !plain.includes('data-wasm'), 'unset settings add nothing');
});

test('on a cart page the block loads the real embed, whose beacon arrives first-party through the signed app proxy with the cart Liquid rendered', { timeout: 60_000 }, async () => {
  shop.settings = { idle_seconds: 1 };
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${origin}/cart`);
    await page.waitForFunction(() => sessionStorage.getItem('rekindle:session'), null, { timeout: 20_000 });
    // Leaving the page sends what was captured (pagehide), as a shopper closing the tab does.
    await page.goto('about:blank');
    const deadline = Date.now() + 20_000;
    while (forwarded.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(forwarded.length > 0, 'a beacon came through the proxy');
    const [first] = forwarded;
    assert.equal(first.path, '/beacon');
    assert.deepEqual(first.context, { shop: 'acme.myshopify.com', loggedInCustomerId: null, clientAddress: '127.0.0.1' }, 'the shopper\'s own address, as Shopify forwarded it');
    const abandoned = forwarded.flatMap((f) => f.body.events).find((e) => e.type === 'abandoned');
    assert.ok(abandoned, 'the cart was reported left');
    assert.equal(abandoned.cart.token, 'cart-theme-1');
    assert.deepEqual(abandoned.cart.items.map((i) => [i.title, i.variant, i.quantity, i.unitPrice]), [['Merino wool socks', 'M', 2, 1800]]);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
