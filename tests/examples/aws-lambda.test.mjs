// examples/aws-lambda as the Lambda runtime runs it, installed with the packed package (what
// `sam build` puts in the artifact): handler.mjs imported once in its own process (a cold
// start, with the function's environment variables; lambda-runtime.mjs), then
// `handler(event, context)` called with the events AWS sends: API Gateway HTTP API (payload
// 2.0), REST API (payload 1.0), an Application Load Balancer, and the EventBridge schedule of
// template.yaml. The store is a real redis-server on 127.0.0.1; SendGrid and Twilio are the
// local fakes.
//
//   node scripts/build.mjs && node --test tests/examples/aws-lambda.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { fork } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { fakeSendgrid, fakeTwilio } from '../server/fake-providers.mjs';
import { SECRETS, SENDGRID_KEY, TEMPLATES, TWILIO, abandonedCheckout, serverNode, shopifySample, testPolicy } from '../server/harness.mjs';
import { startRedis } from '../server/redis-server.mjs';
import { assertReadmeQuotesExample, installExample } from './common.mjs';

const API_HOST = 'a1b2c3d4e5.execute-api.us-east-1.amazonaws.com';
let project, redis, twilio, sendgrid, lambda, store, template;

before(async () => {
  redis = await startRedis();
  twilio = await fakeTwilio(TWILIO);
  sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
  project = await installExample('aws-lambda'); // rekindle from the packed tarball, ioredis as declared
  template = await readTemplate(join(project.dir, 'template.yaml'));
  const fn = template.Resources.RekindleFunction.Properties;
  // The function's environment as the template gives it, from the parameters a deploy would
  // be given; plus what only a test sets (the fakes' URLs, a one-cart policy).
  const parameters = {
    PublicUrl: `https://${API_HOST}`,
    StorefrontOrigins: 'https://shop.example.com',
    RedisUrl: redis.url,
    RekindleSalt: SECRETS.salt,
    ShopifyWebhookSecret: SECRETS.shopify,
    TickSecret: SECRETS.tick,
    SendgridApiKey: SENDGRID_KEY,
    SendgridWebhookPublicKey: SECRETS.sendgridPublicKey,
    SendgridTemplates: JSON.stringify(TEMPLATES),
    MailFrom: 'shop@example.com',
    MailFromName: 'Example Shop',
    TwilioAccountSid: TWILIO.accountSid,
    TwilioAuthToken: TWILIO.authToken,
    TwilioMessagingServiceSid: TWILIO.messagingServiceSid,
  };
  const variables = Object.entries(fn.Environment.Variables).map(([name, value]) => {
    assert.ok(value.Ref in template.Parameters, `${name} comes from a declared parameter`);
    return [name, parameters[value.Ref]];
  });
  const env = {
    PATH: process.env.PATH,
    ...Object.fromEntries(variables),
    REKINDLE_POLICY: JSON.stringify(testPolicy()),
    SENDGRID_BASE_URL: sendgrid.url,
    TWILIO_BASE_URL: twilio.url,
  };
  // `Handler: handler.handler`: the file handler(.mjs), its export handler.
  const [file, name] = fn.Handler.split('.');
  lambda = await startFunction(join(project.dir, `${file}.mjs`), name, env);
  store = await serverNode.redisStore(redis.url, { prefix: 'rekindle:' }); // the test's own view of the same Redis
});

after(async () => {
  await lambda?.stop();
  await store?.close();
  await twilio?.close();
  await sendgrid?.close();
  await redis?.stop();
  await project?.remove();
});

/** template.yaml, with the short forms it uses (`!Ref`, `!Sub`) read as CloudFormation's long forms. */
async function readTemplate(path) {
  const customTags = [{ tag: '!Ref', resolve: (name) => ({ Ref: name }) }, { tag: '!Sub', resolve: (text) => ({ 'Fn::Sub': text }) }];
  const document = parseDocument(await readFile(path, 'utf8'), { customTags });
  assert.deepEqual([...document.errors, ...document.warnings].map(String), [], 'template.yaml parses cleanly');
  return document.toJS();
}

/** The function in its own runtime process; `invoke(event)` resolves with what the handler returned. */
async function startFunction(file, name, env) {
  const child = fork(new URL('lambda-runtime.mjs', import.meta.url), [file, name], { env, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  child.stdout.resume(); // the function's logs (CloudWatch, on AWS)
  const waiting = new Map();
  let next = 0;
  await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the function's init failed (exit ${code})`)));
    child.on('message', (message) => {
      if (message.ready) return resolve();
      const { resolve: done, reject: fail } = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.error) fail(Object.assign(new Error(message.error.errorMessage), { name: message.error.errorType }));
      else done(message.result);
    });
  });
  const invoke = (event) => new Promise((resolve, reject) => {
    const id = next++;
    waiting.set(id, { resolve, reject });
    child.send({ id, event });
  });
  invoke.stop = () => new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
  return invoke;
}

const shopifyHeaders = (topic, body, webhookId) => ({
  'content-type': 'application/json',
  'x-shopify-topic': topic,
  'x-shopify-hmac-sha256': createHmac('sha256', SECRETS.shopify).update(body, 'utf8').digest('base64'),
  'x-shopify-webhook-id': webhookId,
  'x-shopify-shop-domain': 'example.myshopify.com',
  'user-agent': 'Shopify-Captain-Hook',
});

/** API Gateway HTTP API, payload format 2.0, route `ANY /{proxy+}` (the template's). */
function httpApiEvent(method, path, headers, body) {
  const now = new Date();
  return {
    version: '2.0',
    routeKey: 'ANY /{proxy+}',
    rawPath: path,
    rawQueryString: '',
    headers: { ...headers, host: API_HOST, 'content-length': String(Buffer.byteLength(body ?? '')), 'x-amzn-trace-id': 'Root=1-5e6722a7-cc56xmpl46db7ae02d4da47e', 'x-forwarded-for': '34.205.0.1', 'x-forwarded-port': '443', 'x-forwarded-proto': 'https' },
    requestContext: {
      accountId: '123456789012', apiId: 'a1b2c3d4e5', domainName: API_HOST, domainPrefix: 'a1b2c3d4e5',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '34.205.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: 'JKJaXmPLvHcESHA=', routeKey: 'ANY /{proxy+}', stage: '$default', time: now.toUTCString(), timeEpoch: now.getTime(),
    },
    pathParameters: { proxy: path.slice(1) },
    ...(body === undefined ? {} : { body, isBase64Encoded: false }),
  };
}

/** API Gateway REST API proxy integration, payload format 1.0 (no `version` field). */
function restApiEvent(method, path, headers, body) {
  const all = { ...headers, Host: API_HOST, 'X-Forwarded-For': '34.205.0.1', 'X-Forwarded-Port': '443', 'X-Forwarded-Proto': 'https' };
  return {
    resource: '/{proxy+}', path, httpMethod: method,
    headers: all,
    multiValueHeaders: Object.fromEntries(Object.entries(all).map(([k, v]) => [k, [v]])),
    queryStringParameters: null, multiValueQueryStringParameters: null,
    pathParameters: { proxy: path.slice(1) }, stageVariables: null,
    requestContext: {
      accountId: '123456789012', apiId: 'a1b2c3d4e5', resourceId: 'ab12cd', resourcePath: '/{proxy+}', httpMethod: method,
      extendedRequestId: 'JKJaXmPLvHcESHA=', requestTime: '02/Dec/2026:15:00:00 +0000', path: `/prod${path}`, protocol: 'HTTP/1.1', stage: 'prod',
      domainPrefix: 'a1b2c3d4e5', requestTimeEpoch: Date.now(), requestId: randomUUID(), domainName: API_HOST,
      identity: { sourceIp: '34.205.0.1', userAgent: headers['user-agent'] ?? null, accountId: null, caller: null, user: null, userArn: null },
    },
    body: body ?? null,
    isBase64Encoded: false,
  };
}

/** Application Load Balancer target, multi-value headers off (the target group's default). */
function albEvent(method, path, headers, body) {
  return {
    requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/rekindle/6d0ecf831eec9f09' } },
    httpMethod: method, path, queryStringParameters: {},
    headers: { ...headers, host: 'rekindle-1234567890.us-east-1.elb.amazonaws.com', 'x-forwarded-for': '34.205.0.1', 'x-forwarded-port': '443', 'x-forwarded-proto': 'https', 'x-amzn-trace-id': 'Root=1-5c536348-3d683b8b04734faae651f476' },
    body: body ?? '',
    isBase64Encoded: false,
  };
}

/** What EventBridge Scheduler's classic rule, `Schedule: rate(1 minute)`, delivers. */
function scheduledEvent() {
  return {
    version: '0', id: randomUUID(), 'detail-type': 'Scheduled Event', source: 'aws.events', account: '123456789012',
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), region: 'us-east-1',
    resources: ['arn:aws:events:us-east-1:123456789012:rule/rekindle-RekindleFunctionTick-AbC123'], detail: {},
  };
}

test('the template wires one function to an HTTP API (payload 2.0) and a one-minute schedule', () => {
  assert.equal(template.Transform, 'AWS::Serverless-2016-10-31');
  const fn = template.Resources.RekindleFunction;
  assert.equal(fn.Type, 'AWS::Serverless::Function');
  assert.equal(fn.Properties.Runtime, 'nodejs20.x');
  const { Http, Tick } = fn.Properties.Events;
  assert.deepEqual(Http, { Type: 'HttpApi', Properties: { ApiId: { Ref: 'RekindleApi' }, Path: '/{proxy+}', Method: 'ANY', PayloadFormatVersion: '2.0' } });
  assert.equal(template.Resources.RekindleApi.Type, 'AWS::Serverless::HttpApi');
  assert.equal(Tick.Type, 'Schedule');
  assert.equal(Tick.Properties.Schedule, 'rate(1 minute)');
  for (const name of ['RedisUrl', 'RekindleSalt', 'ShopifyWebhookSecret', 'TickSecret', 'SendgridApiKey', 'TwilioAuthToken']) {
    assert.equal(template.Parameters[name].NoEcho, true, `${name} is not echoed`);
  }
});

test('every variable the handler reads is set by the template, but the optional ones', async () => {
  const read = new Set([...(await readFile(join(project.dir, 'handler.mjs'), 'utf8')).matchAll(/\benv\.([A-Z_]+)/g)].map((m) => m[1]));
  const optional = ['REKINDLE_POLICY', 'SENDGRID_BASE_URL', 'TWILIO_BASE_URL']; // the default policy; the providers' real hosts
  const set = Object.keys(template.Resources.RekindleFunction.Properties.Environment.Variables);
  assert.deepEqual([...read].filter((name) => !optional.includes(name)).sort(), set.sort());
});

test('checkout (HTTP API) → scheduled tick sends the first email → order (REST API) → nothing more', { timeout: 60_000 }, async () => {
  // Abandoned 5 minutes ago less 1.5 seconds: the first email (5 minutes after) is due in 1.5 s.
  const at = new Date(Date.now() - 5 * 60_000 + 1_500).toISOString();
  const body = await abandonedCheckout({ at });
  const created = await lambda(httpApiEvent('POST', '/webhooks/shopify', shopifyHeaders('checkouts/create', body, 'wh-lambda-checkout'), body));
  assert.equal(created.statusCode, 200, created.body);
  assert.deepEqual(JSON.parse(created.body), { applied: 1, unmatched: 0 });

  assert.deepEqual(await lambda(scheduledEvent()), { due: 0, sent: 0, failed: 0, retrying: 0 }, 'not due yet');
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  assert.deepEqual(await lambda(scheduledEvent()), { due: 1, sent: 1, failed: 0, retrying: 0 });
  assert.equal(sendgrid.mails.length, 1);
  const { mail } = sendgrid.mails[0];
  assert.deepEqual(mail.personalizations[0].to, [{ email: 'example@email.com' }]);
  assert.equal(mail.template_id, TEMPLATES['cart.email.confirm']);
  assert.match(mail.headers['List-Unsubscribe'], new RegExp(`^<https://${API_HOST}/u/.+>$`), 'links use PUBLIC_URL');

  const inAnHour = Date.now() + 60 * 60_000;
  const contactId = mail.custom_args.rekindle_contact;
  assert.deepEqual((await store.dueBefore(inAnHour, 10)).map((d) => d.contactId), [contactId], 'the SMS is still to come');

  const order = (await shopifySample('orders_create'))
    .replace('"checkout_token": null', '"checkout_token": "123123123"')
    .replaceAll('115310627314723954', '603851970716743426');
  const ordered = await lambda(restApiEvent('POST', '/webhooks/shopify', shopifyHeaders('orders/create', order, 'wh-lambda-order'), order));
  assert.equal(ordered.statusCode, 200, ordered.body);
  assert.deepEqual(JSON.parse(ordered.body), { applied: 1, unmatched: 0 });
  assert.deepEqual(ordered.multiValueHeaders['content-type'], [ordered.headers['content-type']], 'answered in 1.0 format');

  assert.deepEqual(await store.dueBefore(inAnHour, 10), [], 'the order cancelled what was planned');
  assert.equal(JSON.parse((await store.load(contactId)).state).journeys[0].status, 'recovered');
  assert.deepEqual(await lambda(scheduledEvent()), { due: 0, sent: 0, failed: 0, retrying: 0 });
  assert.equal(sendgrid.mails.length, 1, 'one email, once');
  assert.equal(twilio.messages.length, 0, 'no SMS after the order');
});

test('behind an ALB: health answers in the single-value format; a forged webhook is 401', async () => {
  const health = await lambda(albEvent('GET', '/health', { 'user-agent': 'ELB-HealthChecker/2.0' }));
  assert.equal(health.statusCode, 200);
  assert.equal(health.multiValueHeaders, undefined);
  assert.equal(JSON.parse(health.body).ok, true);
  const body = await abandonedCheckout({ at: new Date().toISOString(), token: 'alb-1' });
  const forged = await lambda(albEvent('POST', '/webhooks/shopify', { ...shopifyHeaders('checkouts/create', body, 'wh-alb'), 'x-shopify-hmac-sha256': 'AAAA' }, body));
  assert.equal(forged.statusCode, 401);
});

test('the beacon from an allowed storefront origin is accepted with CORS (HTTP API)', async () => {
  const origin = 'https://shop.example.com';
  const anonymousId = randomUUID();
  const beacon = JSON.stringify({
    v: 1, anonymousId,
    events: [{ id: `${anonymousId}.1`, at: new Date().toISOString(), type: 'abandoned', origin: 'storefront',
      cart: { token: 'sf-1', stage: 'cart', currency: 'USD', items: [{ title: 'Socks', quantity: 1, unitPrice: 1800 }], recoveryUrl: 'https://shop.example.com/cart' },
      contact: { timeZone: 'America/Chicago', locale: 'en-US' } }],
  });
  const accepted = await lambda(httpApiEvent('POST', '/beacon', { origin, 'content-type': 'text/plain;charset=UTF-8' }, beacon));
  assert.equal(accepted.statusCode, 202, accepted.body);
  assert.equal(accepted.headers['access-control-allow-origin'], origin);
  const refused = await lambda(httpApiEvent('POST', '/beacon', { origin: 'https://elsewhere.example', 'content-type': 'text/plain;charset=UTF-8' }, beacon));
  assert.equal(refused.statusCode, 403);
});

test('the README\'s code is the example\'s own', () => assertReadmeQuotesExample('aws-lambda'));
