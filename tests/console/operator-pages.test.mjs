// The console's shopper, action and playbook pages in real Chromium, against a real handler
// (memory store, fake Twilio and SendGrid on 127.0.0.1) fed signed Shopify webhooks: lookup by
// every key (the order's "#1001" name too), the timeline, actions confirmed on a second page
// and audit-logged with the signed-in operator, pause and a support exception holding sends,
// the playbook's field errors, publish, the next decision on the new version, rollback, roles,
// CSRF, hostile strings, axe-core at desktop and phone width. Time is the injected clock.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../examples/demo/browser.mjs';
import { fakeSendgrid, fakeTwilio } from '../server/fake-providers.mjs';
import { SENDGRID_KEY, TWILIO, abandonedCheckout, postShopify, server, serverNode, shopifySample, startServer, testPolicy, tick } from '../server/harness.mjs';

const artifacts = fileURLToPath(new URL('../artifacts/', import.meta.url));
// The native simulator `cargo test` builds before the node suites run (scripts/test.sh).
const SIMULATOR = fileURLToPath(new URL('../../target/debug/rekindle', import.meta.url));
const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const T0 = Date.parse('2026-11-27T15:00:00Z'); // 10:00 in New York, the test shop's zone
const MINUTE = 60_000;
const HOSTILE = '"><img src=x onerror="window.__xss=1"><script>window.__xss=1</script>';
const PASSWORDS = { vera: 'viewer-password-1', otto: 'operator-password-1' };

let app, twilio, sendgrid, browser, base;
const clock = { now: T0 };
let customers = 0;

before(async () => {
  twilio = await fakeTwilio(TWILIO);
  sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
  const users = [
    { name: 'vera', role: 'viewer', passwordHash: await server.hashPassword(PASSWORDS.vera, { iterations: 1000 }) },
    { name: 'otto', role: 'operator', passwordHash: await server.hashPassword(PASSWORDS.otto, { iterations: 1000 }) },
  ];
  app = await startServer({
    store: server.memoryStore(), clock, twilio, sendgrid,
    secrets: { console: 'console-secret-of-at-least-32-characters!' },
    console: server.operatorConsole({ timeZone: 'America/Chicago', currency: 'USD', users }),
  });
  base = `${app.url}/console`;
  browser = await launchChromium();
  await mkdir(artifacts, { recursive: true });
});

after(async () => {
  await browser?.close();
  await app?.close();
  await twilio?.close();
  await sendgrid?.close();
});

/** A shopper with a hostile name and product title who left a checkout a minute before `clock.now`. */
async function abandon(token, email, phone = '+15125550100') {
  customers += 1;
  const body = (await abandonedCheckout({ at: new Date(clock.now - MINUTE).toISOString(), token, customerId: String(700000000000000000n + BigInt(customers)), email, phone }))
    .replaceAll('"first_name": "Bob"', `"first_name": ${JSON.stringify(HOSTILE)}`)
    .replaceAll('"first_name": "John"', `"first_name": ${JSON.stringify(HOSTILE)}`)
    .replaceAll('"IPod Nano - 8GB"', JSON.stringify(`Nano ${HOSTILE}`));
  assert.equal((await postShopify(app.url, 'checkouts/create', body)).status, 200);
  return String(700000000000000000n + BigInt(customers));
}

const mailsTo = (email) => sendgrid.mails.filter((m) => m.mail.personalizations[0].to[0].email === email);

async function context(options = {}) {
  const ctx = await browser.newContext(options);
  ctx.dialogs = [];
  ctx.on('page', (p) => p.on('dialog', (d) => {
    ctx.dialogs.push(d.message());
    d.dismiss();
  }));
  return ctx;
}

async function signedIn(name, options) {
  const ctx = await context(options);
  const page = await ctx.newPage();
  await page.goto(`${base}/sign-in`);
  await page.fill('input[name=name]', name);
  await page.fill('input[name=password]', PASSWORDS[name]);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  return { ctx, page };
}

const submit = (page, selector) => Promise.all([page.waitForNavigation(), page.click(selector)]).then(([r]) => r);

async function find(page, by, value) {
  await page.goto(`${base}/shoppers`);
  await page.selectOption('select[name=by]', by);
  await page.fill('input[name=value]', value);
  return submit(page, 'form[action$="/shoppers/lookup"] button');
}

async function auditEntries() {
  const { lines } = await app.store.readLog('audit');
  return lines.map((l) => JSON.parse(l));
}

test('lookup by email, phone, order id, the order\'s #1001 name and checkout; the timeline names products, says both zones, masks addresses', async () => {
  clock.now = T0;
  const customerId = await abandon('op-look', 'look@example.com', '+15125559001');
  clock.now = T0 + 10 * MINUTE;
  await tick(app.url);
  const order = (await shopifySample('orders_create'))
    .replace('"checkout_token": null', '"checkout_token": "op-look"')
    .replaceAll('115310627314723954', customerId)
    .replaceAll('820982911946154508', '820982911946159001')
    .replace('"name": "#9999"', '"name": "#1001"');
  assert.equal((await postShopify(app.url, 'orders/create', order)).status, 200);

  const { ctx, page } = await signedIn('vera');
  const seen = new Set();
  for (const [by, value] of [['email', ' Look@Example.com '], ['phone', '+1 512 555 9001'], ['order', '820982911946159001'], ['order', '#1001'], ['order', '1001'], ['checkout', 'op-look']]) {
    const r = await find(page, by, value);
    assert.equal(r.status(), 200, `${by} ${value}`);
    assert.match(new URL(page.url()).pathname, /^\/console\/shoppers\/c_/, `${by} ${value}`);
    seen.add(new URL(page.url()).pathname);
  }
  assert.equal(seen.size, 1, 'every key finds the one shopper');
  const text = await page.textContent('main');
  assert.equal(await page.textContent('[data-field="email"]'), 'l•••@example.com');
  assert.ok(!text.includes('look@example.com') && !text.includes('5559001'.padStart(11, '+1512')), 'no address in clear');
  assert.equal(await page.textContent('[data-field="firstName"]'), HOSTILE, 'the hostile name is text');
  assert.ok((await page.locator('[data-product]').allTextContents()).includes(`Nano ${HOSTILE}`), 'products by title');
  const events = await page.locator('[data-table="timeline"] > li').evaluateAll((lis) => lis.map((li) => li.dataset.event));
  assert.deepEqual(events.slice(0, 1), ['checkoutUpdated']);
  assert.ok(events.includes('orderPlaced'), events.join());
  assert.match(await page.locator('[data-sentence]').first().textContent(), /Nano/, 'journey ids read as the cart');
  assert.match(await page.locator('[data-zone="shopper"]').first().textContent(), /2026/);
  assert.match(await page.locator('[data-zone="merchant"]').first().textContent(), /GMT-5/, 'the shop\'s zone (America/New_York, in November)');
  assert.ok(await page.locator('[data-message="email"]').count() >= 1, 'the email as rendered');
  assert.ok((await page.locator('[data-table="consent"] [data-source]').allTextContents()).includes('checkout'), 'consent with its source');
  // A viewer reads and acts on nothing: no form, and her own valid token on a forged post is refused.
  assert.equal(await page.locator('[data-action]').count(), 0);
  const csrf = await page.inputValue('header input[name=csrf]');
  const cookie = (await ctx.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  // The email's HTML as it went, in a sandboxed frame with its own CSP; signed out, nothing.
  const src = await page.locator('[data-message="email"] iframe[sandbox]').first().getAttribute('src');
  const framed = await fetch(new URL(src, base), { headers: { cookie } });
  assert.equal(framed.status, 200);
  assert.match(framed.headers.get('content-security-policy'), /sandbox/);
  assert.match(await framed.text(), /<html/i);
  assert.equal((await fetch(new URL(src, base), { redirect: 'manual' })).status, 303);
  assert.equal((await fetch(new URL(src.replace(/[^/]+\.html$/, 'j_0000000000000000.email-9.email.0.html'), base), { headers: { cookie } })).status, 404);
  const forged = await fetch(`${page.url()}/pause`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf, confirm: 'yes' }), redirect: 'manual' });
  assert.equal(forged.status, 403);
  assert.match(await forged.text(), /Your role \(viewer\) cannot do this/);

  const unknown = await find(page, 'email', 'nobody@example.com');
  assert.equal(unknown.status(), 404);
  assert.match(await page.textContent('[data-not-found]'), /No shopper/);
  const bad = await find(page, 'email', 'not an address');
  assert.equal(bad.status(), 400);
  const lookups = (await auditEntries()).filter((e) => e.action === 'lookup');
  assert.ok(lookups.length === 7 && lookups.every((e) => e.actor === 'vera'), 'each search audit-logged with who');
  assert.ok(!JSON.stringify(await auditEntries()).includes('look@example.com'), 'never what was searched for');
  await ctx.close();
});

test('pause: asked, then confirmed; nothing is sent while paused; resume sends the held email; each audit-logged with the operator', async () => {
  clock.now = T0 + 100 * MINUTE;
  await abandon('op-pause', 'pause@example.com');
  const { ctx, page } = await signedIn('otto');
  await find(page, 'email', 'pause@example.com');
  const shopperUrl = page.url();
  await submit(page, '[data-action="pause"] button');
  assert.match(await page.textContent('[data-question]'), /Pause every message to this shopper until resumed\?/);
  assert.equal((await auditEntries()).filter((e) => e.action === 'pause').length, 0, 'asking does nothing');
  // The confirmation without its token does nothing either.
  const cookie = (await ctx.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const noToken = await fetch(`${shopperUrl}/pause`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: 'confirm=yes', redirect: 'manual' });
  assert.equal(noToken.status, 403);
  assert.equal((await auditEntries()).filter((e) => e.action === 'pause').length, 0);
  await submit(page, '[data-confirm="pause"] button');
  assert.equal(await page.textContent('[data-done]'), 'Paused.');
  assert.match(await page.textContent('[data-field="paused"]'), /paused by the merchant/);
  const [paused] = (await auditEntries()).filter((e) => e.action === 'pause');
  assert.equal(paused.actor, 'otto');
  assert.equal(paused.role, 'operator');
  assert.ok(Date.parse(paused.at) === clock.now, 'when: the clock\'s now');
  assert.match(paused.explanation, /paused by the merchant/);

  clock.now += 30 * MINUTE;
  await tick(app.url);
  assert.equal(mailsTo('pause@example.com').length, 0, 'no send while paused');
  await page.goto(shopperUrl);
  await submit(page, '[data-action="resume"] button');
  await submit(page, '[data-confirm="resume"] button');
  assert.match(await page.textContent('[data-done]'), /Resumed/);
  assert.ok((await page.locator('[data-event="operatorResumed"]').count()) === 1, 'the action is in the timeline');
  await tick(app.url);
  assert.equal(mailsTo('pause@example.com').length, 1, 'the held email went on resume');
  await ctx.close();
});

test('a support exception with an end date holds every send until that day ends in the shop\'s zone', async () => {
  clock.now = T0 + 200 * MINUTE; // 2026-11-27 13:20 in Chicago
  await abandon('op-exc', 'exception@example.com');
  const { ctx, page } = await signedIn('otto');
  await find(page, 'email', 'exception@example.com');
  await page.selectOption('[data-action="exception"] select[name=kind]', 'refund');
  await page.fill('[data-action="exception"] input[name=reason]', `Refund for ${HOSTILE}`);
  await page.fill('[data-action="exception"] input[name=until]', '2026-11-28');
  await submit(page, '[data-action="exception"] button');
  assert.match(await page.textContent('[data-question]'), /Refund: “Refund for .*”\) until the end of 2026-11-28 \(America\/Chicago\)/);
  await submit(page, '[data-confirm="exception"] button');
  assert.match(await page.textContent('[data-field="exceptions"]'), /refund \(“Refund for "><img/);
  const [opened] = (await auditEntries()).filter((e) => e.action === 'supportException');
  assert.equal(opened.actor, 'otto');
  assert.equal(opened.until, '2026-11-29T06:00:00.000Z', 'the end of the 28th in Chicago');
  assert.ok(!JSON.stringify(opened).includes('Refund for'), 'the free text stays out of the audit log');

  clock.now = Date.parse('2026-11-29T05:59:00Z');
  await tick(app.url);
  assert.equal(mailsTo('exception@example.com').length, 0, 'nothing before its end');
  clock.now = Date.parse('2026-11-29T06:00:00Z');
  await tick(app.url);
  assert.equal(mailsTo('exception@example.com').length, 1, 'the held email once it ends');
  await ctx.close();
});

test('an open-ended ticket holds sends until an operator closes it; preferences change through the engine', async () => {
  clock.now = T0 + 250 * MINUTE;
  await abandon('op-ticket', 'ticket@example.com');
  const { ctx, page } = await signedIn('otto');
  await find(page, 'email', 'ticket@example.com');
  const shopperUrl = page.url();
  await page.selectOption('[data-action="exception"] select[name=kind]', 'ticket');
  await page.fill('[data-action="exception"] input[name=reason]', 'Asked about sizes');
  await submit(page, '[data-action="exception"] button');
  assert.match(await page.textContent('[data-question]'), /until it is closed/);
  await submit(page, '[data-confirm="exception"] button');
  clock.now += 60 * MINUTE;
  await tick(app.url);
  assert.equal(mailsTo('ticket@example.com').length, 0, 'held while the ticket is open');
  await page.goto(shopperUrl);
  await submit(page, '[data-action="close"] button');
  await submit(page, '[data-confirm="close"] button');
  assert.equal(await page.textContent('[data-field="exceptions"]'), 'none open');
  await tick(app.url);
  assert.equal(mailsTo('ticket@example.com').length, 1, 'the held email once it is closed');

  await page.selectOption('[data-action="preferences"] select[name=frequency]', 'fewer');
  await submit(page, '[data-action="preferences"] button');
  assert.match(await page.textContent('[data-question]'), /fewer messages/);
  await submit(page, '[data-confirm="preferences"] button');
  assert.match(await page.textContent('[data-field="paused"]'), /frequency fewer/);
  assert.equal(await page.locator('[data-event="preferencesChanged"]').count(), 1, 'an engine event, in the timeline');
  const mine = (await auditEntries()).filter((e) => ['closeSupportException', 'preferences'].includes(e.action));
  assert.deepEqual(mine.map((e) => e.actor), ['otto', 'otto']);
  await ctx.close();
});

test('export downloads what is held; erase, confirmed, leaves nobody to find', async () => {
  clock.now = T0 + 300 * MINUTE;
  await abandon('op-erase', 'erase@example.com');
  const { ctx, page } = await signedIn('otto');
  await find(page, 'email', 'erase@example.com');
  const shopperUrl = page.url();
  await submit(page, '[data-action="export"] button');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-confirm="export"] button')]);
  const exported = JSON.parse(await readFile(await download.path(), 'utf8'));
  assert.ok(exported.data && exported.timeline.length >= 1);
  await page.goto(shopperUrl);
  await submit(page, '[data-action="erase"] button');
  assert.match(await page.textContent('[data-question]'), /cannot be undone/);
  await submit(page, '[data-confirm="erase"] button');
  assert.equal(await page.textContent('[data-done]'), 'Erased.');
  assert.equal((await find(page, 'email', 'erase@example.com')).status(), 404);
  const actions = (await auditEntries()).filter((e) => ['export', 'erase'].includes(e.action));
  assert.deepEqual(actions.map((e) => [e.action, e.actor]), [['export', 'otto'], ['erase', 'otto']]);
  await ctx.close();
});

test('the playbook: steps read as a table; a bad value is refused at its field and nothing is published', async () => {
  const { ctx, page } = await signedIn('otto');
  await page.goto(`${base}/playbook`);
  assert.equal(await page.textContent('[data-live-version]'), 'test-1');
  assert.match(await page.textContent('[data-step="email-1"]'), /5 min after leaving\s*email\s*reminder/);
  assert.match(await page.textContent('[data-step="sms-1"]'), /17 min after leaving\s*SMS/);
  const policy = JSON.parse(await page.inputValue('textarea[name=policy]'));
  policy.playbooks[0].steps[0].delayMinutes = -5;
  await page.fill('textarea[name=policy]', JSON.stringify(policy, null, 2));
  const refused = await submit(page, '[data-form="edit"] button');
  assert.equal(refused.status(), 400);
  const problem = page.locator('[data-problem]').first();
  assert.equal(await problem.getAttribute('data-path'), '$.playbooks[0].steps[0].delayMinutes');
  assert.ok(await problem.getAttribute('data-code'));
  assert.equal(await page.getAttribute('textarea[name=policy]', 'aria-invalid'), 'true');
  assert.equal(await page.getAttribute('textarea[name=policy]', 'aria-describedby'), 'policy-problems');
  assert.ok((await page.inputValue('textarea[name=policy]')).includes('-5'), 'the edit is kept to fix');
  await page.fill('textarea[name=policy]', '{ not json');
  await submit(page, '[data-form="edit"] button');
  assert.equal(await page.locator('[data-problem]').first().getAttribute('data-code'), 'MALFORMED_JSON');
  assert.equal((await app.store.readLog('policy')).lines.length, 0, 'nothing published');
  await ctx.close();
});

test('publish: checked, diffed, confirmed; the next decision uses it; a stale editor is refused; rollback returns', async () => {
  const { ctx, page } = await signedIn('otto');
  await page.goto(`${base}/playbook`);
  const policy = JSON.parse(await page.inputValue('textarea[name=policy]'));
  const staleExpected = await page.inputValue('[data-form="edit"] input[name=expected]');
  policy.version = 'test-2-email-only';
  policy.playbooks[0].steps = policy.playbooks[0].steps.filter((s) => s.channel === 'email');
  await page.fill('textarea[name=policy]', JSON.stringify(policy, null, 2));
  await submit(page, '[data-form="edit"] button');
  assert.ok(await page.locator('[data-table="diff"] tr[data-path^="$.playbooks[0].steps"]').count() >= 1, 'the SMS step is gone in the diff');
  assert.ok(await page.locator('[data-path="$.version"]').count() === 1);
  assert.match(await page.textContent('[data-simulation="unavailable"]'), /no simulator/);
  await submit(page, '[data-form="publish"] button');
  assert.match(await page.textContent('[data-done]'), /Published/);
  assert.equal(await page.textContent('[data-live-version]'), 'test-2-email-only');
  assert.equal(await page.locator('[data-step="sms-1"]').count(), 0);

  // The next decision uses the new version.
  clock.now = T0 + 400 * MINUTE;
  await abandon('op-next', 'next@example.com');
  await find(page, 'email', 'next@example.com');
  assert.match(await page.locator('[data-table="timeline"] > li').first().textContent(), /playbook test-2-email-only/);

  // An editor opened before that publication is refused: someone published meanwhile.
  policy.version = 'test-3';
  const cookie = (await ctx.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const csrf = await page.inputValue('header input[name=csrf]');
  const stale = await fetch(`${base}/playbook/publish`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf, expected: staleExpected, policy: JSON.stringify(policy) }) });
  assert.equal(stale.status, 409);
  assert.match(await stale.text(), /PUBLISHED_MEANWHILE/);

  // Roll back to publication 1 (the deployment's own), confirmed.
  await page.goto(`${base}/playbook`);
  assert.equal(await page.locator('[data-table="versions"] tbody tr').count(), 2);
  await submit(page, '[data-publication="1"] button');
  assert.match(await page.textContent('[data-question]'), /Roll back to publication 1 \(version test-1/);
  await submit(page, '[data-confirm="rollback"] button');
  assert.match(await page.textContent('[data-done]'), /Rolled back/);
  assert.equal(await page.textContent('[data-live-version]'), 'test-1');
  const audit = await page.locator('[data-table="audit"] tbody tr').evaluateAll((rows) => rows.map((r) => [r.dataset.action, r.querySelector('[data-actor]').textContent]));
  assert.deepEqual(audit.filter(([a]) => a === 'publish' || a === 'rollback').slice(0, 2), [['rollback', 'otto'], ['publish', 'otto']]);
  await ctx.close();
});

test('with the native simulator (Node), the check compares both playbooks on the same synthetic shoppers', async () => {
  const users = [{ name: 'otto', role: 'operator', passwordHash: await server.hashPassword(PASSWORDS.otto, { iterations: 1000 }) }];
  const simulating = await startServer({
    store: server.memoryStore(), clock, twilio, sendgrid,
    secrets: { console: 'console-secret-of-at-least-32-characters!' },
    console: server.operatorConsole({ timeZone: 'America/Chicago', users }),
    simulate: serverNode.cliSimulator({ binary: SIMULATOR, shoppers: 200 }),
  });
  const ctx = await context();
  const page = await ctx.newPage();
  try {
    await page.goto(`${simulating.url}/console/sign-in`);
    await page.fill('input[name=name]', 'otto');
    await page.fill('input[name=password]', PASSWORDS.otto);
    await submit(page, 'button[type=submit]');
    await page.goto(`${simulating.url}/console/playbook`);
    const policy = JSON.parse(await page.inputValue('textarea[name=policy]'));
    policy.version = 'email-only';
    policy.playbooks[0].steps = policy.playbooks[0].steps.filter((s) => s.channel === 'email');
    await page.fill('textarea[name=policy]', JSON.stringify(policy));
    await submit(page, '[data-form="edit"] button');
    const heads = await page.locator('[data-table="simulation"] thead th').allTextContents();
    assert.deepEqual(heads.slice(1), ['live', 'candidate']);
    const messages = await page.locator('[data-table="simulation"] [data-metric="messages"] td').allTextContents();
    assert.equal(messages.length, 2);
    assert.notEqual(messages[0], messages[1], 'without the SMS step, fewer messages');
  } finally {
    await ctx.close();
    await simulating.close();
  }
});

test('a viewer checks an edit but cannot publish or roll back', async () => {
  const { ctx, page } = await signedIn('vera');
  await page.goto(`${base}/playbook`);
  assert.equal(await page.locator('[data-table="versions"] button').count(), 0, 'no rollback button');
  const policy = JSON.parse(await page.inputValue('textarea[name=policy]'));
  policy.version = 'vera-edit';
  await page.fill('textarea[name=policy]', JSON.stringify(policy));
  await submit(page, '[data-form="edit"] button');
  assert.equal(await page.locator('[data-path="$.version"]').count(), 1, 'she sees the diff');
  assert.equal(await page.locator('[data-form="publish"]').count(), 0, 'but no publish form');
  const cookie = (await ctx.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const csrf = await page.inputValue('header input[name=csrf]');
  const post = (path, body) => fetch(`${base}/${path}`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf, ...body }) });
  const before = (await app.store.readLog('policy')).lines.length;
  assert.equal((await post('playbook/publish', { policy: JSON.stringify(testPolicy()), expected: String(before) })).status, 403);
  assert.equal((await post('playbook/rollback', { publication: '1', expected: String(before), confirm: 'yes' })).status, 403);
  assert.equal((await app.store.readLog('policy')).lines.length, before, 'nothing published');
  await ctx.close();
});

test('the new pages run no script, escape every hostile string, and pass axe-core at 1280 and 375 px', async () => {
  const problems = [];
  for (const [label, viewport] of [['desktop', { width: 1280, height: 900 }], ['mobile', { width: 375, height: 800 }]]) {
    const { ctx, page } = await signedIn('otto', { viewport, bypassCSP: true });
    const check = async (name) => {
      assert.equal(await page.locator('script, img[onerror], [onerror]').count(), 0, name);
      assert.equal(await page.evaluate(() => window.__xss), undefined, name);
      await page.addScriptTag({ content: axeSource });
      const result = await page.evaluate(() => window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }));
      for (const v of result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')) problems.push(`${label} ${name}: ${v.id} ${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', ')}`);
      await page.screenshot({ path: join(artifacts, `console-${name}-${label}.png`), fullPage: true });
    };
    await page.goto(`${base}/shoppers`);
    await check('shoppers');
    await find(page, 'email', 'next@example.com');
    await check('shopper');
    await submit(page, '[data-action="pause"] button');
    await check('confirm');
    await page.goto(`${base}/playbook`);
    await check('playbook');
    const policy = JSON.parse(await page.inputValue('textarea[name=policy]'));
    await page.fill('textarea[name=policy]', JSON.stringify({ ...policy, version: 'axe-edit', holdoutPercent: 20 }));
    await submit(page, '[data-form="edit"] button');
    assert.equal(await page.locator('[data-form="publish"]').count(), 1);
    await check('playbook-preview');
    await page.fill('textarea[name=policy]', JSON.stringify({ ...policy, holdoutPercent: 300 }));
    await submit(page, '[data-form="edit"] button');
    assert.ok(await page.locator('[data-problem]').count() >= 1);
    await check('playbook-errors');
    assert.deepEqual(ctx.dialogs, []);
    await ctx.close();
  }
  assert.deepEqual(problems, []);
});
