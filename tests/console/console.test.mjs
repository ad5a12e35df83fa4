// The operator console in real Chromium, against a real handler (memory store, fake Twilio and
// SendGrid on 127.0.0.1) fed through signed Shopify webhooks and ticks, as a merchant's would be:
// sign-in and its refusals, CSRF, roles, hostile strings, the figures against GET /report,
// axe-core, the keyboard, and screenshots at desktop and phone width (tests/artifacts/).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../examples/demo/browser.mjs';
import { fakeSendgrid, fakeTwilio } from '../server/fake-providers.mjs';
import { SENDGRID_KEY, TWILIO, abandonedCheckout, postShopify, server, shopifySample, startServer, testPolicy, tick } from '../server/harness.mjs';

const artifacts = fileURLToPath(new URL('../artifacts/', import.meta.url));
const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const T0 = Date.parse('2026-11-27T15:00:00Z');
const MINUTE = 60_000;
const SHOPPERS = 8;
const REPORTS = 'reports-secret';
// What an attacker would put where a shopper's name, a product title or a provider's error goes.
const HOSTILE = '"><img src=x onerror="window.__xss=1"><script>window.__xss=1</script>';
const PASSWORDS = { vera: 'viewer-password-1', otto: 'operator-password-1', gus: 'guessed-at-password' };

let app, twilio, sendgrid, browser, base;
const clock = { now: T0 };
const customer = (i) => `90000000000000${String(1000 + i)}`;

before(async () => {
  twilio = await fakeTwilio(TWILIO);
  sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
  const users = [
    { name: 'vera', role: 'viewer', passwordHash: await server.hashPassword(PASSWORDS.vera, { iterations: 1000 }) },
    { name: 'otto', role: 'operator', passwordHash: await server.hashPassword(PASSWORDS.otto, { iterations: 1000 }) },
    { name: 'gus', role: 'operator', passwordHash: await server.hashPassword(PASSWORDS.gus, { iterations: 1000 }) },
  ];
  app = await startServer({
    store: server.memoryStore(), clock, twilio, sendgrid,
    policy: { ...testPolicy(), holdoutPercent: 50 },
    secrets: { reports: REPORTS, console: 'console-secret-of-at-least-32-characters!' },
    console: server.operatorConsole({ timeZone: 'America/Chicago', currency: 'USD', users, signIn: { perName: { limit: 5, windowMs: 15 * MINUTE }, perAddress: { limit: 100, windowMs: 15 * MINUTE } } }),
  });
  base = `${app.url}/console`;
  // Eight shoppers with hostile names and product titles abandon; the first SMS fails with a
  // hostile error code from the provider; half of them buy.
  twilio.failNext({ status: 400, body: { code: HOSTILE, message: 'refused', status: 400 } });
  for (let i = 0; i < SHOPPERS; i += 1) {
    const body = (await abandonedCheckout({ at: '2026-11-27T14:59:00Z', token: `con-${i}`, customerId: customer(i), email: `c${i}@example.com`, phone: `+1512555${String(2000 + i)}` }))
      .replaceAll('"first_name": "Bob"', `"first_name": ${JSON.stringify(HOSTILE)}`)
      .replaceAll('"IPod Nano - 8GB"', JSON.stringify(`Nano ${HOSTILE}`));
    assert.equal((await postShopify(app.url, 'checkouts/create', body)).status, 200);
  }
  for (const at of [5, 20]) {
    clock.now = T0 + at * MINUTE;
    assert.equal((await tick(app.url)).status, 200);
  }
  clock.now = T0 + 60 * MINUTE;
  for (let i = 0; i < SHOPPERS / 2; i += 1) {
    const order = (await shopifySample('orders_create'))
      .replace('"checkout_token": null', `"checkout_token": "con-${i}"`)
      .replaceAll('115310627314723954', customer(i))
      .replaceAll('820982911946154508', `82098291194615${String(2000 + i)}`);
    assert.equal((await postShopify(app.url, 'orders/create', order)).status, 200);
  }
  browser = await launchChromium();
  await mkdir(artifacts, { recursive: true });
});

after(async () => {
  await browser?.close();
  await app?.close();
  await twilio?.close();
  await sendgrid?.close();
});

/** A fresh browser context (its own cookies), with every dialog an XSS would open recorded. */
async function context(options = {}) {
  const ctx = await browser.newContext(options);
  ctx.dialogs = [];
  ctx.on('page', (p) => p.on('dialog', (d) => {
    ctx.dialogs.push(d.message());
    d.dismiss();
  }));
  return ctx;
}

async function signIn(page, name, password = PASSWORDS[name]) {
  await page.goto(`${base}/sign-in`);
  await page.fill('input[name=name]', name);
  await page.fill('input[name=password]', password);
  return Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]).then(([r]) => r);
}

test('signed out, every page leads to sign-in; a wrong password is refused; the right one signs in with a locked-down cookie', async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  for (const p of ['', '/overview', '/messages', '/health', '/overview.csv']) {
    const r = await fetch(`${base}${p}`, { redirect: 'manual' });
    assert.equal(r.status, 303, p);
    assert.equal(new URL(r.headers.get('location'), base).pathname, '/console/sign-in');
  }
  const wrong = await signIn(page, 'vera', 'not-her-password');
  assert.equal(wrong.status(), 401);
  assert.match(await page.textContent('[data-problem]'), /do not match/);
  assert.equal((await ctx.cookies()).some((c) => c.name === 'rekindle-console'), false);

  const ok = await signIn(page, 'vera');
  assert.equal(ok.status(), 200);
  assert.equal(new URL(page.url()).pathname, '/console/overview');
  const session = (await ctx.cookies()).find((c) => c.name === 'rekindle-console');
  assert.ok(session, 'the session cookie is set');
  assert.equal(session.httpOnly, true);
  assert.equal(session.secure, true);
  assert.equal(session.sameSite, 'Strict');
  assert.ok(session.expires > Date.now() / 1000 && session.expires < Date.now() / 1000 + 9 * 3600, 'it expires (8 h)');

  // A forged or tampered cookie is no session.
  const [payload, signature] = session.value.split('.');
  const forged = Buffer.from(JSON.stringify({ n: 'otto', s: 'x', e: Date.now() + 3_600_000 })).toString('base64url');
  for (const value of [`${forged}.${signature}`, `${payload}.${signature.slice(0, -2)}AA`, payload]) {
    const r = await fetch(`${base}/health`, { headers: { cookie: `rekindle-console=${value}` }, redirect: 'manual' });
    assert.equal(r.status, 303, 'back to sign-in');
  }
  // Signing out (a form with its token) ends the session in this browser.
  await Promise.all([page.waitForNavigation(), page.click('header button[type=submit]')]);
  assert.equal(new URL(page.url()).pathname, '/console/sign-in');
  await ctx.close();
});

test('sign-in is rate-limited per name: the sixth try in the window is refused, even with the right password', async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  for (let i = 0; i < 5; i += 1) assert.equal((await signIn(page, 'gus', `wrong-${i}`)).status(), 401);
  const refused = await signIn(page, 'gus');
  assert.equal(refused.status(), 429);
  assert.match(await page.textContent('[data-problem]'), /Too many/);
  assert.equal((await ctx.cookies()).some((c) => c.name === 'rekindle-console'), false);
  await ctx.close();
});

test('a form without its CSRF token, or with another session\'s, does nothing', async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  await signIn(page, 'otto');
  const cookie = (await ctx.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const before = await app.store.dueSummary(clock.now);
  const post = (body) => fetch(`${base}/health/tick`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body, redirect: 'manual' });
  for (const body of ['', 'csrf=', 'csrf=AAAA', 'csrf=' + encodeURIComponent('x'.repeat(43))]) {
    const r = await post(body);
    assert.equal(r.status, 403, body);
    assert.match(await r.text(), /nothing was done/);
  }
  assert.deepEqual(await app.store.dueSummary(clock.now), before, 'no tick ran');
  // A sign-in form's token without its cookie is refused too (login CSRF).
  await page.goto(`${base}/sign-in`);
  const signInToken = await page.inputValue('input[name=csrf]');
  const r = await fetch(`${base}/sign-in`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf: signInToken, name: 'otto', password: PASSWORDS.otto }), redirect: 'manual' });
  assert.equal(r.status, 403);
  assert.equal(r.headers.getSetCookie().some((c) => c.startsWith('rekindle-console=')), false);
  // With its token, the operator's tick runs.
  await page.goto(`${base}/health`);
  await Promise.all([page.waitForNavigation(), page.click('text=Tick now')]);
  assert.match(await page.textContent('[role=status]'), /^Ticked:/);
  await ctx.close();
});

test('a viewer reads every page but cannot act: no tick button, and a forged post is refused', async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  await signIn(page, 'vera');
  await page.goto(`${base}/health`);
  assert.equal(await page.locator('text=Tick now').count(), 0);
  const csrf = await page.inputValue('header input[name=csrf]'); // her own, valid token
  const cookie = (await ctx.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const r = await fetch(`${base}/health/tick`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf }), redirect: 'manual' });
  assert.equal(r.status, 403);
  assert.match(await r.text(), /Your role \(viewer\) cannot do this/);
  await ctx.close();
});

test('the overview shows the report\'s own figures: lift with its interval, recovery, revenue; CSV over the same range', async () => {
  const report = await (await fetch(`${app.url}/report`, { headers: { authorization: `Bearer ${REPORTS}` } })).json();
  assert.ok(report.lift, 'both arms have journeys');
  const ctx = await context();
  const page = await ctx.newPage();
  await signIn(page, 'vera');
  const pts = (x) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)} pts`;
  assert.equal(await page.textContent('[data-stat="lift"]'), pts(report.lift.difference.estimate));
  assert.equal(await page.textContent('[data-stat="liftInterval"]'), `${pts(report.lift.difference.low)} to ${pts(report.lift.difference.high)}`);
  assert.equal((await page.textContent('[data-stat="recoveryRate"]')).split(/\d+ of/)[0].trim().replace(/[^\d.%]/g, ''), `${(report.treated.recoveryRate * 100).toFixed(1)}%`);
  const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
  // Money per currency, as the report gives it (the test shop sells in USD only).
  const [revenue] = report.treated.revenue;
  assert.equal(report.treated.revenue.length, 1);
  assert.equal(revenue.currency, 'USD');
  assert.ok(revenue.revenueMinor > 0, 'an order was recovered');
  assert.ok((await page.textContent('[data-stat="revenue"]')).startsWith(usd.format(revenue.revenueMinor / 100)));
  assert.ok((await page.textContent('[data-stat="revenuePerMessage"]')).startsWith(usd.format(revenue.revenuePerMessageMinor / 100)));
  // The interval is drawn: a bar to the estimate and error bars at its ends.
  const interval = page.locator('[data-chart="lift"] [data-mark="interval"]');
  assert.equal(Number(await interval.getAttribute('data-low')), report.lift.difference.low);
  assert.equal(Number(await interval.getAttribute('data-high')), report.lift.difference.high);
  assert.equal(await page.locator('[data-chart="funnel"]').count(), 2, 'a funnel for each step (email-1, sms-1)');
  assert.ok(await page.locator('[data-chart="trend"] [data-day="2026-11-27"]').count() === 1);

  // A range without the cohort day has no journeys; a bad date is said, not guessed.
  await page.goto(`${base}/overview?from=2026-11-28&to=2026-11-30`);
  assert.match(await page.textContent('[data-stat="recoveryRate"]'), /0 of 0/);
  const bad = await page.goto(`${base}/overview?from=2026-02-30`);
  assert.equal(bad.status(), 400);
  assert.match(await page.textContent('[role=alert]'), /real days/);

  const cookie = (await ctx.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const csv = await fetch(`${base}/overview.csv?from=2026-11-27&to=2026-11-27`, { headers: { cookie } });
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-disposition'), /attachment; filename="rekindle-report-from-2026-11-27-to-2026-11-27.csv"/);
  const full = await (await fetch(`${app.url}/report?format=csv`, { headers: { authorization: `Bearer ${REPORTS}` } })).text();
  assert.equal(await csv.text(), full, 'the range holding every journey gives the same CSV as GET /report');
  await ctx.close();
});

test('messages and health: the failed send with its (hostile) provider code, escaped; times in the merchant\'s zone', async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  await signIn(page, 'vera');
  await page.goto(`${base}/messages`);
  const rows = page.locator('[data-table="ledger"] tbody tr');
  const sent = sendgrid.mails.length + twilio.messages.length;
  assert.equal(await rows.count(), sent + 1, 'every send the engine made: those the providers took, and the failed one');
  assert.equal(await page.locator('[data-status="failed"]').count(), 1);
  const failed = page.locator('tr:has([data-status="failed"])');
  assert.ok((await failed.textContent()).includes(`twilio:${HOSTILE}`), 'the provider\'s code is shown as text');
  assert.match(await rows.first().textContent(), /Nov 27, 2026, 09:\d\d AM CST/, 'times in America/Chicago, not UTC');
  await page.goto(`${base}/health`);
  assert.ok((await page.textContent('[data-table="errors"]')).includes(`twilio:${HOSTILE}`));
  assert.match(await page.textContent('[data-stat="lastTick"]'), /CST$/);
  await ctx.close();
});

test('the template gallery: each step of the live playbook as the engine renders it, per language, email in a sandboxed frame', async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  await signIn(page, 'vera');
  await page.goto(`${base}/messages`);
  await Promise.all([page.waitForNavigation(), page.click('text=Template gallery')]);
  assert.equal(await page.locator('[data-preview="email"]').count(), 1, 'email-1');
  assert.equal(await page.locator('[data-preview="sms"]').count(), 1, 'sms-1');
  const subject = await page.textContent('[data-subject]');
  assert.ok(subject.length > 5);
  assert.match(await page.textContent('[data-sms]'), /^Acme Outdoor: .*STOP/, 'the SMS names the store and how to opt out');
  const frame = page.frameLocator('iframe[sandbox]').first();
  await frame.getByText('Return to your cart').waitFor();
  const src = await page.getAttribute('iframe[sandbox]', 'src');
  const cookie = (await ctx.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const framed = await fetch(new URL(src, base), { headers: { cookie } });
  assert.match(framed.headers.get('content-security-policy'), /sandbox/);
  assert.equal((await fetch(new URL(src, base), { redirect: 'manual' })).status, 303, 'signed out, no preview');
  await page.goto(`${base}/messages/gallery?locale=fr`);
  assert.notEqual(await page.textContent('[data-subject]'), subject, 'French copy');
  await ctx.close();
});

test('hostile names, titles and codes never become markup on any page, and no script runs', async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  await signIn(page, 'otto');
  for (const p of ['overview', 'messages', 'messages/gallery', 'health']) {
    const response = await page.goto(`${base}/${p}`);
    const csp = response.headers()['content-security-policy'];
    assert.match(csp, /default-src 'none'/);
    assert.doesNotMatch(csp, /script-src|unsafe-inline/, 'no script may run at all');
    assert.equal(await page.locator('script, img[onerror], [onerror]').count(), 0, p);
    assert.equal(await page.evaluate(() => window.__xss), undefined, p);
  }
  assert.deepEqual(ctx.dialogs, []);
  await ctx.close();
});

test('axe-core finds no serious or critical violation on any page, desktop and phone; screenshots saved', async () => {
  const problems = [];
  for (const [label, viewport] of [['desktop', { width: 1280, height: 900 }], ['mobile', { width: 375, height: 800 }]]) {
    // bypassCSP only so axe itself can be injected: the pages' own CSP forbids every script.
    const ctx = await context({ viewport, bypassCSP: true });
    const page = await ctx.newPage();
    await page.goto(`${base}/sign-in`);
    await page.addScriptTag({ content: axeSource });
    const pages = ['sign-in'];
    const check = async (name) => {
      const result = await page.evaluate(() => window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }));
      for (const v of result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')) problems.push(`${label} ${name}: ${v.id} ${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', ')}`);
      await page.screenshot({ path: join(artifacts, `console-${name}-${label}.png`), fullPage: true });
    };
    await check('sign-in');
    await signIn(page, 'otto');
    for (const name of ['overview', 'messages', 'gallery', 'health']) {
      pages.push(name);
      await page.goto(`${base}/${name === 'gallery' ? 'messages/gallery' : name}`);
      await page.addScriptTag({ content: axeSource });
      await check(name);
    }
    await ctx.close();
  }
  assert.deepEqual(problems, []);
});

test('keyboard: skip link first, then the navigation; Enter follows a link; focus is visible', async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  await signIn(page, 'otto');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.equal(outline, 'solid', 'the focused link is outlined');
  const order = [];
  for (let i = 0; i < 6; i += 1) {
    await page.keyboard.press('Tab');
    order.push(await page.evaluate(() => document.activeElement.textContent.trim()));
  }
  assert.deepEqual(order, ['Overview', 'Shoppers', 'Playbook', 'Messages', 'Health', 'Sign out']);
  await page.keyboard.press('Shift+Tab'); // back to Health
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  assert.equal(new URL(page.url()).pathname, '/console/health');
  await ctx.close();
});
