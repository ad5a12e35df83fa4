// Rekindle as a Shopify app on Cloudflare Workers: offline tokens (encrypted) in Workers KV
// through Shopify's own KV session storage, each shop's contacts in Durable Objects whose names
// start with `<shop>/`, each contact's alarm its scheduler (no cron). A contact object learns
// its shop from the prefix it was stored under, and runs that shop's Rekindle.
import { KVSessionStorage } from '@shopify/shopify-app-session-storage-kv';
import { contactObject, durableObjectStore, sendgridTransport, twilioTransport } from 'rekindle/server/cloudflare';
import { createShopifyApp } from 'rekindle/server/shopify';

/** The app's options from the Worker's env: [vars] in wrangler.toml, secrets by `wrangler secret put`. */
export const appOptions = (env) => ({
  apiKey: env.SHOPIFY_API_KEY,
  apiSecret: env.SHOPIFY_API_SECRET,
  appUrl: env.SHOPIFY_APP_URL,
  tokenKey: env.SHOPIFY_TOKEN_KEY,
  sessionStorage: new KVSessionStorage(env.SESSIONS),
  secrets: { salt: env.REKINDLE_SALT, tick: env.REKINDLE_TICK_SECRET },
  shop: (shop) => ({
    store: durableObjectStore(env.REKINDLE, { prefix: `${shop}/` }),
    policy: env.POLICY,
    transports: {
      email: sendgridTransport({ apiKey: env.SENDGRID_API_KEY, from: { email: env.EMAIL_FROM, name: env.EMAIL_FROM_NAME }, templates: JSON.parse(env.SENDGRID_TEMPLATES ?? '{}'), baseUrl: env.SENDGRID_API_URL }),
      sms: twilioTransport({ accountSid: env.TWILIO_ACCOUNT_SID, authToken: env.TWILIO_AUTH_TOKEN, messagingServiceSid: env.TWILIO_MESSAGING_SERVICE_SID, baseUrl: env.TWILIO_API_URL }),
    },
    secrets: { twilioAuthToken: env.TWILIO_AUTH_TOKEN },
    gift: env.GIFT_VARIANT_ID ? { variantId: env.GIFT_VARIANT_ID, collectionId: env.GIFT_COLLECTION_ID, minimumSubtotal: env.GIFT_MINIMUM ?? '250.00' } : undefined,
  }),
  // Workers Logs keep what the Worker prints; Rekindle logs ids and outcomes, no personal data.
  log: (level, message, fields) => console[level === 'error' ? 'error' : 'log'](`rekindle ${level}: ${message}`, JSON.stringify(fields)),
});

/** The Worker's handler and the Durable Object class, on the same options. */
export function shopifyWorker(options = appOptions) {
  const app = createShopifyApp(options);
  const RekindleContact = contactObject((env, { prefix }) => app.shopOptions(prefix.replace(/\/$/, ''), env));
  return { app, RekindleContact };
}

const worker = shopifyWorker();
// The class named by class_name in wrangler.toml.
export const RekindleContact = worker.RekindleContact;
export default { fetch: worker.app };
