// Rekindle inside a merchant's Express app: the webhooks, the storefront beacon and the
// message links served by `toExpressMiddleware`, state in a SQLite file, and a ticker that
// sends what is due, so nobody has to call POST /tick. One process; for several, share a
// store they can all reach (Redis or Postgres) and let each tick: leases keep sends single.
//
//   node server.mjs        (configuration from the environment, see README.md)
import express from 'express';
import { readFile } from 'node:fs/promises';
import { createHandler, sendgridTransport, twilioTransport } from 'rekindle/server';
import { sqliteStore, startTicker, toExpressMiddleware } from 'rekindle/server/node';

const env = process.env;
const log = (level, message, fields) => console.log(JSON.stringify({ level, message, ...fields })); // ids only, never addresses

const store = await sqliteStore(env.REKINDLE_DB ?? 'rekindle.db');
const handler = createHandler({
  store,
  // Your playbook as JSON (see the package's default policy); the default one without it.
  policy: env.REKINDLE_POLICY_FILE ? JSON.parse(await readFile(env.REKINDLE_POLICY_FILE, 'utf8')) : undefined,
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
  publicUrl: env.PUBLIC_URL, // where this app is reached from outside (https): links and Twilio signatures use it
  basePath: env.REKINDLE_BASE_PATH, // e.g. /rekindle: Rekindle's routes under it, every other path the app's own
  development: env.REKINDLE_DEVELOPMENT === 'true', // only on your machine: allows an http://127.0.0.1 PUBLIC_URL
  // The storefront beacon (examples/storefront-embed), from these origins only; off without any.
  beacon: env.STOREFRONT_ORIGINS ? { allowedOrigins: env.STOREFRONT_ORIGINS.split(',') } : false,
  log,
});

const app = express();
app.use(toExpressMiddleware(handler)); // at the root, before any body parser: signatures need the raw bytes
app.use(express.json()); // your own routes' parsers come after Rekindle
app.get('/', (req, res) => res.type('text').send('merchant app'));

const stopTicker = startTicker(await handler.runtime(), { everyMs: Number(env.REKINDLE_TICK_MS ?? 15_000), log });
const server = app.listen(Number(env.PORT ?? 3000), env.HOST ?? '0.0.0.0', () => {
  const { address, port } = server.address();
  log('info', 'listening', { url: `http://${address}:${port}` });
});

// Graceful shutdown (SIGTERM from systemd, Docker, Kubernetes; Ctrl-C): no new tick starts and
// the one in flight finishes (its sends recorded), requests in flight finish, then the SQLite
// file is closed cleanly.
async function shutdown(signal) {
  log('info', 'shutting down', { signal });
  await stopTicker();
  await new Promise((resolve) => server.close(resolve));
  await store.close();
  log('info', 'stopped', {});
}
process.once('SIGTERM', () => shutdown('SIGTERM'));
process.once('SIGINT', () => shutdown('SIGINT'));
