// Starts the demo on 127.0.0.1: the Rekindle handler on Node with the SQLite embedded store
// and the outbox transport, the dashboard (one page and its JSON), and the demo storefront.
// The runtime is handed the demo's clock: the engine only ever learns the time as an input.

import { createServer } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createJournal, snapshot } from './journal.mjs';
import { SECRETS } from './platform.mjs';
import { storefrontRoutes } from './storefront.mjs';

const dist = new URL('../../pkg/dist/', import.meta.url);
const rekindle = await import(new URL('node.js', dist));
const server = await import(new URL('server/index.js', dist));
const serverNode = await import(new URL('server/node.js', dist));

async function listen(listener, port) {
  const http = createServer(listener);
  await new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, '127.0.0.1', resolve);
  });
  return { http, url: `http://127.0.0.1:${http.address().port}` };
}

function close(http) {
  return new Promise((resolve) => {
    http.closeAllConnections?.();
    http.close(() => resolve());
  });
}

/**
 * @param {{ clock: { now(): number }, port?: number, shopPort?: number, cast?: object[], idleSeconds?: number }} o
 * port 0 picks free ports (tests); the SQLite file lives in a fresh temporary directory.
 */
// `pilotPercent`: the policy runs for that share of shoppers and leaves the rest alone (tracked,
// never messaged), so the dashboard can set the pilot against them (src/measurement). 99: the
// cast's eight all fall inside it, so every story plays; a shop's traffic fills the 1%.
export async function startDemo({ clock, port = 0, shopPort = 0, cast = [], idleSeconds, pilotPercent = 99 }) {
  await rekindle.init();
  const dir = await mkdtemp(join(tmpdir(), 'rekindle-demo-'));
  const store = await serverNode.sqliteStore(join(dir, 'rekindle.db'));
  const journal = createJournal();
  const coupons = new Map(); // couponRequestId → code: the merchant's side of an incentive
  const outbox = server.outboxTransport({ now: clock.now }); // emails are the engine's own, from its template pack

  // Shoppers are known to Rekindle only by pseudonymous ids: name them by their cart tokens.
  const names = {
    get(contactId) {
      const tokens = new Set(journal.entries().filter((e) => e.contactId === contactId && e.event.cartToken).map((e) => e.event.cartToken));
      return cast.find((s) => tokens.has(s.token) || (s.history && tokens.has(s.history.token)));
    },
  };
  let handler;
  const dashboardHtml = await readFile(new URL('dashboard.html', import.meta.url), 'utf8');
  const routes = {
    '/': () => ({ status: 302, headers: { location: '/dashboard' } }),
    '/dashboard': () => ({ status: 200, type: 'text/html; charset=utf-8', body: dashboardHtml }),
    '/api/snapshot': async () => ({ status: 200, type: 'application/json', body: JSON.stringify(await snapshot({ journal, store, outbox, clock, funnel: rekindle.funnel, report: rekindle.report, names })) }),
  };
  const rekindleListener = (...args) => serverNode.toNodeListener(handler)(...args);
  const api = await listen(async (req, res) => {
    const route = routes[new URL(req.url, 'http://x').pathname];
    if (!route || req.method !== 'GET') return rekindleListener(req, res);
    const r = await route();
    res.writeHead(r.status, { ...(r.type ? { 'content-type': r.type } : {}), 'cache-control': 'no-store', ...r.headers });
    res.end(r.body);
  }, port);

  const shop = await listen(storefrontRoutes({ dist, rekindleUrl: api.url, clock, idleSeconds }), shopPort);

  // The outbox stands in for Twilio, which would confirm STOP itself: here Rekindle confirms.
  // The brand and the facts are all a merchant adds to go live with the default template pack.
  const policy = {
    ...rekindle.defaultPolicy(), version: 'demo-1', storeName: 'Trailhead Outfitters', smsKeywordReplies: 'rekindle', pilotPercent,
    brand: { postalAddress: '418 Pine St, Boulder, CO 80302, USA', supportEmail: 'help@trailhead.example', color: '#1d6b57' },
    facts: { returnWindowDays: 30, freeShippingThresholdMinor: 7500, deliveryDays: { min: 2, max: 5 }, guestCheckout: true },
  };
  handler = server.createHandler({
    store,
    policy,
    secrets: SECRETS,
    transports: { email: outbox, sms: outbox },
    publicUrl: api.url, // every link in the outbox points at this handler
    development: true, // a loopback publicUrl: refused without it
    now: clock.now,
    beacon: { allowedOrigins: [shop.url], perShopper: { limit: 1000, windowMs: 60_000 } },
    onDecision: journal.record,
    // The platform creates exactly the code the engine named (and printed in the message).
    onCouponRequest: (action) => coupons.set(action.offer.couponRequestId, action.code),
  });
  const runtime = await handler.runtime();

  return {
    url: api.url,
    shopUrl: shop.url,
    store,
    runtime,
    journal,
    outbox,
    snapshot: () => snapshot({ journal, store, outbox, clock, funnel: rekindle.funnel, report: rekindle.report, names }),
    async close() {
      await close(api.http);
      await close(shop.http);
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
