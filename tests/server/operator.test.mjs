// The operator API (issue 19, js-shim/server/operator.js) over real HTTP: signed Shopify
// webhooks into the Node handler, state in a SQLite file, sends to fake Twilio and SendGrid
// servers, and the console's calls under /api/operator/ with the bearer secret. Time is the
// injected clock: the support exception's end date is reached by moving it, not by waiting.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fakeSendgrid, fakeTwilio } from './fake-providers.mjs';
import { fileURLToPath } from 'node:url';
import { TWILIO, SENDGRID_KEY, abandonedCheckout, postShopify, rekindle, removeDir, server, serverNode, shopifySample, startServer, tempDir, testPolicy, tick } from './harness.mjs';

// The native simulator `cargo test` builds before the node suites run (scripts/test.sh).
const SIMULATOR = fileURLToPath(new URL('../../target/debug/rekindle', import.meta.url));

const T0 = Date.parse('2026-11-27T15:00:00Z'); // 09:00 in Chicago: inside quiet-hour limits
const minutes = (n) => n * 60_000;
const SECRET = 'operator-secret';
const OPERATOR = { actor: 'sam@shop.example', role: 'operator' };
const VIEWER = { actor: 'vic@shop.example', role: 'viewer' };
const clock = { now: T0 };
let dir, twilio, sendgrid, app;

before(async () => {
  dir = await tempDir();
  twilio = await fakeTwilio(TWILIO);
  sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
  app = await startServer({ storePath: join(dir, 'operator.db'), clock, twilio, sendgrid, secrets: { operator: SECRET } });
});

after(async () => {
  await app.close();
  await twilio.close();
  await sendgrid.close();
  await removeDir(dir);
});

function call(method, path, body, { who = OPERATOR, secret = SECRET } = {}) {
  return fetch(`${app.url}/api/operator/${path}`, {
    method,
    headers: { authorization: `Bearer ${secret}`, 'x-rekindle-actor': who.actor, 'x-rekindle-role': who.role, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function ok(response) {
  const body = await response.json();
  assert.equal(response.status, 200, JSON.stringify(body));
  return body;
}

/** A shopper who left a checkout at `at` (minutes after T0), found back through the email lookup. */
let shoppers = 0;
async function shopper(token, email, { at = 0 } = {}) {
  clock.now = T0 + minutes(at);
  shoppers += 1;
  const customerId = String(700000000000000000n + BigInt(shoppers)); // Shopify's ids are numbers
  const body = await abandonedCheckout({ at: new Date(clock.now - 60_000).toISOString(), token, customerId, email });
  assert.deepEqual(await (await postShopify(app.url, 'checkouts/create', body)).json(), { applied: 1, unmatched: 0 });
  const found = await ok(await call('POST', 'lookup', { by: 'email', value: email.toUpperCase() }));
  assert.equal(found.found, true);
  return found.shopper.contactId;
}

const mailsTo = (email) => sendgrid.mails.filter((m) => m.mail.personalizations[0].to[0].email === email);

test('the bearer secret, an actor and a role that may act are all required', async () => {
  assert.equal((await call('GET', 'audit', undefined, { secret: 'wrong' })).status, 401);
  const nobody = await call('GET', 'audit', undefined, { who: { actor: '', role: 'viewer' } });
  assert.equal(nobody.status, 401);
  assert.equal((await nobody.json()).error.code, 'NO_ACTOR');
  const contactId = await shopper('t-role', 'role@example.com');
  const refused = await call('POST', `shoppers/${contactId}/pause`, {}, { who: VIEWER });
  assert.equal(refused.status, 403);
  assert.deepEqual((await refused.json()).error.code, 'FORBIDDEN');
  assert.equal((await call('DELETE', 'audit')).status, 405);
  assert.equal((await call('GET', 'nothing-here')).status, 404);
});

test('pause: nothing is sent while paused; resume: the held email goes at the next tick', async () => {
  const contactId = await shopper('t-pause', 'pause@example.com');
  const paused = await ok(await call('POST', `shoppers/${contactId}/pause`, {}));
  assert.match(paused.decision.explanation.summary, /paused by the merchant until resumed/);
  clock.now = T0 + minutes(30);
  await tick(app.url);
  assert.equal(mailsTo('pause@example.com').length, 0, 'no send while paused');
  const resumed = await ok(await call('POST', `shoppers/${contactId}/resume`, {}));
  assert.match(resumed.decision.explanation.summary, /resumed by the merchant: \d+ held sends due again/);
  await tick(app.url);
  assert.equal(mailsTo('pause@example.com').length, 1, 'the held email went on resume');
});

test('a support exception with an end date: no send until it ends, then the held send goes', async () => {
  const contactId = await shopper('t-exception', 'exception@example.com', { at: 60 });
  const end = new Date(T0 + minutes(60 + 240)).toISOString();
  const opened = await ok(await call('POST', `shoppers/${contactId}/support-exceptions`, { kind: 'refund', reason: 'Refund for the damaged socks', until: end }));
  assert.match(opened.decision.explanation.summary, /support exception opened \(refund\)/);
  assert.ok(!JSON.stringify(opened.audit).includes('damaged'), 'the free-text reason stays out of the audit log');
  clock.now = T0 + minutes(60 + 239);
  await tick(app.url);
  assert.equal(mailsTo('exception@example.com').length, 0, 'nothing before the end date');
  clock.now = T0 + minutes(60 + 240);
  await tick(app.url);
  assert.equal(mailsTo('exception@example.com').length, 1, 'the email goes once the exception ends');
  const missing = await call('POST', `shoppers/${contactId}/support-exceptions`, { kind: 'refund' });
  assert.equal(missing.status, 400);
  assert.deepEqual((await missing.json()).error.path, '$.reason');
});

test('the timeline: every decision with its sentence, carts by product, both zones, the message as rendered, consent with sources', async () => {
  const contactId = await shopper('t-timeline', 'timeline@example.com', { at: 400 });
  clock.now = T0 + minutes(410);
  await tick(app.url);
  const { shopper: view, timeline, zones } = await ok(await call('GET', `shoppers/${contactId}`, undefined, { who: VIEWER }));
  assert.equal(view.email, 't•••@example.com', 'masked: the console does not need the address');
  assert.ok(!JSON.stringify(view).includes('timeline@example.com'));
  assert.equal(view.journeys[0].name, 'IPod Nano - 8GB and 1 more');
  assert.ok(view.consent.sms.some((e) => e.source === 'checkout' && e.at.utc), 'consent history with its source');
  assert.deepEqual(zones, { shopper: zones.shopper, merchant: testPolicy().storeTimeZone ?? zones.merchant });
  const [first] = timeline;
  assert.equal(first.event, 'checkoutUpdated');
  assert.match(first.sentence, /IPod Nano/, 'journey ids read as the cart they are');
  assert.ok(first.at.utc && first.at.shopper && first.at.merchant);
  const sent = timeline.flatMap((e) => e.actions).find((a) => a.type === 'send');
  assert.ok(sent?.message, 'the message as rendered');
  assert.equal(sent.journey, 'IPod Nano - 8GB and 1 more');
  assert.ok(!JSON.stringify(timeline).includes('timeline@example.com'), 'no address in the timeline');
});

test('lookup by email, phone, order and checkout; an unknown one is not found and a bad email is an error at its field', async () => {
  const contactId = await shopper('t-lookup', 'lookup@example.com', { at: 500 });
  const order = (await shopifySample('orders_create'))
    .replace('"checkout_token": null', '"checkout_token": "t-lookup"')
    .replaceAll('115310627314723954', String(700000000000000000n + BigInt(shoppers)))
    .replaceAll('820982911946154508', '820982911946150001');
  await postShopify(app.url, 'orders/create', order);
  for (const [by, value] of [['email', ' Lookup@Example.com '], ['phone', '+15125550100'], ['checkout', 't-lookup'], ['order', '820982911946150001']]) {
    const found = await ok(await call('POST', 'lookup', { by, value }, { who: VIEWER }));
    if (by === 'phone') assert.equal(found.found, true, 'every shopper here shares the sample number: one of them');
    else assert.equal(found.shopper?.contactId, contactId, by);
  }
  assert.deepEqual(await ok(await call('POST', 'lookup', { by: 'email', value: 'nobody@example.com' })), { found: false });
  const bad = await call('POST', 'lookup', { by: 'email', value: 'not an email' });
  assert.equal(bad.status, 400);
  assert.deepEqual(Object.keys((await bad.json()).error).sort(), ['code', 'message', 'path']);
  const unknown = await call('POST', 'lookup', { by: 'name', value: 'Ada' });
  assert.equal((await unknown.json()).error.path, '$.by');
});

test('playbook: a bad value is refused with its code and path and nothing is published', async () => {
  const before = await ok(await call('GET', 'playbook', undefined, { who: VIEWER }));
  const bad = { ...before.live, version: 'bad-1', holdoutPercent: 150 };
  const preview = await ok(await call('POST', 'playbook/preview', { policy: bad }, { who: VIEWER }));
  assert.equal(preview.ok, false);
  assert.ok(preview.problems.some((p) => p.path === '$.holdoutPercent' && p.code), JSON.stringify(preview.problems));
  const refused = await call('POST', 'playbook/publish', { policy: bad });
  assert.equal(refused.status, 400);
  assert.equal((await refused.json()).error.path, '$.holdoutPercent');
  const after = await ok(await call('GET', 'playbook'));
  assert.equal(after.publication, before.publication, 'nothing published');
  assert.equal(app.runtime.engine.policyVersion, before.live.version);
});

// Issue 20: the operator API validates in the report module now, but every Engine a handler makes
// audits the playbook's own wording again, so one that fails the audit goes live by no path.
test('a playbook whose own wording fails the content audit goes live by no path', async () => {
  const { live, publication } = await ok(await call('GET', 'playbook'));
  const unsafe = { ...structuredClone(live), version: 'unsafe-1', templates: { trust: { en: { html: '<p onclick="x()">Hello</p>' } } } };
  const at = "$.templates['trust'].en.html";
  const flagged = (problems) => problems.some((p) => p.path === at && p.message.startsWith('unsafeHtml'));
  // Through the operator API: previewed as a problem at its path, and not published.
  const preview = await ok(await call('POST', 'playbook/preview', { policy: unsafe }));
  assert.equal(preview.ok, false);
  assert.ok(flagged(preview.problems), JSON.stringify(preview.problems));
  const refused = await call('POST', 'playbook/publish', { policy: unsafe, expected: publication });
  assert.equal(refused.status, 400);
  assert.equal((await ok(await call('GET', 'playbook'))).publication, publication, 'nothing published');
  // As a deployment's own playbook: the edge's engine refuses it, with no report module loaded.
  assert.throws(() => new rekindle.Engine(unsafe), (error) => error.code === 'INVALID_POLICY' && flagged(error.problems));
  // Written into the policy log behind the API's back: the runtime will not switch to it.
  const other = await startServer({ storePath: join(dir, 'unsafe.db'), clock, twilio, sendgrid, secrets: { operator: SECRET } });
  try {
    const before = other.runtime.engine.policyVersion;
    assert.ok(await other.store.appendLog('policies', [JSON.stringify({ version: unsafe.version, policy: unsafe, kind: 'publish' })], 0));
    await assert.rejects(other.runtime.usePublished(), (error) => error.code === 'INVALID_POLICY' && flagged(error.problems));
    assert.equal(other.runtime.engine.policyVersion, before, 'decisions stay on the audited playbook');
  } finally {
    await other.close();
  }
});

test('publish: the diff against live, then the next decision runs under the new version; rollback returns to the earlier one', async () => {
  const { live, publication } = await ok(await call('GET', 'playbook'));
  const edited = structuredClone(live);
  edited.version = 'test-2';
  edited.playbooks[0].steps[0].delayMinutes = 45;
  const preview = await ok(await call('POST', 'playbook/preview', { policy: edited }));
  assert.equal(preview.ok, true);
  assert.ok(preview.diff.some((c) => c.path === '$.playbooks[0].steps[0].delayMinutes' && c.after === 45), JSON.stringify(preview.diff));
  assert.ok(preview.diff.some((c) => c.path === '$.version'));
  const published = await ok(await call('POST', 'playbook/publish', { policy: edited, expected: publication }));
  assert.equal(published.version, 'test-2');
  const stale = await call('POST', 'playbook/publish', { policy: { ...edited, version: 'test-3' }, expected: publication });
  assert.equal(stale.status, 409, 'an edit of an older publication is refused');

  const contactId = await shopper('t-publish', 'publish@example.com', { at: 700 });
  const journey = (await ok(await call('GET', `shoppers/${contactId}`))).shopper.journeys[0];
  assert.equal(journey.policyVersion, 'test-2', 'the next decision used the published version');
  assert.equal(journey.sends[0].dueAt.utc, new Date(T0 + minutes(700 - 1 + 45)).toISOString(), 'with its edited delay');

  const { versions } = await ok(await call('GET', 'playbook'));
  assert.deepEqual(versions.map((v) => [v.publication, v.version, v.kind]), [[1, 'test-1', 'deployment'], [2, 'test-2', 'publish']], 'the deployment\'s own playbook is kept as publication 1');
  const rolled = await ok(await call('POST', 'playbook/rollback', { publication: 1, expected: versions.length }));
  assert.deepEqual([rolled.version, rolled.publication], ['test-1', 3]);
  const again = await shopper('t-rollback', 'rollback@example.com', { at: 800 });
  assert.equal((await ok(await call('GET', `shoppers/${again}`))).shopper.journeys[0].policyVersion, rolled.version);
  assert.equal((await call('POST', 'playbook/rollback', { publication: 99 })).status, 404);
});

test('preferences, export and erase: engine events, and erasure leaves no timeline', async () => {
  const contactId = await shopper('t-erase', 'erase@example.com', { at: 900 });
  const prefs = await ok(await call('POST', `shoppers/${contactId}/preferences`, { frequency: 'fewer', sms: false }));
  assert.match(prefs.decision.explanation.summary, /preferences saved: Fewer/);
  const exported = await ok(await call('POST', `shoppers/${contactId}/export`));
  assert.equal(exported.data.contact.email, 'erase@example.com', 'the export is everything held');
  assert.ok(exported.timeline.length >= 2);
  await ok(await call('POST', `shoppers/${contactId}/erase`));
  const after = await ok(await call('GET', `shoppers/${contactId}`));
  assert.equal(after.shopper.erased, true);
  assert.equal(after.shopper.email, null);
  assert.deepEqual(after.timeline, [], 'the timeline quoted messages: it went with the contact');
  assert.deepEqual(await ok(await call('POST', 'lookup', { by: 'email', value: 'erase@example.com' })), { found: false });
});

test('audit: every action with who and when, newest first, without what was searched for', async () => {
  const { entries } = await ok(await call('GET', 'audit?limit=500', undefined, { who: VIEWER }));
  const actions = new Set(entries.map((e) => e.action));
  for (const action of ['lookup', 'pause', 'resume', 'supportException', 'publish', 'rollback', 'preferences', 'export', 'erase', 'viewTimeline']) {
    assert.ok(actions.has(action), `${action} is audited`);
  }
  for (const e of entries) {
    assert.ok(e.actor && e.role && !Number.isNaN(Date.parse(e.at)), JSON.stringify(e));
  }
  assert.ok(entries.find((e) => e.action === 'publish').actor === OPERATOR.actor);
  assert.ok(Date.parse(entries[0].at) >= Date.parse(entries.at(-1).at), 'newest first');
  assert.ok(!JSON.stringify(entries).includes('@example.com'), 'no shopper address: the lookup records its kind only');
});

test('preview with a simulator: both playbooks meet the same synthetic shoppers through the native simulator', async () => {
  const simulating = await startServer({ store: server.memoryStore(), clock, twilio, sendgrid, secrets: { operator: SECRET }, simulate: serverNode.cliSimulator({ binary: SIMULATOR, shoppers: 200 }) });
  try {
    const live = (await (await fetch(`${simulating.url}/api/operator/playbook`, { headers: { authorization: `Bearer ${SECRET}`, 'x-rekindle-actor': 'vic', 'x-rekindle-role': 'viewer' } })).json()).live;
    const candidate = structuredClone(live);
    candidate.version = 'test-sim';
    candidate.playbooks[0].steps = candidate.playbooks[0].steps.filter((step) => step.channel === 'email');
    const response = await fetch(`${simulating.url}/api/operator/playbook/preview`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SECRET}`, 'x-rekindle-actor': 'vic', 'x-rekindle-role': 'viewer', 'content-type': 'application/json' },
      body: JSON.stringify({ policy: candidate }),
    });
    const preview = await response.json();
    assert.equal(response.status, 200, JSON.stringify(preview));
    assert.ok(preview.diff.some((c) => c.path.startsWith('$.playbooks[0].steps')), 'the SMS step is gone from the diff');
    const [world] = preview.simulation.results;
    assert.deepEqual(world.policies.map((p) => p.policy), ['default', 'live', 'candidate']);
    assert.equal(world.shoppers, 200);
    const messages = (name) => JSON.stringify(world.policies.find((p) => p.policy === name));
    assert.notEqual(messages('live'), messages('candidate'), 'an email-only playbook simulates differently');
  } finally {
    await simulating.close();
  }
});
