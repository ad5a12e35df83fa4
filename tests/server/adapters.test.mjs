// The fetch-shape handler behind Express-style middleware and behind AWS Lambda (API Gateway
// HTTP API / function URL events, payload format 2.0; REST API and ALB events, payload format
// 1.0). Express itself is not a dependency:
// the middleware is driven by a node:http server with Express's `(req, res, next)` chain and
// what its body parsers leave on `req` (`_body`, `body`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { promisify } from 'node:util';
import { createServer, request } from 'node:http';
import { join } from 'node:path';
import { closeServer, fakeSendgrid, fakeTwilio } from './fake-providers.mjs';
import { PUBLIC_URL, SECRETS, SENDGRID_KEY, TWILIO, abandonedCheckout, removeDir, server, serverNode, startServer, tempDir, testPolicy } from './harness.mjs';

const run = promisify(execFile);
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

/** A request whose headers are sent exactly as listed, a name repeated as often as it appears. */
function rawRequest(url, method, headerPairs) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: [['host', new URL(url).host], ...headerPairs].flat() }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('Node listener: Rekindle\'s handler, served without a Request (handler.serve), answers as its fetch entry does', async () => {
  assert.equal(typeof app.handler.serve, 'function');
  const viaNode = await fetch(`${app.url}/health`);
  const viaFetch = await app.handler(new Request(`${PUBLIC_URL}/health`));
  assert.equal(viaNode.status, viaFetch.status);
  for (const name of ['content-type', 'cache-control']) assert.equal(viaNode.headers.get(name), viaFetch.headers.get(name), name);
  assert.equal(await viaNode.text(), await viaFetch.text());
  // A header sent twice reads as Headers reads it (the values joined), not as Node's first
  // value: two Authorization lines are no bearer credential, through either entry.
  const twice = await rawRequest(`${app.url}/tick`, 'POST', [['authorization', `Bearer ${SECRETS.tick}`], ['authorization', `Bearer ${SECRETS.tick}`]]);
  const joined = await app.handler(new Request(`${PUBLIC_URL}/tick`, { method: 'POST', headers: { authorization: `Bearer ${SECRETS.tick}, Bearer ${SECRETS.tick}` } }));
  assert.equal(twice.status, 401, twice.body);
  assert.equal(joined.status, 401);
  const once = await rawRequest(`${app.url}/tick`, 'POST', [['authorization', `Bearer ${SECRETS.tick}`]]);
  assert.equal(once.status, 200, once.body);
  // A body over the beacon's limit is refused from the bytes the adapter read, as from a stream.
  const big = await fetch(`${app.url}/beacon`, { method: 'POST', headers: { origin: 'https://shop.example', 'content-type': 'text/plain' }, body: 'x'.repeat(17 * 1024) });
  assert.equal(big.status, 413);
  assert.equal((await big.json()).error.code, 'TOO_LARGE');
});

test('Node listener: serving a beacon and a signed webhook never loads Node\'s fetch implementation (undici: 80-170 ms of a cold start)', async () => {
  // A fresh process, its client node:http too: fetch() would load undici itself.
  const dist = new URL('../../pkg/dist/', import.meta.url).href;
  const script = `
    import { request } from 'node:http';
    import { createHmac } from 'node:crypto';
    const server = await import(${JSON.stringify(`${dist}server/index.js`)});
    const node = await import(${JSON.stringify(`${dist}server/node.js`)});
    const handler = server.createHandler({ store: server.memoryStore(), secrets: ${JSON.stringify(SECRETS)}, publicUrl: 'https://rekindle.test', beacon: { allowedOrigins: ['https://shop.example'] } });
    const http = (await import('node:http')).createServer(node.toNodeListener(handler));
    await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
    const post = (path, headers, body) => new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: http.address().port, path, method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      });
      req.on('error', reject);
      req.end(body);
    });
    const beacon = JSON.stringify({ v: 1, anonymousId: 'anon-undici', events: [{ id: 'e-1', at: new Date().toISOString(), type: 'abandoned', origin: 'storefront', cart: { token: 'cart-undici', stage: 'cart', currency: 'USD', items: [{ title: 'Socks', quantity: 1, unitPrice: 1800 }], recoveryUrl: 'https://shop.example/cart' } }] });
    const webhook = ${JSON.stringify(await abandonedCheckout({ at: '2026-11-27T14:59:00Z', token: 'undici-1', customerId: '900000000000000301', email: 'undici@example.com' }))};
    const statuses = [
      await post('/beacon', { origin: 'https://shop.example', 'content-type': 'text/plain' }, beacon),
      await post('/webhooks/shopify', { 'content-type': 'application/json', 'x-shopify-topic': 'checkouts/create', 'x-shopify-webhook-id': 'wh-undici', 'x-shopify-hmac-sha256': createHmac('sha256', ${JSON.stringify(SECRETS.shopify)}).update(webhook).digest('base64') }, webhook),
    ];
    http.close();
    console.log(JSON.stringify({ statuses, undici: process.moduleLoadList.filter((m) => /undici/.test(m)) }));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
  assert.deepEqual(JSON.parse(stdout.trim().split('\n').at(-1)), { statuses: [202, 200], undici: [] });
});

test('Node listener: any other fetch-shape handler gets a Request, and its Response goes back whole, every Set-Cookie kept', async () => {
  const seen = [];
  const echo = async (req) => {
    seen.push({ method: req.method, url: req.url, via: req.headers.get('x-via'), body: await req.text() });
    const headers = new Headers({ 'content-type': 'text/plain' });
    headers.append('set-cookie', 'a=1');
    headers.append('set-cookie', 'b=2');
    return new Response(`echo ${req.method}`, { status: 201, headers });
  };
  const http = createServer(serverNode.toNodeListener(echo));
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${http.address().port}`;
  try {
    const response = await fetch(`${url}/x?y=1`, { method: 'POST', headers: { 'x-via': 'test' }, body: 'hello' });
    assert.equal(response.status, 201);
    assert.equal(await response.text(), 'echo POST');
    assert.deepEqual(response.headers.getSetCookie(), ['a=1', 'b=2']);
    assert.deepEqual(seen, [{ method: 'POST', url: `${url}/x?y=1`, via: 'test', body: 'hello' }]);
  } finally {
    await closeServer(http);
  }
});

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
    .update(`https://rekindle.test${path}${Object.keys(params).sort().map((k) => k + params[k]).join('')}`, 'utf8')
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

/**
 * An API Gateway REST API event, payload format 1.0 (`version: '1.0'` is what an HTTP API set
 * to 1.0 sends; REST APIs send no version). Query values are given decoded, as API Gateway
 * gives them; headers come both ways, as API Gateway sends them.
 */
function restEvent(method, path, { headers = {}, body, base64 = false, query, version, sourceIp = '198.51.100.7' } = {}) {
  const all = { Host: 'abc123.execute-api.us-east-1.amazonaws.com', 'X-Forwarded-For': '203.0.113.9', ...headers };
  return {
    ...(version ? { version } : {}),
    resource: '/{proxy+}',
    path,
    httpMethod: method,
    headers: all,
    multiValueHeaders: Object.fromEntries(Object.entries(all).map(([k, v]) => [k, [v]])),
    queryStringParameters: query ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, v.at(-1)])) : null,
    multiValueQueryStringParameters: query ?? null,
    pathParameters: { proxy: path.slice(1) },
    stageVariables: null,
    requestContext: {
      accountId: '123456789012', apiId: 'abc123', resourcePath: '/{proxy+}', httpMethod: method, path: `/prod${path}`, stage: 'prod', requestId: 'r-1',
      identity: { sourceIp, userAgent: 'test' },
    },
    body: body === undefined ? null : base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: base64,
  };
}

/** A fetch handler that echoes what the adapter built, and sets two cookies. */
const echo = async (request) => {
  const headers = new Headers({ 'content-type': 'application/json' });
  headers.append('set-cookie', 'a=1; Path=/; HttpOnly');
  headers.append('set-cookie', 'b=2; Path=/; Secure');
  return new Response(JSON.stringify({ url: request.url, method: request.method, xff: request.headers.get('x-forwarded-for'), body: await request.text() }), { headers });
};

test('Lambda 1.0 (REST API): a signed Shopify webhook is accepted, plain or base64; a forged one is 401', async () => {
  const lambda = serverNode.toLambdaHandler(app.handler);
  const health = await lambda(restEvent('GET', '/health'));
  assert.equal(health.statusCode, 200);
  assert.equal(JSON.parse(health.body).ok, true);
  assert.equal(health.cookies, undefined, '1.0 has no cookies field');
  assert.deepEqual(health.multiValueHeaders['content-type'], [health.headers['content-type']]);

  for (const [i, { base64, version }] of [{ base64: false }, { base64: true }, { base64: false, version: '1.0' }].entries()) {
    const body = await abandonedCheckout({ at: '2026-11-27T14:59:00Z', token: `rest-${i}`, customerId: `90000000000000030${i}`, email: `rest${i}@example.com`, phone: `+1512555030${i}` });
    const response = await lambda(restEvent('POST', '/webhooks/shopify', { headers: shopifyHeaders(body, `wh-rest-${i}`), body, base64, version }));
    assert.equal(response.statusCode, 200, `base64: ${base64}, version: ${version}`);
    assert.deepEqual(JSON.parse(response.body), { applied: 1, unmatched: 0 });
  }
  const body = await abandonedCheckout({ at: '2026-11-27T14:59:00Z', token: 'rest-forged', customerId: '900000000000000399', email: 'forged@example.com' });
  for (const base64 of [false, true]) {
    const forged = await lambda(restEvent('POST', '/webhooks/shopify', { headers: { ...shopifyHeaders(body, 'wh-rest-f'), 'x-shopify-hmac-sha256': shopifyHmac(`${body} `) }, body, base64 }));
    assert.equal(forged.statusCode, 401, `base64: ${base64}`);
    assert.equal(JSON.parse(forged.body).error.code, 'BAD_SIGNATURE');
  }
  assert.equal((await lambda(restEvent('GET', '/nowhere'))).statusCode, 404);
});

test('Lambda 1.0: base64 bodies reach the handler as the bytes sent, and binary responses go back base64', async () => {
  const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x41, 0x0a]);
  const seen = [];
  const lambda = serverNode.toLambdaHandler(async (request) => {
    seen.push(Buffer.from(await request.arrayBuffer()));
    return new Response(bytes, { headers: { 'content-type': 'application/octet-stream' } });
  });
  const response = await lambda({ ...restEvent('POST', '/x'), body: bytes.toString('base64'), isBase64Encoded: true });
  assert.deepEqual(seen[0], bytes);
  assert.equal(response.isBase64Encoded, true);
  assert.deepEqual(Buffer.from(response.body, 'base64'), bytes);
  const text = await serverNode.toLambdaHandler(echo)(restEvent('POST', '/x', { body: 'héllo wörld' }));
  assert.equal(text.isBase64Encoded, false);
  assert.equal(JSON.parse(text.body).body, 'héllo wörld');
});

test('Lambda 1.0: repeated query keys are kept, re-encoded the way Rekindle encodes its own URLs', async () => {
  const lambda = serverNode.toLambdaHandler(echo);
  // API Gateway decoded `?tag=a&tag=b%20c&q=x%2By&e=` into this map.
  const rest = await lambda(restEvent('GET', '/r/abc', { query: { tag: ['a', 'b c'], q: ['x+y'], e: [''] } }));
  assert.equal(JSON.parse(rest.body).url, 'https://abc123.execute-api.us-east-1.amazonaws.com/r/abc?tag=a&tag=b+c&q=x%2By&e=');
  // Only the single-valued map (a hand-written test event): still used.
  const single = { ...restEvent('GET', '/r/abc'), queryStringParameters: { a: '1 2' }, multiValueQueryStringParameters: null };
  assert.equal(JSON.parse((await lambda(single)).body).url, 'https://abc123.execute-api.us-east-1.amazonaws.com/r/abc?a=1+2');
  // An ALB passes the query undecoded: joined as it came, not encoded twice.
  const alb = {
    httpMethod: 'GET', path: '/r/abc', requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t/1' } },
    multiValueHeaders: { host: ['lb.example.com'], 'x-forwarded-for': ['203.0.113.9'] },
    multiValueQueryStringParameters: { tag: ['a', 'b%20c'], q: ['x%2By'] }, body: '', isBase64Encoded: false,
  };
  assert.equal(JSON.parse((await lambda(alb)).body).url, 'https://lb.example.com/r/abc?tag=a&tag=b%20c&q=x%2By');
});

test('Lambda 1.0: a Twilio status callback through a REST API keeps its signature (query rebuilt byte for byte)', async () => {
  const lambda = serverNode.toLambdaHandler(app.handler);
  // The StatusCallback the runtime writes: ?c=<contact id>&a=<action id>, by URLSearchParams.
  const callback = new URL('https://rekindle.test/webhooks/twilio/status');
  callback.searchParams.set('c', 'c_0123456789abcdef');
  callback.searchParams.set('a', 'j1.sms-1.sms.0');
  const params = { MessageSid: 'SM-rest-1', MessageStatus: 'delivered', To: '+15125550300', AccountSid: TWILIO.accountSid };
  const sign = (url) => createHmac('sha1', SECRETS.twilioAuthToken).update(url + Object.keys(params).sort().map((k) => k + params[k]).join(''), 'utf8').digest('base64');
  const event = (signature, query) => restEvent('POST', '/webhooks/twilio/status', {
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams(params).toString(),
    query,
  });
  const decoded = Object.fromEntries([...callback.searchParams].map(([k, v]) => [k, [v]]));
  const ok = await lambda(event(sign(callback.toString()), decoded));
  assert.equal(ok.statusCode, 200, ok.body);
  const tampered = await lambda(event(sign(callback.toString()), { ...decoded, a: ['j1.sms-1.sms.1'] }));
  assert.equal(tampered.statusCode, 401);
});

test('Lambda 1.0: several Set-Cookie headers come back in multiValueHeaders, one each', async () => {
  const response = await serverNode.toLambdaHandler(echo)(restEvent('GET', '/x'));
  assert.deepEqual(response.multiValueHeaders['set-cookie'], ['a=1; Path=/; HttpOnly', 'b=2; Path=/; Secure']);
  assert.equal(response.headers['set-cookie'], undefined, 'a comma-joined Set-Cookie would be one broken cookie');
  assert.deepEqual(response.multiValueHeaders['content-type'], ['application/json']);
  assert.equal(response.headers['content-type'], 'application/json');
  assert.equal(response.cookies, undefined);
});

test('Lambda 1.0: the beacon rate limit counts requestContext.identity.sourceIp, not a client X-Forwarded-For', async () => {
  const handler = server.createHandler({
    store: server.memoryStore(), policy: testPolicy(), secrets: SECRETS, transports: {}, now: () => clock.now, publicUrl: PUBLIC_URL,
    beacon: { allowedOrigins: ['https://shop.example'], perIp: { limit: 2, windowMs: 60_000 } },
  });
  const lambda = serverNode.toLambdaHandler(handler);
  const beacon = (i, sourceIp, forwardedFor) => lambda(restEvent('POST', '/beacon', {
    sourceIp,
    headers: { 'content-type': 'text/plain', origin: 'https://shop.example', 'X-Forwarded-For': forwardedFor, 'X-Real-IP': forwardedFor },
    body: JSON.stringify({ v: 1, anonymousId: `rl-${i}`, events: [{ id: `rl${i}`, at: '2026-11-27T14:59:00Z', type: 'abandoned', origin: 'storefront', cart: { token: `rl-${i}`, stage: 'cart', currency: 'USD', items: [{ title: 'Socks', quantity: 1, unitPrice: 1800 }], recoveryUrl: 'https://shop.example/cart' } }] }),
  }));
  // One client rotating a forged X-Forwarded-For: still one address, limited after two.
  const statuses = [];
  for (let i = 0; i < 3; i += 1) statuses.push((await beacon(i, '198.51.100.20', `10.0.0.${i}`)).statusCode);
  assert.deepEqual(statuses, [202, 202, 429]);
  // Another connection claiming the limited client's forwarded address is counted as itself.
  assert.equal((await beacon(3, '198.51.100.21', '198.51.100.20')).statusCode, 202);
  const seen = JSON.parse((await serverNode.toLambdaHandler(echo)(restEvent('GET', '/x', { sourceIp: '192.0.2.1', headers: { 'X-Forwarded-For': '1.2.3.4' } }))).body);
  assert.equal(seen.xff, '192.0.2.1');
});

test('Lambda 1.0 (ALB): the client address is the entry the load balancer appended, not one the client sent', async () => {
  const seen = await serverNode.toLambdaHandler(echo)({
    httpMethod: 'GET', path: '/x', requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t/1' } },
    headers: { host: 'lb.example.com', 'x-forwarded-for': '1.2.3.4, 198.51.100.30' }, queryStringParameters: {}, body: '', isBase64Encoded: false,
  });
  assert.equal(JSON.parse(seen.body).xff, '198.51.100.30');
  assert.equal(seen.multiValueHeaders, undefined, 'an ALB without multi-value headers reads only headers');
  assert.equal(seen.headers['set-cookie'], 'a=1; Path=/; HttpOnly');
});
