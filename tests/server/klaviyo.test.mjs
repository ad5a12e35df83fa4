// Klaviyo Events API: journey sends become Create Event calls whose bodies are checked
// against Klaviyo's own OpenAPI schema (tests/fixtures/vectors/klaviyo/create_event.json, revision
// 2026-07-15), through a fake Klaviyo that answers as the spec says (202, JSON:API errors).
// Erasure becomes Request Profile Deletion calls, checked against that operation's schema.
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

/**
 * Request Profile Deletion's body (POST /api/data-privacy-deletion-jobs), written out from
 * Klaviyo's OpenAPI document for revision 2026-07-15 (klaviyo/openapi,
 * openapi/stable/apis/request_profile_deletion.json: DataPrivacyCreateDeletionJobQuery and
 * what it references). The shared vectors hold no schema for this operation, hence the copy
 * here. The operation's description adds a rule the schema cannot say: exactly one identifier.
 */
const DELETION_SCHEMA = {
  type: 'object', required: ['data'], properties: {
    data: {
      type: 'object', required: ['type', 'attributes'], properties: {
        type: { type: 'string', enum: ['data-privacy-deletion-job'] },
        attributes: {
          type: 'object', required: ['profile'], properties: {
            profile: {
              type: 'object', required: ['data'], properties: {
                data: {
                  type: 'object', required: ['type', 'attributes'], properties: {
                    type: { type: 'string', enum: ['profile'] },
                    id: { type: 'string', nullable: true },
                    attributes: { type: 'object', properties: { email: { type: 'string', nullable: true }, phone_number: { type: 'string', nullable: true } } },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};
function validateDeletion(body) {
  const problems = check(DELETION_SCHEMA, body);
  if (problems.length) return problems;
  const profile = body.data.attributes.profile.data;
  const identifiers = [profile.id, profile.attributes.email, profile.attributes.phone_number].filter((v) => v !== undefined && v !== null);
  return identifiers.length === 1 ? [] : [{ pointer: '/data/attributes/profile/data', message: 'exactly one of email, phone_number or id' }];
}

const T0 = Date.parse('2026-11-27T15:00:00Z');
const clock = { now: T0 };
let dir, klaviyo, app;
const logged = [];

before(async () => {
  dir = await tempDir();
  klaviyo = await fakeKlaviyo({ apiKey: KEY, revision: REVISION, validate, validateDeletion });
  const transport = server.klaviyoTransport({ apiKey: KEY, baseUrl: klaviyo.url });
  const log = (level, message, fields) => logged.push(JSON.stringify({ level, message, fields }));
  app = await startServer({ storePath: join(dir, 'klaviyo.db'), clock, transports: { email: transport, sms: transport }, log });
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
  // The flow reads the pack's variable names (docs/messages.md, "Provider templates").
  for (const name of ['lang', 'storeName', 'firstName', 'itemCount', 'subtotal', 'shippingShown', 'shippingFree', 'recoveryUrl', 'unsubscribeUrl', 'preferencesUrl']) {
    assert.ok(name in email.properties, `properties have no ${name}`);
  }
  for (const field of ['title', 'quantity', 'price', 'lineTotal']) assert.ok(field in email.properties.items[0], `items[] have no ${field}`);
  assert.ok('shortUrl' in sms.properties);
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

test('the deletion schema check accepts one identifier and refuses broken bodies', () => {
  const body = (attributes, type = 'data-privacy-deletion-job') => ({ data: { type, attributes: { profile: { data: { type: 'profile', attributes } } } } });
  assert.deepEqual(validateDeletion(body({ email: 'a@example.com' })), []);
  assert.deepEqual(validateDeletion(body({ phone_number: '+15005550006' })), []);
  assert.equal(validateDeletion(body({ email: 'a@example.com', phone_number: '+15005550006' })).length, 1, 'two identifiers');
  assert.equal(validateDeletion(body({})).length, 1, 'no identifier');
  assert.deepEqual(validateDeletion(body({ email: 'a@example.com' }, 'data-privacy-deletion-jobs')).map((p) => p.pointer), ['/data/type']);
  assert.deepEqual(validateDeletion(body({ mail: 'a@example.com' })).map((p) => p.pointer), ['/data/attributes/profile/data/attributes/mail']);
});

test('erasure asks Klaviyo to delete each profile: path, headers and a JSON:API body per address', async () => {
  const transport = server.klaviyoTransport({ apiKey: KEY, baseUrl: klaviyo.url });
  const before = klaviyo.deletionRequests.length;
  assert.deepEqual(await transport.suppress(['gone@example.com'], { channel: 'email' }), { ok: true });
  assert.deepEqual(await transport.suppress(['+15125550111', '+15125550112'], { channel: 'sms' }), { ok: true });
  const requests = klaviyo.deletionRequests.slice(before);
  assert.equal(requests.length, 3, 'one deletion job per address: the API takes one identifier');
  for (const { headers } of requests) {
    assert.equal(headers.authorization, `Klaviyo-API-Key ${KEY}`);
    assert.equal(headers.revision, REVISION);
    assert.equal(headers['content-type'], 'application/vnd.api+json');
    assert.equal(headers.accept, 'application/vnd.api+json');
  }
  assert.deepEqual(requests[0].body, {
    data: { type: 'data-privacy-deletion-job', attributes: { profile: { data: { type: 'profile', attributes: { email: 'gone@example.com' } } } } },
  });
  assert.deepEqual(requests.slice(1).map((r) => r.body.data.attributes.profile.data.attributes), [{ phone_number: '+15125550111' }, { phone_number: '+15125550112' }]);
  // Without a channel (a caller of the transport alone), the address's form decides.
  await transport.suppress(['+15125550113', 'x@example.com']);
  assert.deepEqual(klaviyo.deletions.slice(-2), [{ phone_number: '+15125550113' }, { email: 'x@example.com' }]);
});

test('deletion errors: 429 and 5xx transient with the JSON:API code; other 4xx permanent, the rest still tried', async () => {
  const transport = server.klaviyoTransport({ apiKey: KEY, baseUrl: klaviyo.url });
  klaviyo.failNext({ status: 429, headers: { 'retry-after': '3' }, body: { errors: [{ id: '1', status: 429, code: 'throttled', title: 'Throttled', detail: 'Request was throttled.' }] } });
  const throttled = await transport.suppress(['t@example.com'], { channel: 'email' });
  assert.deepEqual([throttled.ok, throttled.permanent, throttled.code, throttled.retryAfterMs], [false, false, 'klaviyo:throttled', 3000]);
  klaviyo.failNext({ status: 500, body: { errors: [{ id: '2', status: 500, code: 'error', title: 'Server error', detail: 'A server error occurred.' }] } });
  assert.deepEqual(await transport.suppress(['t@example.com'], { channel: 'email' }).then((r) => [r.ok, r.permanent]), [false, false]);
  const before = klaviyo.deletions.length;
  klaviyo.failNext({ status: 400, body: { errors: [{ id: '3', status: 400, code: 'invalid', title: 'Invalid input.', detail: 'Invalid phone number' }] } });
  const refused = await transport.suppress(['+1000', '+15125550114'], { channel: 'sms' });
  assert.deepEqual([refused.ok, refused.permanent, refused.code], [false, true, 'klaviyo:invalid']);
  assert.deepEqual(klaviyo.deletions.slice(before), [{ phone_number: '+15125550114' }], 'the second address was still deleted');
  const wrongKey = await server.klaviyoTransport({ apiKey: 'pk_wrong', baseUrl: klaviyo.url }).suppress(['t@example.com'], { channel: 'email' });
  assert.deepEqual([wrongKey.permanent, wrongKey.code], [true, 'klaviyo:not_authenticated']);
});

test('customers/redact deletes the Klaviyo profiles (email and phone) before our copy goes; a Klaviyo outage defers it', async () => {
  const redact = '{"shop_id":1,"shop_domain":"example.myshopify.com","customer":{"id":603851970716743426,"email":"example@email.com","phone":"+15125550100"},"orders_to_redact":[]}';
  const contactId = klaviyo.events[0].data.attributes.properties.rekindle_contact;
  assert.match((await app.store.load(contactId)).state, /example@email\.com/);
  const before = klaviyo.deletions.length;
  logged.length = 0;

  klaviyo.failNext({ status: 503, body: { errors: [{ id: '4', status: 503, code: 'error', title: 'Unavailable', detail: 'Service unavailable' }] } });
  const deferred = await postShopify(app.url, 'customers/redact', redact);
  assert.equal(deferred.status, 503, 'Klaviyo down: the erase is not committed, so Shopify retries');
  assert.match((await app.store.load(contactId)).state, /example@email\.com/);

  const erased = await postShopify(app.url, 'customers/redact', redact);
  assert.equal(erased.status, 200);
  assert.deepEqual(klaviyo.deletions.slice(before), [{ email: 'example@email.com' }, { phone_number: '+15125550100' }]);
  assert.doesNotMatch((await app.store.load(contactId)).state, /example@email\.com|5125550100/);
  assert.ok(logged.length > 0, 'the outage was logged');
  for (const line of logged) assert.doesNotMatch(line, /example@email\.com|5125550100/, 'no address in the logs');
});
