// The Durable Objects store in real workerd (Miniflare): a merchant's Worker bundled as wrangler
// would bundle it, one object per contact in SQLite storage persisted to a temp dir, alarms as
// the only scheduler, and sends to fake SendGrid and Twilio servers on 127.0.0.1. The store
// contract runs inside workerd too, through the adapter the Worker itself uses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { Miniflare } from 'miniflare';
import { fakeSendgrid, fakeTwilio } from './fake-providers.mjs';
import {
  SECRETS, SENDGRID_KEY, TEMPLATES, TWILIO, abandonedCheckout, postSendgrid, postShopify, postTwilio, rekindle, removeDir, shopifySample, tempDir, testPolicy, tick,
} from './harness.mjs';
import { storeContract } from './store-contract.mjs';

const dist = fileURLToPath(new URL('../../pkg/dist/', import.meta.url));
// The Worker's clock runs at wall speed from 15:00 UTC tomorrow (10:00 or 11:00 in New York,
// inside US quiet-hour limits whatever the hour of the run). It is always ahead of the wall
// clock: an alarm armed by the wall clock instead of the runtime's would ring hours late.
const today = new Date();
const T0 = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + 1, 15);
const OFFSET = T0 - Date.now();
const logical = () => Date.now() + OFFSET;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** The due entries that are sends: not the contact's housekeeping (expiry and retention). */
const sendsIn = (entries) => entries.filter((d) => !d.id.endsWith('.housekeeping'));
const LEASE_MS = 1_500; // a dispatcher that died is replaced this long after its claim

/** The merchant's Worker: the handler and the object class on the same options. */
const MERCHANT_WORKER = `
  import { contactObject, createHandler, durableObjectStore, sendgridTransport, twilioTransport } from ${JSON.stringify(join(dist, 'server', 'cloudflare.js'))};
  const options = (env) => ({
    store: durableObjectStore(env.REKINDLE),
    policy: JSON.parse(env.POLICY),
    secrets: JSON.parse(env.SECRETS),
    transports: {
      sms: twilioTransport({ ...JSON.parse(env.TWILIO), baseUrl: env.TWILIO_URL }),
      email: sendgridTransport({ apiKey: env.SENDGRID_KEY, from: { email: 'shop@example.com' }, templates: JSON.parse(env.TEMPLATES), baseUrl: env.SENDGRID_URL }),
    },
    publicUrl: 'https://rekindle.test',
    now: () => Date.now() + Number(env.CLOCK_OFFSET),
    leaseMs: Number(env.LEASE_MS),
    sleep: async () => {},
  });
  export const RekindleContact = contactObject(options);
  export default { fetch: createHandler(options) };`;

/** The store alone, driven from the test through the Worker: the contract's calls run in workerd. */
const STORE_WORKER = `
  import { contactObject, durableObjectStore } from ${JSON.stringify(join(dist, 'server', 'cloudflare.js'))};
  export const RekindleContact = contactObject();
  export default {
    async fetch(request, env) {
      const { method, args, contact } = await request.json();
      const store = durableObjectStore(env.REKINDLE);
      const target = contact ? store.forContact(contact) : store;
      return Response.json({ result: (await target[method](...args)) ?? null });
    },
  };`;

/** Bundled as wrangler does: 'rekindle' is the workerd entry, the .wasm stays a module. */
async function bundle(source) {
  const { outputFiles } = await esbuild.build({
    stdin: { contents: source, resolveDir: dist, loader: 'js' },
    bundle: true, write: false, format: 'esm', platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    alias: { rekindle: join(dist, 'workerd.js') },
    external: ['./rekindle_bg.wasm', './report_bg.wasm', 'cloudflare:*'],
    logLevel: 'silent',
  });
  return outputFiles[0].text;
}

async function workerd(script, { persist = false, bindings = {} } = {}) {
  const mf = new Miniflare({
    modules: [
      { type: 'ESModule', path: join(dist, 'worker.js'), contents: script },
      { type: 'CompiledWasm', path: join(dist, 'rekindle_bg.wasm'), contents: await readFile(join(dist, 'rekindle_bg.wasm')) },
      { type: 'CompiledWasm', path: join(dist, 'report_bg.wasm'), contents: await readFile(join(dist, 'report_bg.wasm')) },
    ],
    modulesRoot: dist,
    host: '127.0.0.1',
    port: 0,
    compatibilityDate: '2026-07-01',
    durableObjects: { REKINDLE: { className: 'RekindleContact', useSQLite: true } },
    durableObjectsPersist: persist,
    bindings,
  });
  const url = await mf.ready;
  return { mf, url: url.origin };
}

// ---------- the store contract, inside workerd ----------

storeContract('durable objects', async () => {
  const { mf } = await workerd(await bundle(STORE_WORKER));
  const call = (method, args, contact) => mf.dispatchFetch('http://store/', { method: 'POST', body: JSON.stringify({ method, args, contact }) })
    .then(async (response) => {
      if (response.status !== 200) throw new Error(`${method}: ${response.status} ${await response.text()}`);
      return (await response.json()).result;
    });
  // A stand-in whose every method is the same call made by the adapter inside the Worker.
  const remote = (contact) => new Proxy({}, {
    get: (_, method) => (method === 'close' ? () => mf.dispose() : method === 'then' ? undefined : (...args) => call(method, args, contact)),
  });
  return { store: remote(), scope: remote, alarms: true };
});

// ---------- the merchant's Worker, end to end ----------

let dir, twilio, sendgrid, merchantScript, app;
const bindings = () => ({
  POLICY: JSON.stringify(testPolicy()),
  SECRETS: JSON.stringify({ ...SECRETS, reports: 'reports-secret' }),
  TWILIO: JSON.stringify(TWILIO),
  TWILIO_URL: twilio.url,
  SENDGRID_KEY,
  SENDGRID_URL: sendgrid.url,
  TEMPLATES: JSON.stringify(TEMPLATES),
  CLOCK_OFFSET: String(OFFSET),
  LEASE_MS: String(LEASE_MS),
});
const start = async () => workerd(merchantScript, { persist: join(dir, 'durable-objects'), bindings: bindings() });

before(async () => {
  dir = await tempDir();
  twilio = await fakeTwilio(TWILIO);
  sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
  merchantScript = await bundle(MERCHANT_WORKER);
  app = await start();
});

after(async () => {
  await app?.mf.dispose();
  await twilio.close();
  await sendgrid.close();
  await removeDir(dir);
});

const shoppers = [];
/** A new shopper's checkout, abandoned so that its first email is due `inMs` from now. */
async function shopper(inMs) {
  const n = String(shoppers.length + 1).padStart(3, '0');
  const email = `do-${n}@example.com`;
  const dueAt = Date.now() + inMs; // on the wall clock; the email step is 5 minutes after abandonment
  const body = await abandonedCheckout({
    at: new Date(dueAt + OFFSET - 5 * 60_000).toISOString(), token: `do-${n}`, customerId: `900000000000000${n}`, email, phone: `+15125550${n}`,
  });
  const [routed] = rekindle.ingest.shopify('checkouts/create', `do-${n}`, body, SECRETS.salt, logical()).routed;
  const s = { dueAt, email, phone: `+15125550${n}`, body, token: `do-${n}`, contactId: routed.contactId, links: routed.links, customerId: `900000000000000${n}` };
  shoppers.push(s);
  return s;
}

/** The contact's object, reached from the test as the Worker reaches it. */
async function object(contactId, mf = app.mf) {
  const namespace = await mf.getDurableObjectNamespace('REKINDLE');
  return namespace.get(namespace.idFromName(`contact:${contactId}`));
}

const mailsTo = (email) => sendgrid.mails.filter((m) => m.mail.personalizations[0].to[0].email === email);

async function waitFor(what, check, timeoutMs = 15_000) {
  const startedAt = Date.now();
  while (!(await check())) {
    if (Date.now() - startedAt > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
  return Date.now() - startedAt;
}

test('an abandoned checkout creates its contact object, whose alarm sends the email once, when due', async () => {
  // Due in 5 s: the webhook and the reads below must fit before it (1.5 s did not at load 16 on 2 cores).
  const s = await shopper(5_000);
  const response = await postShopify(app.url, 'checkouts/create', s.body);
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { applied: 1, unmatched: 0 });
  const contact = await object(s.contactId);
  const due = await contact.dueBefore(logical() + 3_600_000, 10);
  assert.deepEqual(due.map((d) => d.id.replace(/^j_[0-9a-f]+\./, '')), ['email-1.email.0', 'sms-1.sms.0'], 'the object holds its due entries');
  assert.equal(mailsTo(s.email).length, 0, 'nothing before it is due');

  await waitFor('the alarm to send the email', () => mailsTo(s.email).length > 0);
  const late = Date.now() - s.dueAt; // within the 50 ms the test polls at
  await sleep(1_000); // a second send would come now if the alarm rang twice
  const [{ mail }] = mailsTo(s.email).length === 1 ? mailsTo(s.email) : assert.fail(`${mailsTo(s.email).length} mails, want 1`);
  assert.equal(mail.template_id, TEMPLATES['cart.email.confirm']);
  assert.equal(mail.custom_args.rekindle_contact, s.contactId);
  const ledger = await contact.ledger(mail.custom_args.rekindle_action);
  assert.equal(ledger.status, 'sent');
  assert.equal(ledger.attempts, 1);
  assert.deepEqual((await contact.dueBefore(logical() + 3_600_000, 10)).map((d) => d.id.replace(/^j_[0-9a-f]+\./, '')), ['sms-1.sms.0'], 'the SMS is still to come');
  assert.equal(twilio.messages.length, 0, 'and has not gone early');
  console.log(`# the alarm's email reached the provider ${late} ms after it was due`);
  assert.ok(late >= 0, 'not before it was due');
});

test('GET /report on Workers: the contact objects hand their outcome lines to the log object, which the report reads', async () => {
  assert.equal((await fetch(`${app.url}/report`)).status, 401, 'no secret, no figures');
  const response = await fetch(`${app.url}/report`, { headers: { authorization: 'Bearer reports-secret' } });
  assert.equal(response.status, 200);
  const report = await response.json();
  assert.equal(report.treated.abandoned, shoppers.length, 'every journey so far, from its contact object');
  assert.equal(report.treated.messages, sendgrid.mails.length + twilio.messages.length, 'the alarm\'s sends, logged in the object\'s commit');
  assert.equal(report.holdout.abandoned, 0);
  assert.equal(report.lift, null, 'no holdout in this policy, so no lift: the report says nothing it cannot back');
  const csv = await fetch(`${app.url}/report?format=csv`, { headers: { authorization: 'Bearer reports-secret' } });
  assert.match(await csv.text(), /^dimension,key,currency,abandoned,/);
});

test('GET /health on Workers: alarms are the scheduler, so no global backlog is reported; one contact\'s is', async () => {
  const response = await fetch(`${app.url}/health`);
  assert.equal(response.status, 200);
  const body = await response.json();
  assert.deepEqual({ ...body, engine: typeof body.engine }, {
    ok: true, engine: 'string', scheduler: 'alarms', lastTick: null, due: null, oldestDue: null, overdueMs: 0, maxOverdueMs: 300_000,
  });
  const s = shoppers[0]; // its email went, its SMS is still to come
  const one = await (await object(s.contactId)).dueSummary(logical() + 3_600_000);
  assert.deepEqual([one.due, one.scheduler, one.lastTickAt], [1, 'alarms', null]);
});

test('an order before the due time cancels the send: the object has nothing left to send', async () => {
  const s = await shopper(3_000);
  assert.equal((await postShopify(app.url, 'checkouts/create', s.body)).status, 200);
  const order = (await shopifySample('orders_create'))
    .replace('"checkout_token": null', `"checkout_token": ${JSON.stringify(s.token)}`)
    .replaceAll('115310627314723954', s.customerId);
  const ordered = await postShopify(app.url, 'orders/create', order);
  assert.deepEqual(await ordered.json(), { applied: 1, unmatched: 0 });
  assert.ok(Date.now() < s.dueAt, 'the order came before the email was due (else this proves nothing)');
  const contact = await object(s.contactId);
  assert.deepEqual(sendsIn(await contact.dueBefore(Number.MAX_SAFE_INTEGER, 10)), [], 'the order unscheduled every send');
  assert.equal(JSON.parse((await contact.load()).state).journeys[0].status, 'recovered');
  await sleep(s.dueAt - Date.now() + 1_500); // past the time the email was due
  assert.deepEqual(mailsTo(s.email), []);
});

test('two webhooks and three ticks at once, racing the alarm, give one send', async () => {
  const s = await shopper(1_000);
  // Shopify's create and update for one checkout, arriving together (different webhook ids).
  const posted = await Promise.all([postShopify(app.url, 'checkouts/create', s.body), postShopify(app.url, 'checkouts/update', s.body)]);
  assert.deepEqual(posted.map((r) => r.status), [200, 200]);
  const contact = await object(s.contactId);
  // The provider answers slowly, so the object's input gate opens while a send is in flight.
  sendgrid.afterAccept(async () => {
    await sleep(300);
    return false;
  });
  try {
    await sleep(1_000);
    const ticks = await Promise.all([contact.tick(), contact.tick(), contact.tick()]);
    await waitFor('the email', () => mailsTo(s.email).length > 0);
    await sleep(1_000);
    assert.equal(mailsTo(s.email).length, 1, `ticks said ${JSON.stringify(ticks)}`);
    assert.ok(ticks.reduce((sum, t) => sum + t.sent, 0) <= 1);
  } finally {
    sendgrid.afterAccept(undefined);
  }
});

test("a STOP reply goes out at once, by the contact's alarm; the cron tick has nothing to do", async () => {
  const s = await shopper(60_000);
  assert.equal((await postShopify(app.url, 'checkouts/create', s.body)).status, 200);
  const stop = await postTwilio(app.url, '/webhooks/twilio/inbound', { MessageSid: `SM-${s.token}`, From: s.phone, To: '+15005550006', Body: 'STOP', AccountSid: TWILIO.accountSid });
  assert.equal(stop.status, 200);
  const waited = await waitFor('the STOP confirmation', () => twilio.messages.some((m) => m.form.To === s.phone));
  assert.equal(twilio.messages.filter((m) => m.form.To === s.phone).length, 1);
  assert.deepEqual(sendsIn(await (await object(s.contactId)).dueBefore(Number.MAX_SAFE_INTEGER, 10)).map((d) => d.id.replace(/^j_[0-9a-f]+\./, '')), ['email-1.email.0'], 'the SMS step is gone');
  const ticked = await tick(app.url);
  assert.deepEqual(await ticked.json(), { due: 0, sent: 0, failed: 0, retrying: 0 }, 'alarms drive the sends: the Worker has no global due index');
  console.log(`# STOP confirmation sent ${waited} ms after the inbound webhook answered`);
});

test('callbacks without Rekindle\'s correlation find the send by its provider id across objects; erasure frees the id', async () => {
  // The first shopper's email (SendGrid) and the STOP confirmation (Twilio), both sent by alarms.
  const first = shoppers[0];
  const [{ id: xMessageId, mail }] = mailsTo(first.email);
  const at = Math.floor(logical() / 1000);
  const events = await postSendgrid(app.url, [{
    email: first.email, timestamp: at, 'smtp-id': `<${xMessageId}@geopod-ismtpd-4>`, event: 'delivered', category: [], sg_event_id: 'do-delivered-1',
    sg_message_id: `${xMessageId}.filterdrecv-5645d9c87f-6vvgs-1-6372B1C4-21.0`, response: '250 2.0.0 OK', tls: 1,
  }], { timestamp: String(at) }); // signed at the Worker's clock
  assert.deepEqual(await events.json(), { applied: 1, unmatched: 0 });
  const state = JSON.parse((await (await object(first.contactId)).load()).state);
  assert.equal(state.journeys[0].sends.find((x) => x.id === mail.custom_args.rekindle_action).delivered, true);

  const stopped = shoppers.find((x) => twilio.messages.some((m) => m.form.To === x.phone));
  const { sid } = twilio.messages.find((m) => m.form.To === stopped.phone);
  const status = (MessageSid, MessageStatus, extra = {}) => postTwilio(app.url, '/webhooks/twilio/status', {
    SmsSid: MessageSid, SmsStatus: MessageStatus, MessageStatus, To: stopped.phone, MessagingServiceSid: TWILIO.messagingServiceSid,
    MessageSid, AccountSid: TWILIO.accountSid, From: '+15005550006', ApiVersion: '2010-04-01', ...extra,
  });
  // A delivery reaches no one but through the ledger: only a carrier block falls back to the number.
  assert.deepEqual(await (await status(sid, 'delivered')).json(), { applied: 1, unmatched: 0 });
  assert.deepEqual(await (await status('SMffffffffffffffffffffffffffffffff', 'delivered')).json(), { applied: 0, unmatched: 1 });

  const redact = `{"shop_id":1,"shop_domain":"example.myshopify.com","customer":{"id":${stopped.customerId},"email":"${stopped.email}","phone":"${stopped.phone}"},"orders_to_redact":[]}`;
  assert.equal((await postShopify(app.url, 'customers/redact', redact)).status, 200);
  const namespace = await app.mf.getDurableObjectNamespace('REKINDLE');
  assert.equal(await namespace.get(namespace.idFromName(`link:message:twilio:${sid}`)).linkOwner(), null, 'the message link is released');
  assert.deepEqual(await (await status(sid, 'undelivered', { ErrorCode: '30003' })).json(), { applied: 0, unmatched: 1 });
});

test('state, due entries and the armed alarm survive a restart on the same persist dir', async () => {
  // Due 10 s out: a restart of workerd on a loaded 2-core machine took over 3 s, and the alarm
  // must still be pending when the state is read back.
  const s = await shopper(10_000);
  assert.equal((await postShopify(app.url, 'checkouts/create', s.body)).status, 200);
  const plain = ({ state, version }) => ({ state, version }); // answers are proxies that die with their Miniflare
  const before = plain(await (await object(s.contactId)).load());
  assert.equal(before.version, 1);
  assert.ok(Date.now() < s.dueAt && mailsTo(s.email).length === 0, 'nothing was due before the restart');
  await app.mf.dispose();
  app = undefined;
  app = await start();
  assert.deepEqual(plain(await (await object(s.contactId)).load()), before, 'the state and its version came back');
  assert.ok(Date.now() < s.dueAt, 'the restart ended before the alarm was due (else the check above proves nothing)');
  await waitFor('the alarm armed before the restart to send', () => mailsTo(s.email).length > 0, 30_000);
  await sleep(500);
  assert.equal(mailsTo(s.email).length, 1);
});

test('workerd stopped mid-send: when the lease runs out the alarm sends again, once (the documented window)', async () => {
  const s = await shopper(500);
  let accepted;
  const inWindow = new Promise((resolve) => {
    accepted = resolve;
  });
  let restarted;
  const held = new Promise((resolve) => {
    restarted = resolve;
  });
  // SendGrid takes the first mail and its answer never reaches the object: workerd stops first.
  sendgrid.afterAccept(async () => {
    if (mailsTo(s.email).length !== 1) return false;
    accepted();
    await held;
    return true;
  });
  try {
    assert.equal((await postShopify(app.url, 'checkouts/create', s.body)).status, 200);
    await inWindow;
    await app.mf.dispose();
    app = undefined;
    app = await start();
    restarted();
    const waited = await waitFor('the send after the lease', () => mailsTo(s.email).length === 2);
    await sleep(1_000);
    assert.equal(mailsTo(s.email).length, 2, 'the one mail in the window repeats, and only once');
    const ledger = await (await object(s.contactId)).ledger(mailsTo(s.email)[1].mail.custom_args.rekindle_action);
    assert.deepEqual([ledger.status, ledger.attempts], ['sent', 2]);
    console.log(`# resent ${waited} ms after the restart (lease ${LEASE_MS} ms)`);
  } finally {
    restarted();
    sendgrid.afterAccept(undefined);
  }
});

test('erasure: the contact keeps only its tombstone and ids; its links and sends go', async () => {
  const s = await shopper(60_000);
  assert.equal((await postShopify(app.url, 'checkouts/create', s.body)).status, 200);
  const contact = await object(s.contactId);
  assert.equal(sendsIn(await contact.dueBefore(Number.MAX_SAFE_INTEGER, 10)).length, 2);
  const redact = JSON.stringify({ shop_id: 1, shop_domain: 'example.myshopify.com', customer: { id: 0, email: s.email, phone: null }, orders_to_redact: [] })
    .replace('"id":0', `"id":${s.customerId}`);
  const erased = await postShopify(app.url, 'customers/redact', redact);
  assert.equal(erased.status, 200);
  assert.ok(sendgrid.suppressed.includes(s.email), 'the address went to the provider suppression list first');
  assert.deepEqual(await contact.dueBefore(Number.MAX_SAFE_INTEGER, 10), []);
  assert.doesNotMatch((await contact.load()).state, new RegExp(s.email.replace('.', '\\.')));
  const namespace = await app.mf.getDurableObjectNamespace('REKINDLE');
  for (const key of s.links) {
    assert.equal(await namespace.get(namespace.idFromName(`link:${key}`)).linkOwner(), null, `${key.split(':')[0]} link released`);
  }
});

test('shop/redact reaches every contact object through the registry', async () => {
  const s = await shopper(60_000);
  assert.equal((await postShopify(app.url, 'checkouts/create', s.body)).status, 200);
  const redacted = await postShopify(app.url, 'shop/redact', JSON.stringify({ shop_id: 1, shop_domain: 'example.myshopify.com' }));
  assert.equal(redacted.status, 200);
  for (const { contactId, token } of shoppers) assert.equal(await (await object(contactId)).load(), null, `${token} is gone`);
  const namespace = await app.mf.getDurableObjectNamespace('REKINDLE');
  assert.deepEqual(await namespace.get(namespace.idFromName('registry')).registered(10), []);
  assert.equal(await namespace.get(namespace.idFromName(`link:${s.links[0]}`)).linkOwner(), null);
});
