// The webhook topics the app subscribes to, under Shopify's exact names. Rekindle's ingest
// (src/ingest/shopify.rs, TOPICS) reads all of these but `app/uninstalled`, which the app
// itself handles (tokens deleted, sends stopped). The compliance topics cannot be subscribed
// through the Admin API: they are declared in shopify.app.toml (or the Partner Dashboard);
// tests/shopify/topics.test.mjs holds this list, the toml and the ingest to the same set.

import { adminFromLibraryClient } from './admin.js';

/** Topics registered per shop through webhookSubscriptionCreate (deployments without the CLI). */
export const SUBSCRIBED_TOPICS = Object.freeze([
  'app/uninstalled',
  'checkouts/create',
  'checkouts/update',
  'orders/create',
  'orders/paid',
  'orders/cancelled',
  'orders/edited',
  'refunds/create',
  'customers_marketing_consent/update',
  'customers_email_marketing_consent/update',
]);

/** Shopify's mandatory compliance topics (the app's manifest declares them). */
export const COMPLIANCE_TOPICS = Object.freeze(['customers/data_request', 'customers/redact', 'shop/redact']);

/** `checkouts/create` → `CHECKOUTS_CREATE`, the Admin API's WebhookSubscriptionTopic enum. */
export const topicEnum = (topic) => topic.toUpperCase().replace(/\//g, '_');

const CREATE = `mutation webhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
    webhookSubscription { id topic uri }
    userErrors { field message }
  }
}`;

/**
 * Subscribe `session`'s shop to every topic at `uri` (HTTPS, JSON). A subscription that
 * already exists (a reinstall, a retried install) comes back as a user error on the address,
 * which is what we wanted: counted as existing, not a failure. Any other user error throws.
 * Ten mutations in a row can meet the shop's cost limit (a busy app shares the bucket): a
 * THROTTLED or 429 answer waits as long as Shopify says and is sent again, as every Admin call
 * of the app does (admin.js, `throttled`; `options`: its `sleep`, `maxAttempts`, `maxWaitMs`).
 * @returns {Promise<{ created: string[], existing: string[] }>}
 */
export async function registerWebhooks(shopify, session, uri, topics = SUBSCRIBED_TOPICS, options = {}) {
  const client = adminFromLibraryClient(new shopify.clients.Graphql({ session }), options);
  const created = [];
  const existing = [];
  for (const topic of topics) {
    const data = await client.request(CREATE, { topic: topicEnum(topic), webhookSubscription: { uri, format: 'JSON' } });
    const errors = data?.webhookSubscriptionCreate?.userErrors ?? [];
    if (errors.length === 0) created.push(topic);
    else if (errors.every((e) => /already been taken/i.test(e.message))) existing.push(topic);
    else throw Object.assign(new Error(`webhookSubscriptionCreate ${topic}: ${errors.map((e) => e.message).join('; ')}`), { code: 'WEBHOOK_REGISTRATION_FAILED' });
  }
  return { created, existing };
}
