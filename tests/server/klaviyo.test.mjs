// Klaviyo Events API: journey sends become Create Event calls whose bodies are checked
// against Klaviyo's own OpenAPI schema (../shared/vectors/klaviyo/create_event.json, revision
// 2026-07-15), through a fake Klaviyo that answers as the spec says (202, JSON:API errors).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fakeKlaviyo } from './fake-providers.mjs';
import { abandonedCheckout, postShopify, removeDir, server, startServer, tempDir, tick, vectors } from './harness.mjs';

const spec = JSON.parse(await readFile(new URL('klaviyo/create_event.json', vectors), 'utf8'));
const examples = JSON.parse(await readFile(new URL('klaviyo/examples_constructed_from_spec.json', vectors), 'utf8'));
const operation = spec.paths['/api/events'].post;
const REVISION = operation.parameters.find((p) => p.name === 'revision').schema.default;
const KEY = 'pk_test_0123456789';

/**
 * The subset of OpenAPI 3.0 the schema uses: $ref, type, nullable, enum, required, properties.
 * Stricter than the spec in one way: a key the schema does not declare, where it declares
 * keys, is a problem (it catches misspelt fields that Klaviyo would silently ignore).
 */
function check(schema, value, pointer = '', problems = []) {
  if (schema.$ref) return check(spec.components.schemas[schema.$ref.split('/').pop()], value, pointer, problems);
  if (value === null) {
    if (!schema.nullable) problems.push({ pointer, message: 'may not be null' });
    return problems;
  }
  if (schema.oneOf) {
    if (!schema.oneOf.some((s) => check(s, value).length === 0)) problems.push({ pointer, message: 'matches no alternative' });
    return problems;
  }
  const type = Array.isArray(value) ? 'array' : typeof value;
  const expected = { integer: 'number' }[schema.type] ?? schema.type;
  if (expected && expected !== type) problems.push({ pointer, message: `must be ${schema.type}, is ${type}` });
  if (schema.enum && !schema.enum.includes(value)) problems.push({ pointer, message: `must be one of ${schema.enum}` });
  if (type === 'object' && schema.properties) {
    for (const name of schema.required ?? []) if (!(name in value)) problems.push({ pointer: `${pointer}/${name}`, message: 'is required' });
    for (const [name, v] of Object.entries(value)) {
      if (!schema.properties[name]) problems.push({ pointer: `${pointer}/${name}`, message: 'is not in the schema' });
      else check(schema.properties[name], v, `${pointer}/${name}`, problems);
    }
  }
  return problems;
}
const validate = (body) => check(operation.requestBody.content['application/vnd.api+json'].schema, body);

const T0 = Date.parse('2026-11-27T15:00:00Z');
const clock = { now: T0 };
let dir, klaviyo, app;

before(async () => {
  dir = await tempDir();
  klaviyo = await fakeKlaviyo({ apiKey: KEY, revision: REVISION, validate });
  const transport = server.klaviyoTransport({ apiKey: KEY, baseUrl: klaviyo.url });
  app = await startServer({ storePath: join(dir, 'klaviyo.db'), clock, transports: { email: transport, sms: transport } });
});

after(async () => {
  await app.close();
  await klaviyo.close();
  await removeDir(dir);
});

test('the schema check accepts the spec example and refuses broken bodies', () => {
  assert.deepEqual(validate(examples['POST /api/events']), []);
  const broken = structuredClone(examples['POST /api/events']);
  delete broken.data.attributes.metric;
  broken.data.attributes.profile.data.type = 'profiles';
  broken.data.attributes.uniqueId = 'x';
  assert.deepEqual(validate(broken).map((p) => p.pointer).sort(), [
    '/data/attributes/metric', '/data/attributes/profile/data/type', '/data/attributes/uniqueId',
  ]);
});

test('a journey email and SMS become Create Event calls that satisfy the schema', async () => {
  await postShopify(app.url, 'checkouts/create', await abandonedCheckout({ at: '2026-11-27T14:59:00Z' }));
  clock.now = T0 + 5 * 60_000;
  assert.deepEqual(await (await tick(app.url)).json(), { due: 1, sent: 1, failed: 0, retrying: 0 });
  clock.now = T0 + 17 * 60_000;
  assert.deepEqual(await (await tick(app.url)).json(), { due: 1, sent: 1, failed: 0, retrying: 0 });
  assert.equal(klaviyo.events.length, 2);
  const [email, sms] = klaviyo.events.map((e) => e.data.attributes);
  assert.deepEqual(email.profile.data.attributes, { email: 'example@email.com' });
  assert.deepEqual(sms.profile.data.attributes, { phone_number: '+15125550100' });
  assert.equal(email.metric.data.attributes.name, 'Rekindle Cart Reminder');
  assert.equal(email.properties.template, 'cart.email.confirm');
  assert.equal(email.properties.items[0].title, 'IPod Nano - 8GB');
  assert.match(sms.properties.sms_text, /Reply STOP to opt out$/);
  for (const e of [email, sms]) {
    assert.equal(e.unique_id, e.properties.rekindle_action, 'the action id is the dedupe key');
    assert.equal((await app.store.ledger(e.unique_id)).status, 'sent');
  }
});

test('a repeat of one action (a crash after the 202) is dropped by Klaviyo on unique_id', async () => {
  const transport = server.klaviyoTransport({ apiKey: KEY, baseUrl: klaviyo.url });
  const action = { type: 'send', id: 'j9.email-1.email.0', channel: 'email', to: 'twice@example.com', message: { template: 't', data: {}, angle: 'plain', variant: 'a' } };
  const before = klaviyo.events.length;
  assert.equal((await transport.send(action, { contactId: 'c_9' })).ok, true);
  assert.equal((await transport.send(action, { contactId: 'c_9' })).ok, true);
  assert.equal(klaviyo.received.filter((e) => e.data.attributes.unique_id === action.id).length, 2, 'both reached Klaviyo');
  assert.equal(klaviyo.events.length - before, 1, 'one event, one flow run');
});

test('errors keep the JSON:API code: 4xx permanent, 429 and 5xx transient', async () => {
  const action = { type: 'send', id: 'j8.sms-1.sms.0', channel: 'sms', to: '+15125550100', message: { template: 't', data: {}, angle: 'plain', variant: 'a', sms: { text: 'hi', segments: 1 } } };
  const wrongKey = await server.klaviyoTransport({ apiKey: 'pk_wrong', baseUrl: klaviyo.url }).send(action, { contactId: 'c_8' });
  assert.deepEqual([wrongKey.ok, wrongKey.permanent, wrongKey.code], [false, true, 'klaviyo:not_authenticated']);
  const oldRevision = await server.klaviyoTransport({ apiKey: KEY, revision: '2020-01-01', baseUrl: klaviyo.url }).send(action, { contactId: 'c_8' });
  assert.deepEqual([oldRevision.permanent, oldRevision.code], [true, 'klaviyo:invalid']);
  const transport = server.klaviyoTransport({ apiKey: KEY, baseUrl: klaviyo.url });
  klaviyo.failNext(
    { status: 429, headers: { 'retry-after': '2' }, body: { errors: [{ id: '1', status: 429, code: 'throttled', title: 'Throttled', detail: 'Request was throttled.' }] } },
    { status: 503 },
  );
  const throttled = await transport.send(action, { contactId: 'c_8' });
  assert.deepEqual([throttled.permanent, throttled.code, throttled.retryAfterMs], [false, 'klaviyo:throttled', 2000]);
  assert.equal((await transport.send(action, { contactId: 'c_8' })).permanent, false);
  const reply = await transport.send({ type: 'reply', id: 'r1', to: '+15125550100', body: 'HELP text', segments: 1 }, { contactId: 'c_8' });
  assert.deepEqual([reply.permanent, reply.code], [true, 'klaviyo:noMessage']);
});
