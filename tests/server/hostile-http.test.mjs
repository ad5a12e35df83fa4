// Hostile input over HTTP, one test per class of attack (issue 14), against the real handler
// built from the package, on SQLite (and Redis where the store matters): limits a client walks
// around by choosing its own keys, replayed and padded webhooks, input that turns into a 5xx
// (which providers retry forever), pages that can be framed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { closeServer, fakeSendgrid, fakeTwilio } from './fake-providers.mjs';
import {
  PUBLIC_URL, SECRETS, SENDGRID_KEY, TWILIO, abandonedCheckout, postSendgrid, postShopify, removeDir, serverNode, startServer, tempDir, tick,
} from './harness.mjs';
import { startRedis } from './redis-server.mjs';

const T0 = Date.parse('2026-11-27T15:00:00Z');
const clock = { now: T0 };
let twilio, sendgrid, dir, app, links;
const path = (url) => new URL(url).pathname;

before(async () => {
  twilio = await fakeTwilio(TWILIO);
  sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
  dir = await tempDir();
  app = await startServer({ storePath: join(dir, 'hostile.db'), clock, twilio, sendgrid });
  // One real message, for real signed links to the shopper's pages.
  await postShopify(app.url, 'checkouts/create', await abandonedCheckout({ at: '2026-11-27T14:59:00Z' }));
  clock.now = T0 + 5 * 60_000;
  await tick(app.url);
  links = sendgrid.mails[0].mail.personalizations[0].dynamic_template_data;
});

after(async () => {
  await app.close();
  await twilio.close();
  await sendgrid.close();
  await removeDir(dir);
});

/** Everything the store holds that a request could have added: due sends and pending intents. */
async function footprint(store) {
  return JSON.stringify([await store.dueBefore(Number.MAX_SAFE_INTEGER, 1000), await store.claimable(Number.MAX_SAFE_INTEGER, 1000)]);
}

async function assertProblem(response, status, code) {
  assert.equal(response.status, status);
  const body = await response.json();
  assert.equal(body.error.code, code, JSON.stringify(body));
  return body.error;
}

/** A 4xx JSON problem with a code and a JSON path: the sender's fault, never retried. */
async function assertClientError(response, label) {
  const text = await response.text();
  assert.ok(response.status >= 400 && response.status < 500, `${label}: ${response.status} ${text}`);
  const { error } = JSON.parse(text);
  assert.match(error.code, /^[A-Z_]+$/, label);
  assert.match(error.path, /^\$/, `${label}: ${text}`);
}

const cartEvent = (n, extra = {}) => ({
  id: `h${n}`, at: new Date(clock.now - 60_000).toISOString(), type: 'abandoned', origin: 'storefront',
  cart: { token: `hostile-${n}`, stage: 'cart', currency: 'USD', items: [{ title: 'Socks', quantity: 1, unitPrice: 1800 }], recoveryUrl: 'https://shop.example/cart' },
  ...extra,
});
let beacons = 0;
const beaconBody = (anonymousId, extra) => JSON.stringify({ v: 1, anonymousId, events: [cartEvent((beacons += 1), extra)] });
function postBeacon(base, body, headers = {}) {
  return fetch(`${base}/beacon`, { method: 'POST', headers: { 'content-type': 'text/plain', origin: 'https://shop.example', ...headers }, body });
}

/** A handler of its own (own limits), behind node:http with the given trustProxy. */
async function limitedServer({ beacon, trustProxy }) {
  const own = await startServer({ storePath: join(dir, `limits-${Math.random()}.db`), clock, twilio, sendgrid, beacon: { allowedOrigins: ['https://shop.example'], ...beacon } });
  const http = createServer(serverNode.toNodeListener(own.handler, { trustProxy }));
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${http.address().port}`,
    close: async () => {
      await closeServer(http);
      await own.close();
    },
  };
}

async function statuses(count, send) {
  const out = [];
  for (let i = 0; i < count; i += 1) {
    const r = await send(i);
    await r.arrayBuffer();
    out.push(r.status);
  }
  return out;
}

// ---------- 5. rate limits keyed by what the client cannot choose ----------

test('limits: behind one trusted proxy, the address is the one it appended; a spoofed X-Forwarded-For changes nothing', async () => {
  const s = await limitedServer({ beacon: { perIp: { limit: 5, windowMs: 60_000 } }, trustProxy: { hops: 1 } });
  try {
    // The client writes any X-Forwarded-For; the proxy appends the address it saw (198.51.100.7).
    const spoofed = await statuses(20, (i) => postBeacon(s.url, beaconBody(`spoof-${i}`), { 'x-forwarded-for': `10.9.${i}.1, 198.51.100.7` }));
    assert.deepEqual(spoofed.filter((x) => x === 202).length, 5, `one address, five beacons: ${spoofed}`);
    // Another client behind the same proxy is still served.
    assert.equal((await postBeacon(s.url, beaconBody('other'), { 'x-forwarded-for': '203.0.113.50' })).status, 202);
  } finally {
    await s.close();
  }
});

test('limits: an IPv6 client rotating through its own /64 is one client', async () => {
  const s = await limitedServer({ beacon: { perIp: { limit: 5, windowMs: 60_000 } }, trustProxy: { hops: 1 } });
  try {
    const rotating = await statuses(12, (i) => postBeacon(s.url, beaconBody(`v6-${i}`), { 'x-forwarded-for': `2001:db8:1:2::${(i + 1).toString(16)}` }));
    assert.equal(rotating.filter((x) => x === 202).length, 5, `${rotating}`);
    assert.equal((await postBeacon(s.url, beaconBody('v6-other'), { 'x-forwarded-for': '2001:db8:1:3::1' })).status, 202, 'the next /64 is another client');
  } finally {
    await s.close();
  }
});

test('limits: a platform header is trusted only when configured; without trustProxy the socket address counts', async () => {
  const viaHeader = await limitedServer({ beacon: { perIp: { limit: 3, windowMs: 60_000 } }, trustProxy: { header: 'fly-client-ip' } });
  const direct = await limitedServer({ beacon: { perIp: { limit: 3, windowMs: 60_000 } } });
  try {
    const headerClient = await statuses(6, (i) => postBeacon(viaHeader.url, beaconBody(`fly-${i}`), { 'fly-client-ip': '198.51.100.8', 'x-forwarded-for': `10.0.0.${i}`, 'cf-connecting-ip': `10.1.0.${i}` }));
    assert.deepEqual(headerClient, [202, 202, 202, 429, 429, 429]);
    const rotatingHeaders = await statuses(6, (i) => postBeacon(direct.url, beaconBody(`direct-${i}`), { 'x-forwarded-for': `10.0.0.${i}`, 'cf-connecting-ip': `10.1.0.${i}`, 'x-real-ip': `10.2.0.${i}` }));
    assert.deepEqual(rotatingHeaders, [202, 202, 202, 429, 429, 429]);
  } finally {
    await viaHeader.close();
    await direct.close();
  }
});

test('limits: rotating the anonymous id does not walk around the limits; one address creates a bounded number of shoppers', async () => {
  const s = await limitedServer({ beacon: { perIp: { limit: 100, windowMs: 60_000 }, shoppersPerIp: { limit: 4, windowMs: 60_000 } } });
  try {
    const rotating = await statuses(10, (i) => postBeacon(s.url, beaconBody(`rotate-${i}`)));
    assert.deepEqual(rotating, [202, 202, 202, 202, 429, 429, 429, 429, 429, 429]);
    // A shopper already seen from this address keeps going (another tab, a later beacon).
    assert.equal((await postBeacon(s.url, beaconBody('rotate-1'))).status, 202);
    // The window passes: new shoppers again.
    clock.now += 60_000;
    assert.equal((await postBeacon(s.url, beaconBody('rotate-next'))).status, 202);
  } finally {
    await s.close();
  }
});

test('limits: the defaults bound one address to 20 new shoppers a minute', async () => {
  const s = await limitedServer({});
  try {
    const rotating = await statuses(25, (i) => postBeacon(s.url, beaconBody(`default-${i}`)));
    assert.equal(rotating.filter((x) => x === 202).length, 20, `${rotating}`);
  } finally {
    await s.close();
  }
});

test('limits: a bad trustProxy is refused at start-up', () => {
  for (const trustProxy of [{ hops: -1 }, { hops: 1.5 }, { header: '' }, 'yes']) {
    assert.throws(() => serverNode.toNodeListener(app.handler, { trustProxy }), /trustProxy/);
  }
});

// ---------- 7. replays and unsigned fields ----------

const sendgridEvents = [{ email: 'example@email.com', timestamp: 1700000000, event: 'delivered', sg_event_id: 'ev-replay', sg_message_id: 'm1', rekindle_contact: 'c_x', rekindle_action: 'a_x' }];

test('SendGrid: a genuine signature with a timestamp outside the window (past, future, not a number) is refused', async () => {
  const before = await footprint(app.store);
  const seconds = (ms) => String(Math.floor(ms / 1000));
  for (const timestamp of [seconds(Date.parse('2020-01-01T00:00:00Z')), seconds(Date.parse('2100-01-01T00:00:00Z')), 'not-a-number', seconds(clock.now - 6 * 60_000), seconds(clock.now + 6 * 60_000), `${seconds(clock.now)}.5`, `0x${Number(seconds(clock.now)).toString(16)}`, `${seconds(clock.now)}e0`]) {
    await assertProblem(await postSendgrid(app.url, sendgridEvents, { timestamp }), 401, 'STALE_TIMESTAMP');
  }
  // An empty timestamp, or one with spaces (which HTTP strips before we see it), fails the signature itself.
  for (const timestamp of ['', ` ${seconds(clock.now)}`]) {
    await assertProblem(await postSendgrid(app.url, sendgridEvents, { timestamp }), 401, 'BAD_SIGNATURE');
  }
  assert.equal(await footprint(app.store), before);
  assert.equal((await postSendgrid(app.url, sendgridEvents, { timestamp: seconds(clock.now - 4 * 60_000) })).status, 200, 'inside the 5-minute window');
});

test('SendGrid: the window is configurable', async () => {
  const s = await startServer({ storePath: join(dir, 'window.db'), clock, twilio, sendgrid, webhooks: { maxAgeMs: 60_000 } });
  try {
    const seconds = (ms) => String(Math.floor(ms / 1000));
    await assertProblem(await postSendgrid(s.url, [], { timestamp: seconds(clock.now - 2 * 60_000) }), 401, 'STALE_TIMESTAMP');
    assert.equal((await postSendgrid(s.url, [], { timestamp: seconds(clock.now - 30_000) })).status, 200);
  } finally {
    await s.close();
  }
});

/** Twilio's signature over `params` (as Twilio computes it), sent with `body` as the form. */
function postTwilioRaw(pathAndQuery, params, body) {
  const data = `${PUBLIC_URL}${pathAndQuery}${Object.keys(params).sort().map((k) => k + params[k]).join('')}`;
  const signature = createHmac('sha1', SECRETS.twilioAuthToken).update(data, 'utf8').digest('base64');
  return fetch(`${app.url}${pathAndQuery}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, body });
}

test('Twilio: a form whose fields are not exactly the signed ones is refused', async () => {
  const signed = { MessageSid: 'SMhostile1', AccountSid: TWILIO.accountSid, From: '+15125550100', To: '+15125550199', Body: 'Thanks' }; // no keyword: nothing sent in the background
  const form = new URLSearchParams(signed).toString();
  const before = await footprint(app.store);
  // An unsigned field, however its name is spelled, is not handed on: the signature fails.
  for (const extra of ['__proto__=x', '%5F%5Fproto%5F%5F=x', '__proto__[polluted]=1', 'constructor=x', 'Extra=1']) {
    await assertProblem(await postTwilioRaw('/webhooks/twilio/inbound', signed, `${form}&${extra}`), 401, 'BAD_SIGNATURE');
  }
  // A field sent twice: which value would count is ambiguous, signed or not.
  for (const extra of ['Body=STOP', 'From=%2B15125550111', 'Body=HELP']) {
    const error = await assertProblem(await postTwilioRaw('/webhooks/twilio/inbound', signed, `${form}&${extra}`), 400, 'REPEATED_FIELD');
    assert.equal(error.path, `$.${extra.split('=')[0]}`);
  }
  // The query is signed inside the URL; a key in it twice is refused the same way.
  const status = { MessageSid: 'SMhostile1', MessageStatus: 'delivered' };
  const twice = await assertProblem(await postTwilioRaw('/webhooks/twilio/status?c=c_x&a=a_x&c=c_y', status, new URLSearchParams(status).toString()), 400, 'REPEATED_FIELD');
  assert.equal(twice.path, '$.c');
  assert.equal(await footprint(app.store), before);
  assert.equal({}.polluted, undefined);
  assert.equal((await postTwilioRaw('/webhooks/twilio/inbound', signed, form)).status, 200, 'the exact signed form is accepted');
});

// ---------- 8. bad input is a 4xx with a code and a path, never a 5xx ----------

test('numbers past 2^53 are a 400 with a path, wherever they are', async () => {
  const before = await footprint(app.store);
  await assertClientError(await postBeacon(app.url, beaconBody('big-1').replace('"unitPrice":1800', '"unitPrice":90071992547409930')), 'beacon unitPrice');
  await assertClientError(await postBeacon(app.url, beaconBody('big-2').replace('"unitPrice":1800', '"unitPrice":1e400')), 'beacon unitPrice 1e400');
  await assertClientError(await postBeacon(app.url, beaconBody('big-3').replace('"quantity":1', '"quantity":9007199254740993')), 'beacon quantity');
  const checkout = await abandonedCheckout({ at: '2026-11-27T15:00:00Z', token: 'big-ints' });
  await assertClientError(await postShopify(app.url, 'checkouts/create', checkout.replace(/"id": \d+/, '"id": 99999999999999999999999')), 'shopify id');
  assert.equal(await footprint(app.store), before);
});

async function yearNineThousand(server) {
  const at = '9999-12-31T23:59:59Z';
  // Event times past the server's clock are clamped to it (docs/security.md), so a year-9999
  // event is taken as arriving now: never a 5xx, and nothing it causes is dated past next week.
  for (const [what, response] of [
    ['beacon', await postBeacon(server.url, beaconBody('y9999', { at }))],
    ['shopify', await postShopify(server.url, 'checkouts/create', await abandonedCheckout({ at, token: 'y9999' }))],
  ]) {
    assert.ok(response.status < 500, `${what} at year 9999: ${response.status} ${await response.text()}`);
  }
  const due = await server.store.dueBefore(Number.MAX_SAFE_INTEGER, 1000);
  assert.ok(due.length > 0 && due.every((d) => d.at < clock.now + 7 * 86_400_000), JSON.stringify(due));
}

test('a year-9999 timestamp: clamped to the receive time, never a store fault (SQLite)', async () => {
  await yearNineThousand(app);
});

test('a year-9999 timestamp: clamped to the receive time, never a store fault (Redis)', async () => {
  const redis = await startRedis();
  const store = await serverNode.redisStore(redis.url, { prefix: 'hostile:' });
  const s = await startServer({ store, clock, twilio, sendgrid });
  try {
    await yearNineThousand(s);
    assert.deepEqual(await store.claimable(Number.MAX_SAFE_INTEGER, 1000), [], 'nothing to send');
  } finally {
    await s.close();
    await redis.stop();
  }
});

test('a malformed percent-encoding in a link path is a 4xx, for every kind of link', async () => {
  for (const [method, link] of [['GET', '/r/%E0%A4%A'], ['GET', '/u/%'], ['POST', '/u/%E0%A4%A'], ['GET', '/p/%ZZ'], ['POST', '/p/%C0%AF.sig']]) {
    const response = await fetch(app.url + link, { method, redirect: 'manual', body: method === 'POST' ? 'List-Unsubscribe=One-Click' : undefined });
    assert.equal(response.status, 404, `${method} ${link}`);
    await response.arrayBuffer();
  }
});

/** A raw HTTP/1.1 request (fetch cannot send a broken Host), answered by status line and body. */
function rawRequest(base, head) {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(`${head}\r\nConnection: close\r\n\r\n`));
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk;
    });
    // The body may be chunked: its one JSON object is what matters.
    socket.on('end', () => resolve({ status: Number(data.split(' ')[1]), body: /\{.*\}/s.exec(data)?.[0] ?? '' }));
    socket.on('error', reject);
  });
}

test('an unparseable Host header is a 400, on every route', async () => {
  for (const host of ['exa mple', '[::1', 'a:b:c', '%', 'shop.example:99999']) {
    for (const target of ['GET /health', 'POST /beacon', 'GET /r/abc.def']) {
      const { status, body } = await rawRequest(app.url, `${target} HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 0`);
      assert.equal(status, 400, `${target} with Host ${host}: ${status} ${body}`);
      assert.equal(JSON.parse(body).error.code, 'INVALID_HOST');
    }
  }
});

test('an unparseable Host header is a 400 on Lambda too, not a failed invocation', async () => {
  const lambda = serverNode.toLambdaHandler(app.handler);
  for (const host of ['exa mple', '[::1']) {
    const response = await lambda({
      version: '2.0', rawPath: '/health', rawQueryString: '', headers: { host },
      requestContext: { http: { method: 'GET', path: '/health', protocol: 'HTTP/1.1', sourceIp: '198.51.100.7' } },
    });
    assert.equal(response.statusCode, 400, host);
    assert.equal(JSON.parse(response.body).error.code, 'INVALID_HOST');
  }
});

// ---------- 9. smaller ones ----------

test('the tick accepts the bearer scheme in any case (RFC 9110 11.1), and still only its secret', async () => {
  for (const scheme of ['bearer', 'BEARER', 'Bearer', 'bEaReR']) {
    const response = await fetch(`${app.url}/tick`, { method: 'POST', headers: { authorization: `${scheme} ${SECRETS.tick}` } });
    assert.equal(response.status, 200, scheme);
    await response.arrayBuffer();
  }
  for (const given of [`bearer ${SECRETS.tick}x`, `Basic ${SECRETS.tick}`, SECRETS.tick, `bearer${SECRETS.tick}`, `bearer ${SECRETS.tick} extra`, 'bearer ']) {
    await assertProblem(await fetch(`${app.url}/tick`, { method: 'POST', headers: { authorization: given } }), 401, 'BAD_CREDENTIALS');
  }
});

test('every page Rekindle serves forbids framing, scripts and referrers', async () => {
  const pages = [
    ['GET', path(links.unsubscribeUrl)],
    ['GET', path(links.preferencesUrl)],
    ['POST', path(links.preferencesUrl)],
    ['POST', path(links.unsubscribeUrl)],
    ['GET', '/u/nobody.AAAAAAAAAAAAAAAA'],
    ['GET', '/r/%E0%A4%A'],
  ];
  for (const [method, page] of pages) {
    const response = await fetch(app.url + page, { method, body: method === 'POST' ? 'email=on' : undefined });
    const html = await response.text();
    assert.match(response.headers.get('content-type'), /text\/html/);
    const csp = Object.fromEntries(response.headers.get('content-security-policy').split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
    assert.deepEqual(csp['default-src'], ["'none'"], page);
    assert.deepEqual(csp['frame-ancestors'], ["'none'"]);
    assert.deepEqual(csp['form-action'], ["'self'"]);
    assert.equal(csp['script-src'], undefined, 'no scripts: default-src none covers them');
    // The page's one inline style is allowed by its hash, nothing else inline is.
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)[1];
    assert.deepEqual(csp['style-src'], [`'sha256-${createHash('sha256').update(style).digest('base64')}'`]);
    assert.equal(response.headers.get('x-frame-options'), 'DENY');
    assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  }
  const redirect = await fetch(app.url + path(links.recoveryUrl), { redirect: 'manual' });
  assert.equal(redirect.status, 302);
  assert.equal(redirect.headers.get('referrer-policy'), 'no-referrer', 'the recovery link carries a token: the shop must not see it as a referrer');
});
