// examples/shopify-app/src/worker.js in real workerd (Miniflare), bundled as wrangler bundles
// it: offline tokens in Workers KV through Shopify's KV session storage (encrypted first), each
// shop's contacts in Durable Objects under `<shop>/`, alarms as the scheduler. Two shops install
// by token exchange and a third by the authorization-code grant (install link, Shopify's grant
// screen, the callback with its state cookie) against the fake Shopify (the Worker's calls to
// https://<shop>/ are routed to it by Miniflare's outbound service); the same shopper abandons a
// cart in two shops; A's alarm sends A's email; B uninstalls before its email is due, and B's
// alarm sends nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { Miniflare } from 'miniflare';
import { fakeSendgrid, fakeTwilio } from '../server/fake-providers.mjs';
import { SENDGRID_KEY, TEMPLATES, TWILIO, abandonedCheckout, testPolicy } from '../server/harness.mjs';
import { cookiesOf, fakeShopify, routeToFake } from './fake-shopify.mjs';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const dist = join(repo, 'pkg', 'dist');
const API_KEY = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6';
const API_SECRET = 'shpss_worker-secret';
const APP_URL = 'https://recover.example.com';
const A = 'shop-a.myshopify.com';
const B = 'shop-b.myshopify.com';
const C = 'shop-c.myshopify.com';
// The Worker's clock: 15:00 UTC tomorrow at wall speed (inside US quiet-hour limits).
const today = new Date();
const OFFSET = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + 1, 15) - Date.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The example's own options and classes; only the clock is the test's.
const WORKER = `
  import { appOptions, shopifyWorker } from ${JSON.stringify(join(repo, 'examples', 'shopify-app', 'src', 'worker.js'))};
  const { app, RekindleContact: Contact } = shopifyWorker((env) => ({ ...appOptions(env), now: () => Date.now() + Number(env.CLOCK_OFFSET), log: env.LOG ? appOptions(env).log : undefined }));
  export const RekindleContact = Contact;
  export default { fetch: app };`;

let twilio, sendgrid, shopify, mf, url;

before(async () => {
  twilio = await fakeTwilio(TWILIO);
  sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
  shopify = await fakeShopify({ apiKey: API_KEY, apiSecret: API_SECRET, complianceUri: `${APP_URL}/webhooks/shopify` });
  const { outputFiles } = await esbuild.build({
    stdin: { contents: WORKER, resolveDir: repo, loader: 'js' },
    bundle: true, write: false, format: 'esm', platform: 'neutral', mainFields: ['module', 'main'],
    conditions: ['workerd', 'worker', 'browser', 'import'],
    alias: {
      rekindle: join(dist, 'workerd.js'),
      'rekindle/server/cloudflare': join(dist, 'server', 'cloudflare.js'),
      'rekindle/server/shopify': join(dist, 'server', 'shopify.js'),
    },
    external: ['./rekindle_bg.wasm', './report_bg.wasm', 'cloudflare:*'],
    logLevel: 'error',
  });
  const toFake = routeToFake(shopify.origin);
  mf = new Miniflare({
    modules: [
      { type: 'ESModule', path: join(dist, 'worker.js'), contents: outputFiles[0].text },
      { type: 'CompiledWasm', path: join(dist, 'rekindle_bg.wasm'), contents: await readFile(join(dist, 'rekindle_bg.wasm')) },
      { type: 'CompiledWasm', path: join(dist, 'report_bg.wasm'), contents: await readFile(join(dist, 'report_bg.wasm')) },
    ],
    modulesRoot: dist,
    host: '127.0.0.1',
    port: 0,
    compatibilityDate: '2026-07-01',
    kvNamespaces: ['SESSIONS'],
    durableObjects: { REKINDLE: { className: 'RekindleContact', useSQLite: true } },
    // The Worker's outbound requests: Shopify's hosts to the fake, the rest (the fake providers) as they are.
    outboundService: async (request) => {
      const body = ['GET', 'HEAD'].includes(request.method) ? undefined : await request.text();
      // Re-sent from Node: fetch sets the length and host itself.
      const headers = Object.fromEntries([...request.headers].filter(([name]) => !['content-length', 'host'].includes(name)));
      return toFake(request.url, { method: request.method, headers, body });
    },
    bindings: {
      SHOPIFY_API_KEY: API_KEY, SHOPIFY_API_SECRET: API_SECRET, SHOPIFY_APP_URL: APP_URL,
      SHOPIFY_TOKEN_KEY: randomBytes(32).toString('base64'),
      REKINDLE_SALT: 'worker-salt', REKINDLE_TICK_SECRET: 'worker-tick',
      POLICY: JSON.stringify(testPolicy()),
      SENDGRID_API_KEY: SENDGRID_KEY, SENDGRID_API_URL: sendgrid.url, SENDGRID_TEMPLATES: JSON.stringify(TEMPLATES), EMAIL_FROM: 'shop@example.com',
      TWILIO_ACCOUNT_SID: TWILIO.accountSid, TWILIO_AUTH_TOKEN: TWILIO.authToken, TWILIO_MESSAGING_SERVICE_SID: TWILIO.messagingServiceSid, TWILIO_API_URL: twilio.url,
      CLOCK_OFFSET: String(OFFSET),
      ...(process.env.REKINDLE_TEST_LOG ? { LOG: '1' } : {}),
    },
  });
  url = (await mf.ready).origin;
});

after(async () => {
  await mf?.dispose();
  await Promise.all([twilio?.close(), sendgrid?.close(), shopify?.close()]);
});

const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';
const mailsFor = (shop) => sendgrid.mails.filter((m) => m.mail.headers['List-Unsubscribe'].includes(`/shops/${shop}/`));

async function waitFor(what, check, timeoutMs = 15_000) {
  const startedAt = Date.now();
  while (!(await check())) {
    if (Date.now() - startedAt > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

test('two shops install by token exchange on Workers; tokens in KV are encrypted', async () => {
  for (const shop of [A, B]) {
    const page = await fetch(`${url}/?embedded=1&shop=${shop}&id_token=${shopify.sessionToken(shop)}`, { headers: { 'user-agent': BROWSER } });
    assert.equal(page.status, 200, await page.clone().text());
    assert.equal(shopify.shops.get(shop).grants[0].grant, 'tokenExchange');
    assert.equal(shopify.shops.get(shop).subscriptions.length, 10);
  }
  const kv = await mf.getKVNamespace('SESSIONS');
  const stored = await kv.get(`offline_${A}`);
  assert.ok(stored, 'the offline session is in KV');
  assert.ok(!stored.includes([...shopify.shops.get(A).tokens][0]), 'no plaintext token in KV');
});

test('a third shop installs by the authorization-code grant on Workers: HMAC and state checked, the code exchanged, webhooks registered, the token encrypted in KV', async () => {
  const get = (target, headers = {}) => fetch(target, { redirect: 'manual', headers: { 'user-agent': BROWSER, ...headers } });
  // The install link Shopify opens (signed), on the Worker's address.
  const begin = await get(shopify.installUrl(url, C));
  assert.equal(begin.status, 302, await begin.clone().text());
  const authorize = new URL(begin.headers.get('location'));
  assert.equal(`${authorize.origin}${authorize.pathname}`, `https://${C}/admin/oauth/authorize`);
  assert.equal(authorize.searchParams.get('redirect_uri'), `${APP_URL}/auth/callback`);
  // The merchant approves; Shopify sends the browser back to the app's redirect URI (here: the Worker).
  const back = new URL(shopify.approve(authorize.toString()));
  const callback = `${url}${back.pathname}${back.search}`;
  assert.equal((await get(callback)).status, 400, 'without the state cookie the callback is refused');
  const done = await get(callback, { cookie: cookiesOf(begin) });
  assert.equal(done.status, 302, await done.clone().text());
  assert.equal(done.headers.get('location'), `https://${C}/admin/apps/${API_KEY}`);
  assert.deepEqual(shopify.shops.get(C).grants.map((g) => g.grant), ['authorizationCode']);
  assert.equal(shopify.shops.get(C).subscriptions.length, 10);
  assert.ok(shopify.shops.get(C).subscriptions.every((s) => s.uri === `${APP_URL}/webhooks/shopify`));
  const stored = await (await mf.getKVNamespace('SESSIONS')).get(`offline_${C}`);
  assert.ok(stored && !stored.includes([...shopify.shops.get(C).tokens][0]), 'the offline token is in KV, encrypted');
  // The code is single use: the same callback again is refused and installs nothing more.
  assert.notEqual((await get(callback, { cookie: cookiesOf(begin) })).status, 302);
  assert.equal(shopify.shops.get(C).grants.length, 1);
  // Installed: the admin opening the app (a signed request for C) sees its page.
  assert.equal((await get(shopify.installUrl(url, C))).status, 200);
});

test('A\'s alarm sends A\'s email; B uninstalls before its email is due and nothing goes for B', async () => {
  const dueAt = Date.now() + 6_000;
  const body = await abandonedCheckout({ at: new Date(dueAt + OFFSET - 5 * 60_000).toISOString(), token: 'w-1', email: 'ada@example.com', phone: '+15125550100' });
  for (const shop of [A, B]) {
    const response = await shopify.deliver(shop, 'checkouts/create', body, `${url}/webhooks/shopify`);
    assert.deepEqual(await response.json(), { applied: 1, unmatched: 0 }, shop);
  }
  const uninstalled = await shopify.deliver(B, 'app/uninstalled', JSON.stringify({ id: 2, domain: B }), `${url}/webhooks/shopify`);
  assert.deepEqual(await uninstalled.json(), { uninstalled: true });
  assert.equal(await (await mf.getKVNamespace('SESSIONS')).get(`offline_${B}`), null, 'B\'s token is gone');

  await waitFor('A\'s alarm to send its email', () => mailsFor(A).length > 0);
  await sleep(Math.max(0, dueAt + 2_000 - Date.now())); // B's alarm has rung by now
  assert.equal(mailsFor(A).length, 1);
  assert.equal(mailsFor(B).length, 0, 'nothing is sent for an uninstalled shop');

  // B's contact exists, under B's prefix, and its send was refused, not lost in a queue.
  const namespace = await mf.getDurableObjectNamespace('REKINDLE');
  const contactA = mailsFor(A)[0].mail.custom_args.rekindle_contact;
  const inA = namespace.get(namespace.idFromName(`${A}/contact:${contactA}`));
  assert.ok(await inA.load(), 'A\'s contact lives under A\'s prefix');
  const unprefixed = namespace.get(namespace.idFromName(`contact:${contactA}`));
  assert.equal(await unprefixed.load(), null, 'and nowhere else');
});
