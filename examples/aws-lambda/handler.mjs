// Rekindle on AWS Lambda: one function behind an API Gateway HTTP API (payload 2.0) for the
// webhooks, the storefront beacon and the message links, and the same function run every
// minute by an EventBridge schedule to send what is due (template.yaml wires both).
// Lambda keeps no disk between invocations, so the store is Redis (ElastiCache or any Redis
// the function can reach); the connection is opened once per execution environment.
import { createHandler, sendgridTransport, twilioTransport } from 'rekindle/server';
import { redisStore, toLambdaHandler } from 'rekindle/server/node';

const env = process.env;
const log = (level, message, fields) => console.log(JSON.stringify({ level, message, ...fields })); // ids only, never addresses

const store = await redisStore(env.REDIS_URL, { prefix: 'rekindle:' });
const rekindle = createHandler({
  store,
  policy: env.REKINDLE_POLICY ? JSON.parse(env.REKINDLE_POLICY) : undefined, // your playbook as JSON; the default one without it
  secrets: {
    salt: env.REKINDLE_SALT,
    shopify: env.SHOPIFY_WEBHOOK_SECRET,
    twilioAuthToken: env.TWILIO_AUTH_TOKEN,
    sendgridPublicKey: env.SENDGRID_WEBHOOK_PUBLIC_KEY,
    tick: env.REKINDLE_TICK_SECRET,
  },
  transports: {
    email: sendgridTransport({
      apiKey: env.SENDGRID_API_KEY,
      from: { email: env.MAIL_FROM, name: env.MAIL_FROM_NAME },
      templates: JSON.parse(env.SENDGRID_TEMPLATES ?? '{}'), // the engine's template keys → your dynamic template ids
      baseUrl: env.SENDGRID_BASE_URL, // unset in production
    }),
    sms: twilioTransport({
      accountSid: env.TWILIO_ACCOUNT_SID,
      authToken: env.TWILIO_AUTH_TOKEN,
      messagingServiceSid: env.TWILIO_MESSAGING_SERVICE_SID,
      baseUrl: env.TWILIO_BASE_URL, // unset in production
    }),
  },
  publicUrl: env.PUBLIC_URL, // the API's URL (or your custom domain): links and Twilio signatures use it
  // The storefront beacon (examples/storefront-embed), from these origins only; off without any.
  beacon: env.STOREFRONT_ORIGINS ? { allowedOrigins: env.STOREFRONT_ORIGINS.split(',') } : false,
  log,
});

// HTTP events (HTTP API payload 2.0; REST API and ALB payload 1.0) are answered in their own
// format; the schedule's event ({"source":"aws.events","detail-type":"Scheduled Event"}) runs
// one tick and returns its counts ({ due, sent, failed, retrying }).
export const handler = toLambdaHandler(rekindle);
