// Builds a Rekindle server the way a merchant would (the built package, a SQLite file, the
// fake providers), on 127.0.0.1, with a clock the test moves. Plus the providers' side of
// each signature, computed with node:crypto: independent of the WebCrypto code under test.
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeServer } from './fake-providers.mjs';

const dist = new URL('../../pkg/dist/', import.meta.url);
export const server = await import(new URL('server/index.js', dist));
export const serverNode = await import(new URL('server/node.js', dist));
export const rekindle = await import(new URL('node.js', dist));
await rekindle.init();
export const vectors = new URL('../fixtures/vectors/', import.meta.url);

export const SECRETS = {
  salt: 'test-salt',
  shopify: 'shopify-app-secret',
  twilioAuthToken: 'twilio-auth-token',
  tick: 'tick-secret',
};
export const TWILIO = { accountSid: 'AC00000000000000000000000000000001', authToken: 'provider-side-token', messagingServiceSid: 'MG00000000000000000000000000000001' };
export const SENDGRID_KEY = 'SG.test-key';
/** The public origin the handler is configured with (https: production defaults, no development mode). */
export const PUBLIC_URL = 'https://rekindle.test';
export const TEMPLATES = { 'cart.email.confirm': 'd-0123456789abcdef0123456789abcdef', 'cart.email.value': 'd-fedcba9876543210fedcba9876543210' };

// The event-webhook key pair a merchant's SendGrid account would hold.
const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
SECRETS.sendgridPublicKey = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

/**
 * The default playbook's cadence cut to its first email and SMS, for every cart (one
 * playbook, no segments), no experiments and no holdout: every journey messages the same way.
 */
export function testPolicy() {
  const policy = rekindle.defaultPolicy();
  const steps = policy.playbooks.find((p) => p.name === 'default').steps.filter((s) => s.key === 'email-1' || s.key === 'sms-1');
  // Rekindle confirms keywords here: the tests follow that reply through the transports.
  // A store name (CTIA: every SMS names its sender) and a postal address (CAN-SPAM), without
  // which the content audit sends no SMS and withholds Rekindle's own emails.
  return {
    ...policy, version: 'test-1', holdoutPercent: 0, experiments: [], playbooks: [{ name: 'default', steps }], smsKeywordReplies: 'rekindle',
    storeName: 'Acme Outdoor', brand: { postalAddress: '1 Main St, Springfield, IL 62701, USA' },
  };
}

export async function tempDir() {
  return mkdtemp(join(tmpdir(), 'rekindle-server-'));
}

/** A running server. `clock.now` is what the runtime believes the time is. */
export async function startServer({ storePath, clock, twilio, sendgrid, policy = testPolicy(), retry, store, transports, secrets, log, ...deployment }) {
  const theStore = store ?? (await serverNode.sqliteStore(storePath));
  const handler = server.createHandler({
    store: theStore,
    policy,
    secrets: { ...SECRETS, ...secrets },
    transports: transports ?? {
      sms: server.twilioTransport({ ...TWILIO, baseUrl: twilio.url }),
      email: server.sendgridTransport({ apiKey: SENDGRID_KEY, from: { email: 'shop@example.com', name: 'Example Shop' }, templates: TEMPLATES, baseUrl: sendgrid.url }),
    },
    now: () => clock.now,
    sleep: async () => {},
    retry,
    log: log ?? (process.env.REKINDLE_TEST_LOG ? (level, message, fields) => console.error(level, message, JSON.stringify(fields)) : undefined),
    publicUrl: PUBLIC_URL,
    beacon: { allowedOrigins: ['https://shop.example'] },
    shopDomains: ['shop.example', 'checkout.local'],
    ...deployment, // publicUrl, basePath, development, health, beacon, shopDomains
  });
  const http = createServer(serverNode.toNodeListener(handler));
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${http.address().port}`,
    handler,
    store: theStore,
    runtime: await handler.runtime(),
    close: async () => {
      await closeServer(http);
      await theStore.close();
    },
  };
}

export async function shopifySample(name) {
  return readFile(new URL(`shopify/${name}.json`, vectors), 'utf8');
}

/** POST a Shopify webhook signed as Shopify signs it (or with `hmac` forced). */
export function postShopify(base, topic, body, { webhookId = `wh-${Math.random()}`, hmac } = {}) {
  const signature = hmac ?? createHmac('sha256', SECRETS.shopify).update(body, 'utf8').digest('base64');
  return fetch(`${base}/webhooks/shopify`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': topic,
      'x-shopify-hmac-sha256': signature,
      'x-shopify-webhook-id': webhookId,
      'x-shopify-shop-domain': 'example.myshopify.com',
      'x-shopify-api-version': '2026-04',
    },
    body,
  });
}

/** POST form params as Twilio does, signed over the public URL it was configured with. */
export function postTwilio(base, pathAndQuery, params, { token = SECRETS.twilioAuthToken, publicUrl = PUBLIC_URL } = {}) {
  const signedUrl = `${publicUrl}${pathAndQuery}`;
  const data = signedUrl + Object.keys(params).sort().map((k) => k + params[k]).join('');
  const signature = createHmac('sha1', token).update(data, 'utf8').digest('base64');
  return fetch(`${base}${pathAndQuery}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams(params).toString(),
  });
}

/** POST SendGrid events, ECDSA-signed over timestamp + body with the account's key. */
export function postSendgrid(base, events, { timestamp = String(Math.floor(Date.now() / 1000)) } = {}) {
  const body = `${JSON.stringify(events)}\r\n`;
  const signature = sign('sha256', Buffer.from(timestamp + body), privateKey).toString('base64');
  return fetch(`${base}/webhooks/sendgrid`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-twilio-email-event-webhook-signature': signature,
      'x-twilio-email-event-webhook-timestamp': timestamp,
    },
    body,
  });
}

export function tick(base, secret = SECRETS.tick) {
  return fetch(`${base}/tick`, { method: 'POST', headers: { authorization: `Bearer ${secret}` } });
}

/**
 * The Shopify sample checkout, made abandoned at `at` by a shopper who ticked both consent
 * boxes with a real number. Edited as text: the 64-bit ids stay exactly as Shopify sent them.
 */
export async function abandonedCheckout({ at, token = '123123123', customerId = '603851970716743426', email = 'example@email.com', phone = '+15125550100' }) {
  return (await shopifySample('checkouts_create'))
    .replaceAll('"2021-12-31T19:00:00-05:00"', JSON.stringify(at))
    .replace('"token": "123123123"', `"token": ${JSON.stringify(token)}`)
    .replace('"cart_token": "eeafa272cebfd4b22385bc4b645e762c"', `"cart_token": ${JSON.stringify(`cart-${token}`)}`)
    .replaceAll('603851970716743426', customerId)
    .replace('"email": "example@email.com"', `"email": ${JSON.stringify(email)}`)
    .replace('"buyer_accepts_marketing": false', '"buyer_accepts_marketing": true')
    .replace('"buyer_accepts_sms_marketing": false', '"buyer_accepts_sms_marketing": true')
    .replace('"sms_marketing_phone": null', `"sms_marketing_phone": ${JSON.stringify(phone)}`);
}

export async function removeDir(dir) {
  await rm(dir, { recursive: true, force: true });
}
