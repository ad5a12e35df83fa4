// `rekindle/server/shopify`: a Shopify app around Rekindle (install and auth, webhook
// subscriptions, one Rekindle per shop), on @shopify/shopify-api, an optional peer dependency.
// The engine comes from the package's own runtime entry, as in `rekindle/server`.
import * as rekindle from 'rekindle';
import { createShopifyApp as createWithEngine } from './app.js';

/** See pkg/server-shopify.d.ts; `options` may be a function of the Worker's `env`. */
export function createShopifyApp(options) {
  return createWithEngine(typeof options === 'function' ? async (env) => ({ rekindle, ...(await options(env)) }) : { rekindle, ...options });
}

export { encryptedSessions, sqliteSessionStorage, tokenKey } from './sessions.js';
export { COMPLIANCE_TOPICS, SUBSCRIBED_TOPICS, registerWebhooks } from './topics.js';
export { shopBasePath } from './tenancy.js';
