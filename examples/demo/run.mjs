// Drives the cast through the storefront and the platform's webhooks, on the demo's clock.
// Simulated: jump from one moment to the next (a script step, a reaction, or the next due
// send), ticking the runtime at each; fast and the same every run. Live: wait for the
// accelerated clock and let a timer tick the runtime, as a long-lived server would.

import { postTwilioInbound, SECRETS } from './platform.mjs';

const form = (fields) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' });

async function must(response, what) {
  if (response.status >= 400) throw new Error(`${what}: ${response.status} ${await response.text()}`);
  return response;
}

/** What a shopper's browser and phone do, through the storefront's and Rekindle's own endpoints. */
function actionsFor(demo, clock, browser, shopper, state) {
  const contactFields = (lines, token) => ({
    token, firstName: shopper.firstName, email: shopper.email, phone: shopper.phone, country: shopper.country ?? 'US', province: shopper.province,
    ...(shopper.customerId ? { customerId: shopper.customerId } : {}),
    ...(shopper.smsConsent ? { smsConsent: 'on' } : {}), acceptsEmail: 'on',
    ...Object.fromEntries(lines.map((l) => [`qty-${l.id}`, String(l.quantity)])),
  });
  const current = (o = {}) => (o.previous ? shopper.history : shopper);
  return {
    checkout: (o) => must(fetch(`${demo.shopUrl}/checkout`, form(contactFields(current(o).lines, current(o).token))), `${shopper.key} checkout`),
    shipping: (o) => must(fetch(`${demo.shopUrl}/checkout/${current(o).token}/shipping`, { method: 'POST' }), `${shopper.key} shipping`),
    pay: (o) => must(fetch(`${demo.shopUrl}/checkout/${current(o).token}/pay`, { method: 'POST' }), `${shopper.key} pay`),
    buyElsewhere: () => must(fetch(`${demo.shopUrl}/buy-now`, form(contactFields(shopper.lines, ''))), `${shopper.key} buy on another device`),
    /**
     * The shopper's browser, in their time zone and on the demo's clock, opens the checkout,
     * looks at shipping if the script says so, and goes still: the storefront embed itself
     * decides it is an abandonment and sends the beacon (js-shim/storefront/BEACON.md).
     */
    abandon: async ({ sawShipping = false } = {}) => {
      const context = await browser.newContext({ timezoneId: shopper.timeZone, locale: 'en-US' });
      try {
        const page = await context.newPage();
        await page.clock.install({ time: clock.now() });
        await page.goto(`${demo.shopUrl}/checkout/${shopper.token}`);
        if (sawShipping) await page.click('#to-shipping');
        const reported = () => demo.journal.entries().some((e) => e.event.type === 'abandoned' && e.event.cartToken === shopper.token);
        for (let i = 0; i < 100 && !reported(); i += 1) {
          await page.clock.runFor(1_000); // the page's idle timer, on the page's own clock
          await new Promise((resolve) => setTimeout(resolve, 50)); // the beacon's real round trip
        }
        if (!reported()) throw new Error(`${shopper.key}: the storefront embed never reported the abandonment`);
      } finally {
        await context.close();
      }
    },
    /** The signed recovery link from the latest email in the outbox. */
    click: async (o, message) => {
      const response = await must(fetch(message.data.recoveryUrl, { redirect: 'manual' }), `${shopper.key} click`);
      if (response.status !== 302) throw new Error(`${shopper.key} click: expected a redirect, got ${response.status}`);
      state.clickedAt = clock.now();
    },
    stop: () => must(postTwilioInbound(demo.url, { from: shopper.phone, body: 'STOP' }), `${shopper.key} STOP`),
  };
}

/**
 * @param {object} o
 * @param {ReturnType<import('./server.mjs').startDemo>} o.demo
 * @param {'simulated' | 'live'} o.mode
 * @param {import('playwright-core').Browser} o.browser headless Chromium, for the storefront pages
 * @param {(progress: { now: number, fraction: number }) => void} [o.onProgress]
 */
export async function runCast({ demo, clock, browser, cast, start, end, mode, onProgress = () => {} }) {
  const queue = [];
  const push = (item) => {
    queue.push(item);
    queue.sort((a, b) => a.at - b.at);
  };
  const states = new Map();
  for (const shopper of cast) {
    const state = {};
    states.set(shopper.key, state);
    const act = actionsFor(demo, clock, browser, shopper, state);
    for (const [offset, name, options] of shopper.script) push({ at: start + offset, key: shopper.key, run: () => act[name](options) });
    state.act = act;
  }
  const fired = new Set();
  let seen = 0;
  /** Shoppers answer messages: each rule fires once, after its delay. */
  function react() {
    const messages = demo.outbox.list();
    for (; seen < messages.length; seen += 1) {
      const message = messages[seen];
      for (const shopper of cast) {
        if (message.to !== shopper.email && message.to !== shopper.phone) continue;
        const state = states.get(shopper.key);
        (shopper.on ?? []).forEach((rule, i) => {
          const id = `${shopper.key}:${i}`;
          if (fired.has(id) || !rule.when(message, state)) return;
          fired.add(id);
          push({ at: message.at + rule.after, key: shopper.key, run: () => state.act[rule.do]({}, message) });
        });
      }
    }
  }
  const tick = () => fetch(`${demo.url}/tick`, { method: 'POST', headers: { authorization: `Bearer ${SECRETS.tick}` } }).then((r) => must(r, 'tick'));

  if (mode === 'simulated') {
    for (let steps = 0; steps < 10_000; steps += 1) {
      const nextDue = (await demo.store.dueBefore(Number.MAX_SAFE_INTEGER, 1))[0]?.at ?? Infinity;
      const at = Math.min(queue[0]?.at ?? Infinity, nextDue);
      if (at > end) break;
      clock.set(at);
      while (queue.length && queue[0].at <= clock.now()) await queue.shift().run();
      await tick();
      react();
      onProgress({ now: clock.now(), fraction: (clock.now() - start) / (end - start) });
    }
    clock.set(end);
    return;
  }
  let ticking = false; // a timer, as a long-lived server ticks; never overlapping itself
  const stopTicker = setInterval(async () => {
    if (ticking) return;
    ticking = true;
    await tick().then(react, (error) => console.error(`tick failed: ${error.message}`));
    ticking = false;
  }, 200);
  // Shoppers act at once, each one's steps in order: a browser going idle takes seconds of
  // real time, and the clock does not wait for it.
  const chains = new Map();
  let failure = null;
  const schedule = (item) => chains.set(item.key, (chains.get(item.key) ?? Promise.resolve()).then(item.run).catch((error) => {
    failure ??= error;
  }));
  try {
    while (clock.now() < end && !failure) {
      while (queue.length && queue[0].at <= clock.now()) schedule(queue.shift());
      react();
      onProgress({ now: clock.now(), fraction: Math.min(1, (clock.now() - start) / (end - start)) });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await Promise.all(chains.values());
    if (failure) throw failure;
  } finally {
    clearInterval(stopTicker);
  }
}
