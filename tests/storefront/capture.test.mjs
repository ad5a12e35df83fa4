// Storefront capture in real headless Chromium against the local test shop (shop.mjs): the
// built scripts from pkg/dist/storefront, beacons received by a local collector, and every
// beacon event fed to the server build's engine, which must accept it.
//
//   node scripts/build.mjs && node --test tests/storefront/

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { chromium, devices } from 'playwright-core';
import { startShop } from './shop.mjs';

const rekindle = await import(new URL('../../pkg/dist/node.js', import.meta.url));
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const artifacts = new URL('../artifacts/', import.meta.url);
const TEST_TIMEOUT_MS = 60_000;

let browser;
let shop;

before(async () => {
  await rekindle.init();
  shop = await startShop();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await shop?.stop();
});

/** A fresh context (fresh storage) and page; page errors are collected, never ignored. */
async function openPage(contextOptions = {}, initScript) {
  shop.beacons.length = 0;
  shop.served.length = 0;
  const context = await browser.newContext(contextOptions);
  if (initScript) await context.addInitScript(initScript);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  return { context, page, errors };
}

/**
 * Wait until the lazy engine has loaded and taken its first step on this page (the state
 * names the page: an earlier page's state in sessionStorage does not count).
 */
const engineReady = (page) =>
  page.waitForFunction(() => sessionStorage.getItem('rekindle:session')?.includes(location.pathname), null, { timeout: 15_000 });

/** Cart → checkout (a same-site link) → email typed → shipping step shows its cost. */
async function reachShipping(page, query = '', { email } = {}) {
  await page.goto(`${shop.origin}/shop/cart${query}`);
  await engineReady(page);
  await Promise.all([page.waitForURL('**/shop/checkouts/c1**'), page.click('#to-checkout')]);
  await engineReady(page);
  if (email) {
    await page.fill('#email', email);
    await page.locator('#email').blur();
  }
  await page.click('#to-shipping');
}

/** Every event of every beacon, played through the server engine: it must accept them all. */
function assertEngineAccepts(beacons) {
  const engine = new rekindle.Engine();
  for (const { body } of beacons) {
    assert.equal(body.v, 1);
    assert.match(body.anonymousId, /^[\w-]{16,}$/);
    let state = null;
    for (const event of body.events) {
      assert.ok(event.id.startsWith(`${body.anonymousId}.`), 'event ids derive from the anonymous id');
      state = engine.decide(body.anonymousId, state, event, Date.parse(event.at)).state;
    }
  }
}

const abandonments = () => shop.beacons.flatMap((b) => b.body.events).filter((e) => e.type === 'abandoned');

test('cart, checkout, shipping cost shown, then idle: one beacon, reason extraCost', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page, errors } = await openPage();
  try {
    await reachShipping(page);
    const [beacon] = await shop.waitForBeacons(1);
    await page.waitForTimeout(2500); // another idle period: it must not tell the same story again
    assert.equal(shop.beacons.length, 1, 'exactly one beacon');
    const [event] = beacon.body.events;
    assert.equal(event.type, 'abandoned');
    assert.deepEqual(event.reasons, [{ reason: 'extraCost', confidence: 0.6 }]);
    assert.equal(event.cart.stage, 'checkout');
    assert.deepEqual(event.cart.items, [{ title: 'Merino wool socks', variant: 'M', quantity: 2, unitPrice: 1800, productId: 'gid://shopify/Product/1' }]);
    assert.deepEqual(event.cart.shipping, { state: 'known', minor: 599 });
    assert.equal(event.contact.timeZone, Intl.DateTimeFormat().resolvedOptions().timeZone);
    assert.match(event.contact.locale, /^[a-z]{2}/);
    assert.equal(event.contact.mobile, false);
    assert.equal(beacon.contentType, 'text/plain;charset=UTF-8', 'a simple request: no CORS preflight');
    assertEngineAccepts(shop.beacons);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('no marketing consent: no beacon carries personal data; a tick sends consent, then the email', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page, errors } = await openPage();
  try {
    await reachShipping(page, '', { email: 'ada@example.com' });
    await shop.waitForBeacons(1);
    assert.ok(!JSON.stringify(shop.beacons).includes('ada@'), 'no email without consent');
    assert.equal(abandonments()[0].contact.email, undefined);

    await page.check('#accepts-email');
    await page.click('#counter'); // an interaction, then idle again
    const beacons = await shop.waitForBeacons(2);
    const [consent] = beacons[1].body.events;
    assert.deepEqual(
      { type: consent.type, channel: consent.channel, status: consent.status, source: consent.source, textVersion: consent.textVersion },
      { type: 'consentChanged', channel: 'email', status: 'granted', source: 'storefront', textVersion: 'cart-email-v1' },
    );
    assert.equal(consent.evidence, 'Email me a reminder about my cart');
    await shop.waitForBeacons(3);
    assert.equal(abandonments().at(-1).contact.email, 'ada@example.com', 'with consent, the email goes with the next abandonment');
    assertEngineAccepts(shop.beacons);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('GPC on: honoured over the platform marketing default (ES module build)', { timeout: TEST_TIMEOUT_MS }, async () => {
  // GPC, and a Shopify Customer Privacy API that allows marketing by default.
  const { context, page, errors } = await openPage({}, () => {
    Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true });
    window.Shopify = { customerPrivacy: { analyticsProcessingAllowed: () => true, marketingAllowed: () => true, currentVisitorConsent: () => ({ analytics: 'yes', marketing: 'yes', sale_of_data: '' }) } };
  });
  try {
    await reachShipping(page, '?esm', { email: 'ada@example.com' });
    await shop.waitForBeacons(1);
    assert.equal(await page.evaluate(() => navigator.globalPrivacyControl), true);
    assert.equal(abandonments().length, 1, 'the anonymous summary still goes');
    assert.ok(!JSON.stringify(shop.beacons).includes('ada@'), 'no email under GPC');
    assertEngineAccepts(shop.beacons);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('mobile emulation, the shopper leaves (pagehide): the beacon arrives', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page, errors } = await openPage({ ...devices['Pixel 7'] });
  try {
    await reachShipping(page, '?idle=600');
    await page.goto(`${shop.origin.replace('127.0.0.1', 'localhost')}/elsewhere`); // another site
    const [beacon] = await shop.waitForBeacons(1);
    const [event] = beacon.body.events;
    assert.equal(event.contact.mobile, true);
    assert.deepEqual(event.reasons, [{ reason: 'extraCost', confidence: 0.8 }], 'an exit right after the cost');
    assertEngineAccepts(shop.beacons);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

// Counts, for the test: each page's opens of localStorage (window.localOpens), and the engine
// steps stored while a page unloads (sessionStorage 'test:unload-steps', which the next page
// of the tab reads). The counting listener is registered first, so it runs before Rekindle's.
const countStorage = () => {
  window.localOpens = 0;
  const local = Object.getOwnPropertyDescriptor(window, 'localStorage');
  Object.defineProperty(window, 'localStorage', { configurable: true, get() { window.localOpens += 1; return local.get.call(this); } });
  let unloading = false;
  addEventListener('pagehide', () => (unloading = true), { capture: true });
  const setItem = Storage.prototype.setItem;
  Storage.prototype.setItem = function (key, value) {
    if (unloading && key === 'rekindle:session') setItem.call(this, 'test:unload-steps', String(Number(this.getItem('test:unload-steps')) + 1));
    return setItem.call(this, key, value);
  };
};

test('a tab\'s later page opens no localStorage, a page that unloads steps the engine once, and the beacon keeps the lasting id', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page, errors } = await openPage({}, countStorage);
  try {
    await page.goto(`${shop.origin}/shop/cart?idle=600`);
    await engineReady(page);
    assert.equal(await page.evaluate(() => window.localOpens), 1, "the tab's first page reads the lasting id and the outbox");
    await Promise.all([page.waitForURL('**/shop/checkouts/c1**'), page.click('#to-checkout')]);
    await engineReady(page);
    await page.waitForTimeout(500); // past the idle flush
    assert.equal(await page.evaluate(() => sessionStorage.getItem('test:unload-steps')), '1', 'pagehide steps; the visibilitychange after it does not');
    assert.equal(await page.evaluate(() => window.localOpens), 0, 'the tab knows there is no lasting id and nothing queued');
    await page.click('#to-shipping');
    await page.goto(`${shop.origin.replace('127.0.0.1', 'localhost')}/elsewhere`);
    const [beacon] = await shop.waitForBeacons(1);
    await page.goto(`${shop.origin}/shop/cart?off`);
    assert.equal(await page.evaluate(() => localStorage.getItem('rekindle:id')), beacon.body.anonymousId, 'the beacon\'s id lasts');
    assertEngineAccepts(shop.beacons);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('offline, then back online: the queued beacon is delivered exactly once', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page, errors } = await openPage();
  try {
    await page.goto(`${shop.origin}/shop/checkouts/c1`);
    await engineReady(page);
    await context.setOffline(true);
    await page.click('#to-shipping'); // then idle: the abandonment is decided while offline
    await page.evaluate(() => window.Rekindle.track('paymentError'));
    await page.waitForFunction(() => JSON.parse(localStorage.getItem('rekindle:outbox') || '[]').length === 1, null, { timeout: 5000 });
    assert.equal(shop.beacons.length, 0, 'nothing could be sent');
    await context.setOffline(false); // the 'online' event flushes the outbox
    await shop.waitForBeacons(1);
    await page.reload(); // a later page finds nothing left to send
    await engineReady(page);
    await page.waitForTimeout(1500);
    assert.equal(shop.beacons.length, 1, 'delivered exactly once');
    assert.equal(await page.evaluate(() => localStorage.getItem('rekindle:outbox')), '[]');
    assert.deepEqual(abandonments()[0].reasons.map((r) => r.reason), ['paymentError', 'extraCost']);
    assertEngineAccepts(shop.beacons);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the Web Pixel entry fed with standard events gives the same summary as the DOM capture', { timeout: TEST_TIMEOUT_MS }, async () => {
  const dom = await openPage();
  let domEvent;
  try {
    await reachShipping(dom.page);
    await shop.waitForBeacons(1);
    [domEvent] = abandonments();
  } finally {
    await dom.context.close();
  }

  const { context, page, errors } = await openPage();
  try {
    await page.goto(`${shop.origin}/pixel`);
    await page.waitForFunction(() => window.pixelReady);
    await page.evaluate(async (endpoint) => {
      // The Standard API a Shopify pixel receives, backed by the page; events as Shopify sends them.
      const handlers = [];
      const area = (storage) => ({ getItem: async (k) => storage.getItem(k), setItem: async (k, v) => storage.setItem(k, v) });
      const api = {
        analytics: { subscribe: (name, handler) => handlers.push([name, handler]) },
        browser: { localStorage: area(localStorage), sessionStorage: area(sessionStorage), sendBeacon: async (url, body) => navigator.sendBeacon(url, body) },
        init: { context: { navigator: { language: 'en-US', userAgent: navigator.userAgent }, window: { screen: { width: 1280 } } },
          customerPrivacy: { analyticsProcessingAllowed: true, marketingAllowed: false, saleOfDataAllowed: true } },
        customerPrivacy: { subscribe: () => {} },
      };
      const ready = window.subscribeRekindle(api, { endpoint, idleSeconds: '2' });
      const emit = (name, data) => {
        const event = { id: crypto.randomUUID(), name, timestamp: new Date().toISOString(), type: 'standard', data, context: { document: { location: { origin: location.origin, pathname: '/checkouts/c1' } } } };
        for (const [subscribed, handler] of handlers) if (subscribed === 'all_standard_events' || subscribed === name) handler(event);
      };
      const money = (amount) => ({ amount, currencyCode: 'USD' });
      const variant = { title: 'M', price: money(18), product: { id: 'gid://shopify/Product/1', title: 'Merino wool socks', type: '' } };
      const checkout = (extra) => ({ token: 'c1', currencyCode: 'USD', email: 'ada@example.com', lineItems: [{ id: 'l1', title: 'Merino wool socks', quantity: 2, variant }], subtotalPrice: money(36), ...extra });
      emit('page_viewed', {});
      emit('product_added_to_cart', { cartLine: { quantity: 2, merchandise: variant, cost: { totalAmount: money(36) } } });
      emit('checkout_started', { checkout: checkout({}) });
      emit('checkout_contact_info_submitted', { checkout: checkout({}) });
      emit('checkout_shipping_info_submitted', { checkout: checkout({
        shippingLine: { price: money(5.99) },
        delivery: { selectedDeliveryOptions: [{ title: 'Standard', description: 'Arrives in 3–5 business days', cost: money(5.99) }] },
      }) });
      await ready;
    }, `${shop.origin}/collect`);
    const [beacon] = await shop.waitForBeacons(1);
    const [pixelEvent] = beacon.body.events;
    for (const field of ['reasons']) assert.deepEqual(pixelEvent[field], domEvent[field], field);
    for (const field of ['stage', 'items', 'shipping', 'token', 'currency']) assert.deepEqual(pixelEvent.cart[field], domEvent.cart[field], `cart.${field}`);
    assert.equal(pixelEvent.contact.email, undefined, 'the pixel sees the email; without consent it stays');
    assertEngineAccepts(shop.beacons);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a page whose wasm fails to load still works, and nothing on it breaks', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page, errors } = await openPage();
  try {
    const warnings = [];
    page.on('console', (message) => message.type() === 'warning' && warnings.push(message.text()));
    await page.goto(`${shop.origin}/shop/checkouts/c1?wasm=/rekindle/missing.wasm&idle=1`);
    await page.fill('#email', 'ada@example.com');
    await page.click('#to-shipping');
    await page.click('#counter');
    await page.click('#counter');
    assert.equal(await page.textContent('#counter'), 'Clicked 2 times', "the shop's own script works");
    assert.equal(await page.isVisible('#shipping'), true);
    await page.waitForTimeout(2000);
    await Promise.all([page.waitForURL('**/shop/cart**'), page.evaluate(() => { location.href = '/shop/cart?wasm=/rekindle/missing.wasm'; })]);
    const kept = await page.evaluate(() => sessionStorage.getItem('rekindle:pending'));
    assert.ok(kept.includes('shippingCost'), 'what the page saw waits for a page whose engine loads');
    assert.equal(shop.beacons.length, 0, 'without the engine nothing is sent');
    assert.ok(warnings.some((w) => w.includes('engine unavailable')), `a warning says why: ${warnings.join(' | ')}`);
    assert.deepEqual(errors, [], 'no uncaught error on the page');
  } finally {
    await context.close();
  }
});

for (const [query, where, workerUrl] of [['?idle=600', 'same-origin embed: the worker runs engine.js', /\/rekindle\/engine\.js$/], ['?idle=600&cdn', 'embed from a CDN: a blob worker imports engine.js', /^blob:/]]) {
  test(`the wasm is compiled and warmed in a worker: the page fetches it once, through the worker (${where})`, { timeout: TEST_TIMEOUT_MS }, async () => {
    const { context, page, errors } = await openPage();
    try {
      const workers = [];
      page.on('worker', (worker) => workers.push(worker.url()));
      await reachShipping(page, query);
      await page.goto(`${shop.origin.replace('127.0.0.1', 'localhost')}/elsewhere`); // the leave step builds the beacon
      const [beacon] = await shop.waitForBeacons(1);
      assert.deepEqual(beacon.body.events[0].reasons, [{ reason: 'extraCost', confidence: 0.8 }]);
      assert.equal(workers.length, 2, 'one compile worker per page (cart, checkout)');
      assert.ok(workers.every((url) => workerUrl.test(url)), workers.join(' '));
      // Had the worker failed, the page would have fetched the wasm a second time itself.
      assert.equal(shop.served.filter((name) => name === 'rekindle_bg.wasm').length, 2, shop.served.join(' '));
      assertEngineAccepts(shop.beacons);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}

test('without workers the page compiles the wasm itself, and the beacon is the same', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page, errors } = await openPage({}, () => {
    delete window.Worker;
  });
  try {
    await reachShipping(page, '?idle=600');
    await page.goto(`${shop.origin.replace('127.0.0.1', 'localhost')}/elsewhere`);
    const [beacon] = await shop.waitForBeacons(1);
    assert.deepEqual(beacon.body.events[0].reasons, [{ reason: 'extraCost', confidence: 0.8 }]);
    assert.equal(shop.served.filter((name) => name === 'rekindle_bg.wasm').length, 2, 'fetched by each page');
    assertEngineAccepts(shop.beacons);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

// A store's CSP that refuses workers: the embed falls back to compiling on the page, and asks the
// policy first where it can read it (js-shim/storefront/csp.js), so the browser logs no violation;
// a header policy cannot be read, and is refused once per visit, not once per page.
for (const [where, violations] of [['meta', 0], ['header', 1]]) {
  test(`a CSP ${where} that refuses workers: the page compiles the wasm itself, the beacon is the same, ${violations} CSP violation(s) logged in two pages`, { timeout: TEST_TIMEOUT_MS }, async () => {
    const { context, page, errors } = await openPage();
    try {
      const workers = [];
      const refused = [];
      page.on('worker', (worker) => workers.push(worker.url()));
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) refused.push(message.text());
      });
      await reachShipping(page, `?idle=600&csp=${where}`);
      await page.goto(`${shop.origin.replace('127.0.0.1', 'localhost')}/elsewhere`);
      const [beacon] = await shop.waitForBeacons(1);
      assert.deepEqual(beacon.body.events[0].reasons, [{ reason: 'extraCost', confidence: 0.8 }]);
      assert.deepEqual(workers, [], 'no worker runs');
      assert.equal(refused.length, violations, refused.join('\n'));
      assert.equal(shop.served.filter((name) => name === 'rekindle_bg.wasm').length, 2, 'fetched by each page');
      assertEngineAccepts(shop.beacons);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}

// Idle callbacks are held until the test releases them: the page never goes idle by itself.
const holdIdle = () => {
  const held = [];
  window.requestIdleCallback = (callback) => held.push(callback);
  window.releaseIdle = () => held.splice(0).forEach((callback) => callback({ didTimeout: false, timeRemaining: () => 50 }));
};
const pendingZones = (page) => page.evaluate(() =>
  JSON.parse(sessionStorage.getItem('rekindle:pending') || '[]').flatMap(([, o]) => ('environment' in o ? [o.environment.timeZone ?? null] : [])));

test('with Temporal, the time zone is read at once, with the device and GPC', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page, errors } = await openPage({ timezoneId: 'America/Chicago' }, holdIdle);
  try {
    assert.equal(await page.evaluate(() => typeof Temporal?.Now?.timeZoneId), 'function', 'this Chromium has Temporal');
    // No engine (its wasm is missing), so what the page observed stays pending, in order.
    await page.goto(`${shop.origin}/shop/cart?wasm=/rekindle/missing.wasm`);
    await page.evaluate(() => dispatchEvent(new PageTransitionEvent('pagehide')));
    assert.deepEqual(await pendingZones(page), ['America/Chicago'], 'one environment, with the zone, before any idle time');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('without Temporal, the time zone is read when the page is idle, or when the shopper leaves first', { timeout: TEST_TIMEOUT_MS }, async () => {
  const withoutTemporal = () => {
    delete globalThis.Temporal;
  };
  for (const [idleFirst, why] of [[false, 'left before idle: the zone is read on the way out'], [true, 'read once, when idle, not again on leaving']]) {
    const { context, page, errors } = await openPage({ timezoneId: 'America/Chicago' }, holdIdle);
    await context.addInitScript(withoutTemporal);
    try {
      // No engine (its wasm is missing), so what the page observed stays pending, in order.
      await page.goto(`${shop.origin}/shop/cart?wasm=/rekindle/missing.wasm`);
      if (idleFirst) await page.evaluate(() => releaseIdle());
      await page.evaluate(() => dispatchEvent(new PageTransitionEvent('pagehide')));
      assert.deepEqual(await pendingZones(page), [null, 'America/Chicago'], why);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  }
});

test('screenshot of the test storefront with the consent widget (for review)', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { context, page, errors } = await openPage({ viewport: { width: 900, height: 900 } });
  try {
    await page.goto(`${shop.origin}/shop/checkouts/c1?widget&idle=600`);
    await engineReady(page);
    await page.click('#to-shipping');
    await page.check('#rekindle-consent input[name=email]');
    await page.waitForFunction(() => document.querySelector('#rekindle-consent input[name=analytics]').checked, null, { timeout: 5000 });
    await mkdir(artifacts, { recursive: true });
    const path = new URL('storefront-consent-widget.png', artifacts);
    await page.screenshot({ path: path.pathname, fullPage: true });
    test.diagnostic?.(`screenshot: ${path.pathname}`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
