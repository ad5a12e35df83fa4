// Rekindle on Cloudflare Workers: one Durable Object per shopper holds their journey, and its
// alarm sends each message when it is due, so no cron trigger is needed. The Worker receives
// Shopify's webhooks (and Twilio's and SendGrid's, once configured) and the links in messages.
import { contactObject, createHandler, durableObjectStore, sendgridTransport, twilioTransport } from 'rekindle/server/cloudflare';

// Secrets come from `wrangler secret put`, the rest from [vars] in wrangler.toml.
const options = (env) => ({
  store: durableObjectStore(env.REKINDLE),
  policy: env.POLICY, // the playbook as JSON; unset: Rekindle's default playbook
  secrets: {
    salt: env.REKINDLE_SALT,
    shopify: env.SHOPIFY_API_SECRET,
    twilioAuthToken: env.TWILIO_AUTH_TOKEN,
    sendgridPublicKey: env.SENDGRID_WEBHOOK_PUBLIC_KEY,
  },
  transports: {
    email: sendgridTransport({
      apiKey: env.SENDGRID_API_KEY,
      from: { email: env.EMAIL_FROM, name: env.EMAIL_FROM_NAME },
      templates: JSON.parse(env.SENDGRID_TEMPLATES),
      baseUrl: env.SENDGRID_API_URL, // unset in production: SendGrid's own
    }),
    sms: twilioTransport({
      accountSid: env.TWILIO_ACCOUNT_SID,
      authToken: env.TWILIO_AUTH_TOKEN,
      messagingServiceSid: env.TWILIO_MESSAGING_SERVICE_SID,
      baseUrl: env.TWILIO_API_URL, // unset in production: Twilio's own
    }),
  },
  publicUrl: env.PUBLIC_URL,
  // Storefront beacons off; to take them: { allowedOrigins: ['https://<your shop>'] } (examples/storefront-embed).
  beacon: false,
  // Workers Logs keep what the Worker prints; Rekindle logs ids and outcomes, no personal data.
  log: (level, message, fields) => console[level === 'error' ? 'error' : 'log'](`rekindle ${level}: ${message}`, JSON.stringify(fields)),
});

// The class named by class_name in wrangler.toml; its alarm runs the sends.
export const RekindleContact = contactObject(options);

export default { fetch: createHandler(options) };
