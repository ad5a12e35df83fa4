// The console through the hosting adapters a merchant may put in front of the handler: Node's
// listener (every Set-Cookie kept, not the last one only) and AWS Lambda (payload 2.0: cookies in
// and out of their own fields), each signing in and reading a page.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { closeServer } from '../server/fake-providers.mjs';
import { server, serverNode } from '../server/harness.mjs';

let handler;
before(async () => {
  const users = [{ name: 'ada', role: 'operator', passwordHash: await server.hashPassword('pw-ada', { iterations: 1000 }) }];
  handler = server.createHandler({
    store: server.memoryStore(), secrets: { salt: 's', console: 'console-secret-of-at-least-32-characters!' }, publicUrl: 'https://r.test', beacon: false,
    console: server.operatorConsole({ timeZone: 'Europe/Paris', currency: 'EUR', users }),
  });
});

const formOf = (html) => /name="csrf" value="([^"]+)"/.exec(html)[1];

test('Node listener: sign-in answers both cookies (the session, and the sign-in form\'s cleared)', async () => {
  const http = createServer(serverNode.toNodeListener(handler));
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${http.address().port}/console`;
  try {
    const form = await fetch(`${url}/sign-in`);
    const nonce = form.headers.getSetCookie()[0].split(';')[0];
    const signed = await fetch(`${url}/sign-in`, { method: 'POST', redirect: 'manual', headers: { cookie: nonce, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf: formOf(await form.text()), name: 'ada', password: 'pw-ada' }) });
    assert.equal(signed.status, 303);
    const cookies = signed.headers.getSetCookie();
    assert.deepEqual(cookies.map((c) => c.split('=')[0]).sort(), ['rekindle-console', 'rekindle-console-sign-in']);
    const page = await fetch(`${url}/health`, { headers: { cookie: cookies.find((c) => c.startsWith('rekindle-console=')).split(';')[0] } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Tick now/);
  } finally {
    await closeServer(http);
  }
});

test('AWS Lambda (function URL, payload 2.0): cookies out in `cookies`, back in through `event.cookies`', async () => {
  const lambda = serverNode.toLambdaHandler(handler);
  const event = (method, path, { cookies, body } = {}) => ({
    version: '2.0', routeKey: '$default', rawPath: path, rawQueryString: '',
    ...(cookies ? { cookies } : {}),
    headers: { host: 'abc123.lambda-url.us-east-1.on.aws', ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    requestContext: { http: { method, path, protocol: 'HTTP/1.1', sourceIp: '198.51.100.7', userAgent: 'test' } },
    ...(body ? { body, isBase64Encoded: false } : {}),
  });
  const form = await lambda(event('GET', '/console/sign-in'));
  assert.equal(form.statusCode, 200);
  const nonce = form.cookies[0].split(';')[0];
  const signed = await lambda(event('POST', '/console/sign-in', { cookies: [nonce], body: new URLSearchParams({ csrf: formOf(form.body), name: 'ada', password: 'pw-ada' }).toString() }));
  assert.equal(signed.statusCode, 303);
  assert.equal(signed.cookies.length, 2);
  const session = signed.cookies.find((c) => c.startsWith('rekindle-console=')).split(';')[0];
  const page = await lambda(event('GET', '/console/overview', { cookies: [session] }));
  assert.equal(page.statusCode, 200);
  assert.match(page.headers['content-security-policy'], /default-src 'none'/);
  assert.match(page.body, /Overview/);
  assert.equal((await lambda(event('GET', '/console/overview'))).statusCode, 303, 'no cookie, no page');
});

