// Defaults that are right in production (issue 13 §2): the handler's publicUrl is the one
// setting every link is built on, whatever the policy says; a loopback or plain-http publicUrl,
// or none, is refused at start-up unless `development: true`; routes and links live under
// `basePath`; an empty beacon origin list is said out loud at start-up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { fakeSendgrid, fakeTwilio, closeServer } from './fake-providers.mjs';
import { SECRETS, SENDGRID_KEY, TWILIO, abandonedCheckout, postShopify, postTwilio, server, serverNode, startServer, testPolicy, tick } from './harness.mjs';

const T0 = Date.parse('2026-11-27T15:00:00Z'); // 10:00 in New York: inside US quiet-hour limits
const minutes = (n) => n * 60_000;
let twilio, sendgrid;

before(async () => {
  twilio = await fakeTwilio(TWILIO);
  sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
});

after(async () => {
  await twilio.close();
  await sendgrid.close();
});

/** Options a merchant would write, minus what each test varies. */
const options = (extra = {}) => ({ store: server.memoryStore(), policy: testPolicy(), secrets: SECRETS, beacon: { allowedOrigins: ['https://shop.example'] }, ...extra });

/** Abandon a checkout, then tick past the first email and the first SMS: the messages as the providers received them. */
async function messagesFrom(app, clock, token) {
  const mails = sendgrid.mails.length;
  const texts = twilio.messages.length;
  await postShopify(app.url, 'checkouts/create', await abandonedCheckout({ at: new Date(clock.now - 60_000).toISOString(), token, customerId: `7000000000000${token.length}${mails}`, email: `${token}@example.com`, phone: `+1512555${String(1000 + mails).slice(-4)}` }));
  const start = clock.now;
  clock.now = start + minutes(5);
  await tick(app.url);
  clock.now = start + minutes(17);
  await tick(app.url);
  assert.equal(sendgrid.mails.length, mails + 1, 'one email');
  assert.equal(twilio.messages.length, texts + 1, 'one SMS');
  const { mail } = sendgrid.mails.at(-1);
  return { data: mail.personalizations[0].dynamic_template_data, header: mail.headers['List-Unsubscribe'], sms: twilio.messages.at(-1).form };
}

test('every link follows the handler\'s publicUrl, not the policy\'s publicBaseUrl (which is replaced, with a warning)', async () => {
  const clock = { now: T0 };
  const logged = [];
  const policy = { ...testPolicy(), publicBaseUrl: 'http://127.0.0.1:8787' }; // a policy written for a laptop
  const app = await startServer({ store: server.memoryStore(), clock, twilio, sendgrid, policy, publicUrl: 'https://recover.example.com', log: (level, message, fields) => logged.push({ level, message, fields }) });
  try {
    const { data, header, sms } = await messagesFrom(app, clock, 'links-1');
    for (const field of ['recoveryUrl', 'unsubscribeUrl', 'preferencesUrl']) {
      assert.match(data[field], /^https:\/\/recover\.example\.com\/[rup]\/j_[0-9a-f]{16}\.[^/]+\.[A-Za-z0-9_-]{16}$/, field);
    }
    assert.match(header, /^<https:\/\/recover\.example\.com\/u\//);
    const smsLinks = sms.Body.match(/https?:\/\/\S+/g);
    assert.equal(smsLinks.length, 1);
    assert.match(smsLinks[0], /^https:\/\/recover\.example\.com\/s\/[A-Za-z0-9_-]{16}$/, 'the SMS carries the short link');
    assert.match(sms.StatusCallback, /^https:\/\/recover\.example\.com\/webhooks\/twilio\/status\?c=/);
    assert.ok(!JSON.stringify([data, header, sms]).includes('127.0.0.1'), 'no loopback link anywhere');
    const warning = logged.find((l) => l.message.startsWith('policy.publicBaseUrl is ignored'));
    assert.equal(warning?.level, 'warn');
    assert.deepEqual(warning.fields, { policyPublicBaseUrl: 'http://127.0.0.1:8787', linkBase: 'https://recover.example.com' });
    // The link works on that handler: the click is recorded, the shopper goes to the checkout.
    const clicked = await fetch(app.url + new URL(data.recoveryUrl).pathname, { redirect: 'manual' });
    assert.equal(clicked.status, 302);
  } finally {
    await app.close();
  }
});

test('a loopback, plain-http, path-carrying or missing publicUrl is refused at start-up with a typed error', () => {
  const refused = (publicUrl, code, extra = {}) => assert.throws(() => server.createHandler(options({ publicUrl, ...extra })), (error) => {
    assert.equal(error.name, 'RekindleConfigError', String(publicUrl));
    assert.ok(error instanceof server.RekindleConfigError);
    assert.equal(error.code, code, String(publicUrl));
    assert.equal(error.path, 'publicUrl');
    return true;
  });
  for (const url of ['http://127.0.0.1:8787', 'https://127.0.0.1', 'http://localhost:3000', 'https://localhost', 'http://[::1]:8787', 'http://shop.example']) {
    refused(url, 'UNSAFE_PUBLIC_URL');
  }
  refused(undefined, 'MISSING_PUBLIC_URL');
  refused('', 'MISSING_PUBLIC_URL');
  refused('recover.example.com', 'INVALID_PUBLIC_URL');
  refused('ftp://recover.example.com', 'INVALID_PUBLIC_URL');
  refused('https://shop.example/api/rekindle', 'INVALID_PUBLIC_URL'); // the path belongs in basePath
  refused('https://shop.example/?x=1', 'INVALID_PUBLIC_URL');
  // Development mode allows loopback, never plain http to a real host (RFC 8058 needs https).
  refused('http://shop.example', 'UNSAFE_PUBLIC_URL', { development: true });
  refused(undefined, 'MISSING_PUBLIC_URL', { development: true });
  assert.equal(typeof server.createHandler(options({ publicUrl: 'http://127.0.0.1:8787', development: true })), 'function');
  assert.equal(typeof server.createHandler(options({ publicUrl: 'https://recover.example.com' })), 'function');
  assert.throws(() => server.createHandler(options({ publicUrl: 'https://recover.example.com', basePath: 'api/' })), { name: 'RekindleConfigError', code: 'INVALID_BASE_PATH', path: 'basePath' });
  assert.throws(() => server.createHandler(options({ publicUrl: 'https://recover.example.com', health: { maxOverdueMs: -1 } })), { code: 'INVALID_OPTION', path: 'health.maxOverdueMs' });
});

test('options as a function of env: the first request and runtime() reject with the same error', async () => {
  const handler = server.createHandler(async (env) => options({ publicUrl: env.PUBLIC_URL }));
  const expected = { name: 'RekindleConfigError', code: 'UNSAFE_PUBLIC_URL' };
  await assert.rejects(handler(new Request('https://x.example/health'), { PUBLIC_URL: 'http://localhost:8787' }), expected);
  await assert.rejects(handler.runtime({ PUBLIC_URL: 'http://localhost:8787' }), expected);
  // Not cached: fixed configuration starts (a Worker whose env is corrected, a retry).
  const response = await handler(new Request('https://x.example/health'), { PUBLIC_URL: 'https://recover.example.com' });
  assert.equal(response.status, 200);
});

test('development mode: a loopback publicUrl is accepted and the links point at it', async () => {
  const clock = { now: T0 };
  const http = createServer();
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  const local = `http://127.0.0.1:${http.address().port}`;
  const app = await startServer({ store: server.memoryStore(), clock, twilio, sendgrid, publicUrl: local, development: true });
  http.on('request', serverNode.toNodeListener(app.handler));
  try {
    const { data } = await messagesFrom({ ...app, url: local }, clock, 'dev-1');
    assert.ok(data.recoveryUrl.startsWith(`${local}/r/`), data.recoveryUrl);
    assert.equal((await fetch(data.recoveryUrl, { redirect: 'manual' })).status, 302, 'the link itself reaches the handler');
  } finally {
    await app.close();
    await closeServer(http);
  }
});

test('basePath: every route answers under it, links carry it, other paths are not Rekindle\'s, Twilio signatures hold', async () => {
  const clock = { now: T0 };
  const publicUrl = 'https://shop.example.com';
  const app = await startServer({ store: server.memoryStore(), clock, twilio, sendgrid, publicUrl, basePath: '/api/rekindle' });
  const base = `${app.url}/api/rekindle`;
  try {
    assert.equal((await fetch(`${base}/health`)).status, 200);
    assert.equal((await fetch(`${app.url}/health`)).status, 404, 'not at the root');
    assert.equal((await fetch(`${app.url}/api/rekindlex/health`)).status, 404);
    const body = await abandonedCheckout({ at: '2026-11-27T14:59:00Z', token: 'base-1', customerId: '700000000000000901', email: 'base@example.com', phone: '+15125550901' });
    assert.equal((await postShopify(app.url, 'checkouts/create', body)).status, 404, 'the root webhook path is not ours');
    const { data, header, sms } = await messagesFrom({ ...app, url: base }, clock, 'base-1');
    for (const field of ['recoveryUrl', 'unsubscribeUrl', 'preferencesUrl']) assert.ok(data[field].startsWith(`${publicUrl}/api/rekindle/${field[0]}/`), data[field]);
    assert.ok(header.startsWith(`<${publicUrl}/api/rekindle/u/`));
    assert.ok(sms.Body.includes(`${publicUrl}/api/rekindle/s/`));
    assert.ok(sms.StatusCallback.startsWith(`${publicUrl}/api/rekindle/webhooks/twilio/status?`));
    // The links resolve under the base path, and the unsubscribe form posts back under it.
    const path = (url) => new URL(url).pathname;
    assert.equal((await fetch(app.url + path(data.recoveryUrl), { redirect: 'manual' })).status, 302);
    assert.match(await (await fetch(app.url + path(data.unsubscribeUrl))).text(), new RegExp(`action="${path(data.unsubscribeUrl).replace(/[.]/g, '\\.')}"`));
    assert.equal((await fetch(`${app.url}${path(data.recoveryUrl).replace('/api/rekindle', '')}`, { redirect: 'manual' })).status, 404);
    // Twilio signs the URL it was given, base path included: the status callback it calls back.
    const callback = new URL(sms.StatusCallback);
    const status = await postTwilio(app.url, callback.pathname + callback.search, { MessageSid: 'SM1', MessageStatus: 'delivered', AccountSid: TWILIO.accountSid }, { publicUrl });
    assert.equal(status.status, 200);
    const inbound = await postTwilio(app.url, '/api/rekindle/webhooks/twilio/inbound', { MessageSid: 'SM2', From: '+15125550901', To: '+15005550006', Body: 'HELP', AccountSid: TWILIO.accountSid }, { publicUrl });
    assert.equal(inbound.status, 200);
    const unsigned = await postTwilio(app.url, '/api/rekindle/webhooks/twilio/inbound', { MessageSid: 'SM3', From: '+15125550901', Body: 'HELP' }, { publicUrl: `${publicUrl}/other` });
    assert.equal(unsigned.status, 401);
    // handler.owns and the Express-style middleware see the same routes.
    assert.equal(app.handler.owns('/api/rekindle/beacon'), true);
    assert.equal(app.handler.owns('/api/rekindle/r/abc.def'), true);
    assert.equal(app.handler.owns('/beacon'), false);
    assert.equal(app.handler.owns('/api/rekindle/products'), false);
    assert.equal(app.handler.owns('/api/rekindlex/beacon'), false);
    const middleware = serverNode.toExpressMiddleware(app.handler);
    const express = createServer((req, res) => middleware(req, res, () => res.end(`app ${req.url}`)));
    await new Promise((resolve) => express.listen(0, '127.0.0.1', resolve));
    try {
      const at = `http://127.0.0.1:${express.address().port}`;
      assert.equal(await (await fetch(`${at}/health`)).text(), 'app /health', 'the app keeps its own /health');
      assert.equal((await (await fetch(`${at}/api/rekindle/health`)).json()).ok, true);
    } finally {
      await closeServer(express);
    }
  } finally {
    await app.close();
  }
});

test('beacons with no allowed origin: start-up warns that every storefront beacon will fail CORS, naming no one', async () => {
  const logged = [];
  const log = (level, message, fields) => logged.push({ level, message, fields });
  server.createHandler(options({ publicUrl: 'https://recover.example.com', basePath: '/rk', beacon: {}, log }));
  assert.equal(logged.length, 1);
  assert.equal(logged[0].level, 'warn');
  assert.match(logged[0].message, /allowedOrigins is empty: every storefront's beacon will fail CORS/);
  assert.deepEqual(logged[0].fields, { route: '/rk/beacon' });

  logged.length = 0;
  server.createHandler(options({ publicUrl: 'https://recover.example.com', log, beacon: undefined }));
  assert.equal(logged.length, 1, 'no beacon option at all: the same warning');
  logged.length = 0;
  server.createHandler(options({ publicUrl: 'https://recover.example.com', log }));
  assert.deepEqual(logged, [], 'an allowed origin: no warning');

  // Options as a function: the warning comes with the first request, once.
  const later = server.createHandler(async () => options({ publicUrl: 'https://recover.example.com', beacon: { allowedOrigins: [] }, log }));
  assert.deepEqual(logged, []);
  await later(new Request('https://recover.example.com/health'));
  await later(new Request('https://recover.example.com/health'));
  assert.equal(logged.length, 1);

  // No beacons wanted: no warning, and the route is gone.
  logged.length = 0;
  const off = server.createHandler(options({ publicUrl: 'https://recover.example.com', beacon: false, log }));
  assert.deepEqual(logged, []);
  assert.equal((await off(new Request('https://recover.example.com/beacon', { method: 'POST', body: '{}' }))).status, 404);
  assert.equal(off.owns('/beacon'), false);
});

test('Lambda: an EventBridge rule\'s Scheduled Event, or a Scheduler input {"rekindle":"tick"}, runs a tick and records it', async () => {
  const store = server.memoryStore();
  const lambda = serverNode.toLambdaHandler(server.createHandler(options({ store, publicUrl: 'https://recover.example.com', now: () => T0 })));
  const rule = { version: '0', id: 'e1', 'detail-type': 'Scheduled Event', source: 'aws.events', account: '123456789012', time: '2026-11-27T15:00:00Z', region: 'us-east-1', resources: [], detail: {} };
  assert.deepEqual(await lambda(rule), { due: 0, sent: 0, failed: 0, retrying: 0 });
  assert.equal((await store.dueSummary(T0)).lastTickAt, T0);
  assert.deepEqual(await lambda({ rekindle: 'tick' }), { due: 0, sent: 0, failed: 0, retrying: 0 });
  const other = await lambda({ ...rule, 'detail-type': 'Object Created', source: 'aws.s3' }); // not a schedule: not a tick
  assert.equal(other.statusCode, 404);
});
