// The signed generic webhook: a merchant's receiver on 127.0.0.1 checks each request the way
// the transport's header comment tells it to, with node:crypto (independent of the WebCrypto
// code under test), and dedupes on Idempotency-Key.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { closeServer } from './fake-providers.mjs';
import { abandonedCheckout, postShopify, removeDir, server, startServer, tempDir, tick } from './harness.mjs';

const SECRET = 'whsec-merchant';
const T0 = Date.parse('2026-11-27T15:00:00Z');
const clock = { now: T0 };
let dir, receiver, app;

/** The receiving side, as documented: HMAC over `t.body`, constant-time, 5-minute tolerance. */
function verifiedByReceiver(header, body, nowSec) {
  const fields = Object.fromEntries(header.split(',').map((p) => p.split('=')));
  if (Math.abs(nowSec - Number(fields.t)) > 300) return false;
  const expected = createHmac('sha256', SECRET).update(`${fields.t}.${body}`).digest();
  const given = Buffer.from(fields.v1 ?? '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function startReceiver() {
  const seen = new Map(); // Idempotency-Key → body
  const requests = [];
  const failures = [];
  const http = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks).toString('utf8');
    requests.push({ headers: req.headers, body });
    if (!verifiedByReceiver(req.headers['rekindle-signature'] ?? '', body, clock.now / 1000)) {
      res.writeHead(401).end();
      return;
    }
    const status = failures.shift();
    if (status) {
      res.writeHead(status).end();
      return;
    }
    const key = req.headers['idempotency-key'];
    if (!seen.has(key)) seen.set(key, JSON.parse(body));
    res.writeHead(200, { 'x-request-id': `rq-${seen.size}` }).end();
  });
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${http.address().port}/rekindle`, seen, requests, failNext: (...s) => failures.push(...s), close: () => closeServer(http) };
}

before(async () => {
  dir = await tempDir();
  receiver = await startReceiver();
  const transport = server.webhookTransport({ url: receiver.url, secret: SECRET, now: () => clock.now });
  app = await startServer({ storePath: join(dir, 'webhook.db'), clock, transports: { email: transport, sms: transport } });
});

after(async () => {
  await app.close();
  await receiver.close();
  await removeDir(dir);
});

test('each send is POSTed signed, with the action id as Idempotency-Key; a retry keeps the key', async () => {
  await postShopify(app.url, 'checkouts/create', await abandonedCheckout({ at: '2026-11-27T14:59:00Z' }));
  clock.now = T0 + 5 * 60_000;
  receiver.failNext(503);
  assert.deepEqual(await (await tick(app.url)).json(), { due: 1, sent: 1, failed: 0, retrying: 0 });
  assert.equal(receiver.requests.length, 2, 'the 503 was retried');
  const [first, second] = receiver.requests;
  assert.equal(first.headers['idempotency-key'], second.headers['idempotency-key']);
  assert.equal(first.headers['content-type'], 'application/json');
  const [[key, delivered]] = receiver.seen;
  assert.match(key, /\.email-1\.email\.0$/);
  assert.equal(delivered.type, 'rekindle.send');
  assert.equal(delivered.action.id, key);
  assert.equal(delivered.action.to, 'example@email.com');
  assert.match(delivered.action.message.data.recoveryUrl, /\/r\/.+\..{16}$/, 'links are signed before the webhook');
  assert.equal((await app.store.ledger(key)).providerId, 'rq-1');
});

test('verifyWebhookSignature accepts what the transport signs and refuses tampering, replays and a wrong secret', async () => {
  const { headers, body } = receiver.requests.at(-1);
  const header = headers['rekindle-signature'];
  assert.match(header, /^t=\d+,v1=[0-9a-f]{64}$/);
  const now = clock.now;
  assert.equal(await server.verifyWebhookSignature(SECRET, header, body, { now }), true);
  assert.equal(await server.verifyWebhookSignature(SECRET, header, new TextEncoder().encode(body), { now }), true, 'bytes too');
  assert.equal(await server.verifyWebhookSignature(SECRET, header, body.replace('example@email.com', 'evil@example.com'), { now }), false);
  assert.equal(await server.verifyWebhookSignature('other', header, body, { now }), false);
  assert.equal(await server.verifyWebhookSignature(SECRET, header, body, { now: now + 301_000 }), false, 'a replay after the tolerance');
  const rotated = `${header},v1=${'0'.repeat(64)}`;
  assert.equal(await server.verifyWebhookSignature(SECRET, rotated, body, { now }), true, 'one matching v1 of several');
  assert.equal(await server.verifyWebhookSignature(SECRET, header.replace(/v1=\w+/, 'v1=abc'), body, { now }), false);
});

test('a receiver that refuses the request (4xx) fails the send permanently', async () => {
  const transport = server.webhookTransport({ url: receiver.url, secret: 'not-the-merchants', now: () => clock.now });
  const result = await transport.send({ type: 'send', id: 'j.x.email.0', channel: 'email', to: 'a@example.com', message: { data: {} } }, { contactId: 'c_1' });
  assert.deepEqual([result.ok, result.permanent, result.code], [false, true, 'webhook:401']);
});
