// The fetch-shape handler behind Express-style middleware and behind AWS Lambda (API Gateway
// HTTP API / function URL events, payload format 2.0). Express itself is not a dependency:
// the middleware is driven by a node:http server with Express's `(req, res, next)` chain and
// what its body parsers leave on `req` (`_body`, `body`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { closeServer, fakeSendgrid, fakeTwilio } from './fake-providers.mjs';
import { SECRETS, SENDGRID_KEY, TWILIO, abandonedCheckout, removeDir, serverNode, startServer, tempDir } from './harness.mjs';

const clock = { now: Date.parse('2026-11-27T15:00:00Z') };
let dir, twilio, sendgrid, app;

before(async () => {
  dir = await tempDir();
  twilio = await fakeTwilio(TWILIO);
  sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
  app = await startServer({ storePath: join(dir, 'adapters.db'), clock, twilio, sendgrid });
});

after(async () => {
  await app.close();
  await twilio.close();
  await sendgrid.close();
  await removeDir(dir);
});

const shopifyHmac = (body) => createHmac('sha256', SECRETS.shopify).update(body, 'utf8').digest('base64');
const shopifyHeaders = (body, id) => ({ 'content-type': 'application/json', 'x-shopify-topic': 'checkouts/create', 'x-shopify-hmac-sha256': shopifyHmac(body), 'x-shopify-webhook-id': id });

/** A node:http server running `middlewares` the way Express does, with an error handler last. */
async function expressLike(...middlewares) {
  const http = createServer((req, res) => {
    let i = 0;
    const next = (error) => {
      if (error) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`error handler: ${error.message}`);
        return;
      }
      const mw = middlewares[i++];
      if (mw) mw(req, res, next);
      else res.writeHead(404).end('express 404');
    };
    next();
  });
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${http.address().port}`, close: () => closeServer(http) };
}

/** What express.raw() and express.json() leave behind: the stream read, `_body` set. */
const rawParser = (req, res, next) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    req._body = true;
    req.body = Buffer.concat(chunks);
    next();
  });
};
const jsonParser = (req, res, next) => rawParser(req, res, () => {
  req.body = JSON.parse(req.body.toString('utf8') || '{}');
  next();
});
const merchantRoute = (req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(`merchant app ${req.url}`);

test('Express-style middleware serves Rekindle routes and passes every other path to next', async () => {
  const rekindle = serverNode.toExpressMiddleware(app.handler);
  for (const parsers of [[], [rawParser]]) {
    const server = await expressLike(...parsers, rekindle, merchantRoute);
    try {
      const body = await abandonedCheckout({ at: '2026-11-27T14:59:00Z', token: `express-${parsers.length}`, customerId: `90000000000000010${parsers.length}`, email: `express${parsers.length}@example.com` });
      const ok = await fetch(`${server.url}/webhooks/shopify`, { method: 'POST', headers: shopifyHeaders(body, `wh-express-${parsers.length}`), body });
      assert.equal(ok.status, 200, `signature verified with ${parsers.length ? 'a raw body' : 'the stream'}`);
      assert.deepEqual(await ok.json(), { applied: 1, unmatched: 0 });
      const forged = await fetch(`${server.url}/webhooks/shopify`, { method: 'POST', headers: { ...shopifyHeaders(body, 'wh-x'), 'x-shopify-hmac-sha256': shopifyHmac(`${body} `) }, body });
      assert.equal(forged.status, 401);
      assert.equal(await (await fetch(`${server.url}/products/1?x=1`)).text(), 'merchant app /products/1?x=1');
      assert.equal((await (await fetch(`${server.url}/health`)).json()).ok, true);
    } finally {
      await server.close();
    }
  }
});

test('Express-style middleware after a JSON body parser refuses to guess the raw bytes', async () => {
  const server = await expressLike(jsonParser, serverNode.toExpressMiddleware(app.handler), merchantRoute);
  try {
    const body = '{"token":"t"}';
    const response = await fetch(`${server.url}/webhooks/shopify`, { method: 'POST', headers: shopifyHeaders(body, 'wh-json'), body });
    assert.equal(response.status, 500);
    assert.match(await response.text(), /^error handler: rekindle: a body parser consumed the request/);
  } finally {
    await server.close();
  }
});

/** An API Gateway HTTP API / function URL event, payload format 2.0. */
function lambdaEvent(method, path, { headers = {}, body, base64 = false, query = '', cookies } = {}) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: query,
    ...(cookies ? { cookies } : {}),
    headers: { host: 'abc123.lambda-url.us-east-1.on.aws', 'x-forwarded-for': '203.0.113.9', ...headers },
    requestContext: {
      accountId: '123456789012', apiId: 'abc123', domainName: 'abc123.lambda-url.us-east-1.on.aws', requestId: 'r-1', stage: '$default',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '198.51.100.7', userAgent: 'test' },
    },
    ...(body === undefined ? {} : { body: base64 ? Buffer.from(body).toString('base64') : body, isBase64Encoded: base64 }),
  };
}

test('Lambda: a function URL event reaches the handler; bodies plain or base64 keep their signatures', async () => {
  const lambda = serverNode.toLambdaHandler(app.handler);
  const health = await lambda(lambdaEvent('GET', '/health'));
  assert.equal(health.statusCode, 200);
  assert.equal(health.isBase64Encoded, false);
  assert.equal(JSON.parse(health.body).ok, true);
  assert.match(health.headers['content-type'], /^application\/json/);

  for (const base64 of [false, true]) {
    const body = await abandonedCheckout({ at: '2026-11-27T14:59:00Z', token: `lambda-${base64}`, customerId: `90000000000000020${Number(base64)}`, email: `lambda${Number(base64)}@example.com`, phone: `+1512555020${Number(base64)}` });
    const response = await lambda(lambdaEvent('POST', '/webhooks/shopify', { headers: shopifyHeaders(body, `wh-lambda-${base64}`), body, base64 }));
    assert.equal(response.statusCode, 200, `base64: ${base64}`);
    assert.deepEqual(JSON.parse(response.body), { applied: 1, unmatched: 0 });
  }
  const forged = await lambda(lambdaEvent('POST', '/webhooks/shopify', { headers: { ...shopifyHeaders('{}', 'wh-f'), 'x-shopify-hmac-sha256': shopifyHmac('{"a":1}') }, body: '{}' }));
  assert.equal(forged.statusCode, 401);
  const missing = await lambda(lambdaEvent('GET', '/nowhere', { query: 'a=1' }));
  assert.equal(missing.statusCode, 404);
});

test('Lambda: background work (a STOP confirmation) finishes before the invocation returns', async () => {
  const lambda = serverNode.toLambdaHandler(app.handler);
  const params = { MessageSid: 'SM-lambda-stop', From: '+15125550201', To: '+15005550006', Body: 'STOP', AccountSid: TWILIO.accountSid };
  const path = '/webhooks/twilio/inbound';
  // Twilio signs the public URL it was given (the harness's publicUrl), over the sorted form.
  const signature = createHmac('sha1', SECRETS.twilioAuthToken)
    .update(`http://rekindle.test${path}${Object.keys(params).sort().map((k) => k + params[k]).join('')}`, 'utf8')
    .digest('base64');
  const before = twilio.messages.length;
  const response = await lambda(lambdaEvent('POST', path, {
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams(params).toString(),
    base64: true, // function URLs base64-encode form bodies
  }));
  assert.equal(response.statusCode, 200);
  assert.match(response.body, /^<\?xml/);
  assert.equal(twilio.messages.length - before, 1, 'the confirmation went out before the freeze');
  assert.equal(twilio.messages.at(-1).form.To, '+15125550201');
});
