// The operator console inside the Shopify admin, as the Shopify app mounts it: each shop's
// options (`shop(shop)`) hand in `operatorConsole({ shopify: { apiKey, shop } })`, the app passes
// its secret as `secrets.shopify`, and `<appUrl>/shops/<shop>/console/` opens with the admin's
// session token, the shop installed by managed installation against the fake Shopify. Another
// shop's token, a forged one and an expired one are refused.
//
//   node scripts/build.mjs && REKINDLE_SKIP_SETUP=1 node --test tests/shopify/console.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { setAbstractFetchFunc } from '@shopify/shopify-api/runtime';
import { fakeSendgrid, fakeTwilio, closeServer } from '../server/fake-providers.mjs';
import { SENDGRID_KEY, TEMPLATES, TWILIO, removeDir, server, serverNode, tempDir, testPolicy } from '../server/harness.mjs';
import { browserGet as get, fakeShopify, routeToFake, sessionToken } from './fake-shopify.mjs';
import { launchChromium } from '../../examples/demo/browser.mjs';

const shopifyApp = await import(new URL('../../pkg/dist/server/shopify.js', import.meta.url));

const API_KEY = 'c1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6';
const API_SECRET = 'shpss_console-app-secret-for-tests';
const A = 'console-a.myshopify.com';
const B = 'console-b.myshopify.com';
let dir, sessions, twilio, sendgrid, shopify, http, app, appUrl;

before(async () => {
  dir = await tempDir();
  sessions = shopifyApp.sqliteSessionStorage(Database, join(dir, 'sessions.db'));
  twilio = await fakeTwilio(TWILIO);
  sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
  http = createServer();
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  appUrl = `http://127.0.0.1:${http.address().port}`;
  shopify = await fakeShopify({ apiKey: API_KEY, apiSecret: API_SECRET, complianceUri: `${appUrl}/webhooks/shopify` });
  setAbstractFetchFunc(routeToFake(shopify.origin));
  const users = [{ name: 'otto', role: 'operator', passwordHash: await server.hashPassword('operator-password-1', { iterations: 1000 }) }];
  app = shopifyApp.createShopifyApp({
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    appUrl,
    tokenKey: randomBytes(32).toString('base64'),
    sessionStorage: sessions,
    secrets: { salt: 'deployment-salt' },
    development: true,
    log: (level, message, fields) => process.env.DBG && console.error(level, message, fields),
    shop: async (shop) => ({
      store: server.memoryStore(),
      policy: testPolicy(),
      secrets: { console: 'console-secret-of-at-least-32-characters!' },
      transports: {
        sms: server.twilioTransport({ ...TWILIO, baseUrl: twilio.url }),
        email: server.sendgridTransport({ apiKey: SENDGRID_KEY, from: { email: 'shop@example.com', name: 'Example Shop' }, templates: TEMPLATES, baseUrl: sendgrid.url }),
      },
      console: server.operatorConsole({ timeZone: 'America/Chicago', users, shopify: { apiKey: API_KEY, shop, role: 'operator' } }),
    }),
  });
  http.on('request', serverNode.toNodeListener(app));
  // Both shops install by managed installation (token exchange from a session token).
  for (const shop of [A, B]) assert.equal((await get(`${appUrl}/?embedded=1&shop=${shop}&host=x&id_token=${shopify.sessionToken(shop)}`)).status, 200);
});

after(async () => {
  await closeServer(http);
  await sessions.close();
  await Promise.all([twilio.close(), sendgrid.close(), shopify.close()]);
  await removeDir(dir);
});

const token = (shop, options = {}) => sessionToken({ apiKey: API_KEY, apiSecret: API_SECRET, shop, ...options });
const consoleOf = (shop, page) => `${appUrl}/shops/${shop}/console/${page}`;

test('the admin opens its shop\'s console with its session token; the admin may frame it', async () => {
  const r = await get(`${consoleOf(A, 'overview')}?id_token=${token(A)}`);
  assert.equal(r.status, 200, await r.clone().text());
  assert.match(await r.text(), /Shopify staff 42 \(operator\)/);
  assert.match(r.headers.get('content-security-policy'), new RegExp(`frame-ancestors https://${A} https://admin.shopify.com`));
  const byHeader = await get(consoleOf(B, 'playbook'), { authorization: `Bearer ${token(B)}` });
  assert.equal(byHeader.status, 200);
});

test('another shop\'s token, a forged one and an expired one are refused; without a token it is the sign-in', async () => {
  assert.equal((await get(`${consoleOf(A, 'overview')}?id_token=${token(B)}`)).status, 401, 'B\'s token on A\'s console');
  assert.equal((await get(`${consoleOf(A, 'overview')}?id_token=${sessionToken({ apiKey: API_KEY, apiSecret: 'not-the-secret', shop: A })}`)).status, 401, 'forged');
  const expired = token(A, { nowSec: Math.floor(Date.now() / 1000) - 3600 });
  assert.equal((await get(`${consoleOf(A, 'overview')}?id_token=${expired}`)).status, 401, 'expired');
  assert.equal((await get(`${consoleOf(A, 'overview')}?id_token=${sessionToken({ apiKey: 'another-app', apiSecret: API_SECRET, shop: A })}`)).status, 401, 'another app\'s');
  const signedOut = await get(consoleOf(A, 'overview'));
  assert.equal(signedOut.status, 303);
  assert.equal(new URL(signedOut.headers.get('location'), appUrl).pathname, `/shops/${A}/console/sign-in`);
});

test('an email\'s sandboxed frame may be framed by the console inside the shop\'s admin (every ancestor is checked)', async () => {
  const r = await get(`${consoleOf(A, 'messages/gallery/en/0.html')}?id_token=${token(A)}`);
  assert.equal(r.status, 200, await r.clone().text());
  const csp = r.headers.get('content-security-policy');
  assert.match(csp, new RegExp(`frame-ancestors 'self' https://${A} https://admin.shopify.com;`));
  assert.match(csp, /; sandbox$/, 'still sandboxed: the email runs nothing');
  assert.doesNotMatch(csp, new RegExp(B), 'never another shop\'s admin');
});

/** A form post from the console in the admin, under a fresh token of the same admin session (`sid`). */
async function postInAdmin(shop, page, fields, sid) {
  return fetch(consoleOf(shop, page), {
    method: 'POST', redirect: 'manual', body: new URLSearchParams(fields),
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${token(shop, { sid })}` },
  });
}

test('a shop with no gift configured cannot publish a gift rung: refused at its path, nothing published; without it the edit publishes', async () => {
  const sid = 'admin-session-gift';
  const before = await (await get(consoleOf(A, 'playbook'), { authorization: `Bearer ${token(A, { sid })}` })).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(before)[1];
  const expected = /name="expected" value="(\d+)"/.exec(before)[1];
  assert.match(before, /test-1\+no-gift/, 'the live playbook is the deployment\'s, its gift dropped');
  const withGift = { ...testPolicy(), version: 'test-2' };
  const giftAt = withGift.incentives.ladder.findIndex((rung) => rung.kind === 'gift');
  assert.ok(giftAt >= 0, 'the candidate has a gift rung');

  const refused = await postInAdmin(A, 'playbook/publish', { csrf, expected, policy: JSON.stringify(withGift) }, sid);
  assert.equal(refused.status, 400, await refused.clone().text());
  const text = await refused.text();
  assert.match(text, new RegExp(`data-code="GIFT_NOT_CONFIGURED" data-path="\\$\\.incentives\\.ladder\\[${giftAt}\\]"`));
  const preview = await postInAdmin(A, 'playbook/preview', { csrf, expected, policy: JSON.stringify(withGift) }, sid);
  assert.equal(preview.status, 400, 'checking it says so before publishing too');
  assert.match(await preview.text(), /data-code="GIFT_NOT_CONFIGURED"/);
  assert.doesNotMatch(await (await get(consoleOf(A, 'playbook'), { authorization: `Bearer ${token(A)}` })).text(), /test-2/, 'nothing was published');

  const withoutGift = { ...withGift, incentives: { ...withGift.incentives, ladder: withGift.incentives.ladder.filter((rung) => rung.kind !== 'gift') } };
  const published = await postInAdmin(A, 'playbook/publish', { csrf, expected, policy: JSON.stringify(withoutGift) }, sid);
  assert.equal(published.status, 303, await published.clone().text());
  assert.match(await (await get(consoleOf(A, 'playbook'), { authorization: `Bearer ${token(A)}` })).text(), /test-2/);
});

const IN_ADMIN = `embedded=1&shop=${A}&host=YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvY29uc29sZS1h`;
const APP_BRIDGE = 'https://cdn.shopify.com/shopifycloud/app-bridge.js';

test('inside the admin, a request without a current token bounces through App Bridge for a fresh one, never the cookie sign-in', async () => {
  const r = await get(`${consoleOf(A, 'playbook')}?${IN_ADMIN}`);
  assert.equal(r.status, 303);
  const bounce = new URL(r.headers.get('location'), appUrl);
  assert.equal(bounce.pathname, `/shops/${A}/console/session-token`);
  const reload = new URL(bounce.searchParams.get('shopify-reload'));
  assert.equal(reload.href, `${consoleOf(A, 'playbook')}?${IN_ADMIN}`, 'App Bridge reloads the page asked for, with the admin\'s parameters');
  for (const k of ['embedded', 'shop', 'host']) assert.equal(bounce.searchParams.get(k), new URLSearchParams(IN_ADMIN).get(k));

  const page = await get(bounce.href);
  assert.equal(page.status, 200);
  const text = await page.text();
  assert.match(text, new RegExp(`<meta name="shopify-api-key" content="${API_KEY}">`));
  assert.equal(text.match(/<script/g).length, 1, 'one script: Shopify\'s');
  assert.ok(text.includes(`<script src="${APP_BRIDGE}"></script>`));
  assert.equal(page.headers.get('content-security-policy'), `default-src 'none'; script-src ${APP_BRIDGE}; frame-ancestors https://${A} https://admin.shopify.com; base-uri 'none'; form-action 'none'`);

  const elsewhere = new URL(bounce);
  elsewhere.searchParams.set('shopify-reload', 'https://attacker.example/console/overview');
  assert.equal((await get(elsewhere.href)).status, 400, 'App Bridge would hand a token to any URL: only this console\'s are reloaded');
  elsewhere.searchParams.set('shopify-reload', `${consoleOf(B, 'overview')}`);
  assert.equal((await get(elsewhere.href)).status, 400, 'nor another shop\'s console');

  const expired = token(A, { nowSec: Math.floor(Date.now() / 1000) - 3600 });
  const stale = await get(`${consoleOf(A, 'overview')}?${IN_ADMIN}&id_token=${expired}`);
  assert.equal(stale.status, 303, 'an expired token bounces for a fresh one');
  assert.doesNotMatch(new URL(stale.headers.get('location'), appUrl).searchParams.get('shopify-reload'), /id_token/, 'the stale token is not reloaded');
  const forged = sessionToken({ apiKey: API_KEY, apiSecret: 'not-the-secret', shop: A });
  assert.equal((await get(`${consoleOf(A, 'overview')}?${IN_ADMIN}&id_token=${forged}`)).status, 401, 'a forged one is refused, not refreshed');
});

test('in the admin, links and forms carry the admin\'s parameters and the token; a form post with it acts, without it bounces to its page', async () => {
  const sid = 'admin-session-forms';
  const shown = await get(`${consoleOf(A, 'health')}?${IN_ADMIN}&id_token=${token(A, { sid })}`);
  assert.equal(shown.status, 200);
  const text = await shown.text();
  const link = /href="([^"]*\/console\/overview[^"]*)"/.exec(text)[1].replace(/&amp;/g, '&');
  assert.equal(new URL(link, appUrl).searchParams.get('host'), new URLSearchParams(IN_ADMIN).get('host'));
  assert.ok(new URL(link, appUrl).searchParams.get('id_token'), 'the link carries the token it was rendered with');
  const action = /<form method="post" action="([^"]*\/health\/tick[^"]*)"/.exec(text)[1].replace(/&amp;/g, '&');
  const csrf = /name="csrf" value="([^"]+)"/.exec(text)[1];
  const post = (to) => fetch(new URL(to, appUrl), { method: 'POST', redirect: 'manual', body: new URLSearchParams({ csrf }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

  const acted = await post(action);
  assert.equal(acted.status, 200, await acted.clone().text());
  assert.match(await acted.text(), /Ticked: \d+ due/);

  const bare = new URL(action, appUrl);
  bare.searchParams.delete('id_token');
  const bounced = await post(bare.href);
  assert.equal(bounced.status, 303);
  const to = new URL(bounced.headers.get('location'), appUrl);
  assert.equal(to.pathname, `/shops/${A}/console/session-token`, 'a bounce, not the cookie sign-in');
  assert.equal(new URL(to.searchParams.get('shopify-reload')).pathname, `/shops/${A}/console/health`, 'the form\'s page reloads: a post is not replayed');
});

test('in Chromium, the bounce page\'s App Bridge reloads the page with a fresh token; following a link without one bounces and comes back', async () => {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    // A STAND-IN for Shopify's app-bridge.js (the fake cannot serve Shopify's CDN, and the test
    // may not reach it): it does only what App Bridge documents for the bounce page, reloading
    // the `shopify-reload` URL with a fresh `id_token`, here minted by the test as the admin would.
    let served = 0;
    await page.route(APP_BRIDGE, (route) => {
      served += 1;
      const fresh = token(A, { sid: 'chromium-admin-session' });
      route.fulfill({
        status: 200,
        contentType: 'text/javascript',
        body: `const reload = new URL(new URLSearchParams(location.search).get('shopify-reload')); reload.searchParams.set('id_token', ${JSON.stringify(fresh)}); location.replace(reload.href);`,
      });
    });
    await page.goto(`${consoleOf(A, 'playbook')}?${IN_ADMIN}`);
    await page.waitForURL((u) => u.pathname === `/shops/${A}/console/playbook` && u.searchParams.has('id_token'));
    assert.equal(served, 1, 'the bounce page ran App Bridge (the stand-in) once');
    assert.equal(await page.textContent('h1'), 'Playbook');
    assert.match(await page.textContent('.who'), /Shopify staff 42 \(operator\)/);

    // A link followed within the token's minute works at once: no bounce.
    await Promise.all([page.waitForURL((u) => u.pathname.endsWith('/console/overview')), page.click('nav a[href*="/console/overview"]')]);
    assert.equal(await page.textContent('h1'), 'Overview');
    assert.equal(served, 1);

    // Later (the token expired, or a link lost it) it bounces once and comes back with a fresh one.
    const bare = new URL(page.url());
    bare.pathname = `/shops/${A}/console/health`;
    bare.searchParams.delete('id_token');
    await page.goto(bare.href);
    await page.waitForURL((u) => u.pathname.endsWith('/console/health') && u.searchParams.has('id_token'));
    assert.equal(await page.textContent('h1'), 'Health');
    assert.equal(served, 2);
  } finally {
    await browser.close();
  }
});
