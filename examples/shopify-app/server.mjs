// Rekindle as a Shopify app on Node: one process serves every shop that installs it. Offline
// tokens are kept (AES-GCM encrypted) in data/sessions.db, each shop's journeys in its own
// SQLite file data/shops/<shop>.db, and a ticker sends what is due for every installed shop.
// Configured by environment variables (README.md lists them).
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sendgridTransport, twilioTransport } from 'rekindle/server';
import { sqliteStore, toNodeListener } from 'rekindle/server/node';
import { createShopifyApp, sqliteSessionStorage } from 'rekindle/server/shopify';

const env = process.env;
const dataDir = env.DATA_DIR ?? 'data';
mkdirSync(join(dataDir, 'shops'), { recursive: true });
const log = (level, message, fields = {}) => console.log(JSON.stringify({ level, message, ...fields }));

const sessionStorage = sqliteSessionStorage(Database, join(dataDir, 'sessions.db'));
const app = createShopifyApp({
  apiKey: env.SHOPIFY_API_KEY,
  apiSecret: env.SHOPIFY_API_SECRET,
  appUrl: env.SHOPIFY_APP_URL,
  tokenKey: env.SHOPIFY_TOKEN_KEY,
  sessionStorage,
  secrets: { salt: env.REKINDLE_SALT, tick: env.REKINDLE_TICK_SECRET },
  development: env.REKINDLE_DEVELOPMENT === '1',
  log,
  // Each shop's own Rekindle: its own SQLite file. A merchant-specific provider account per
  // shop would be chosen here too; this example sends every shop's mail through one account.
  shop: async (shop) => ({
    store: await sqliteStore(join(dataDir, 'shops', `${shop}.db`)),
    policy: env.POLICY,
    transports: {
      email: sendgridTransport({ apiKey: env.SENDGRID_API_KEY, from: { email: env.EMAIL_FROM, name: env.EMAIL_FROM_NAME }, templates: JSON.parse(env.SENDGRID_TEMPLATES ?? '{}'), baseUrl: env.SENDGRID_API_URL }),
      sms: twilioTransport({ accountSid: env.TWILIO_ACCOUNT_SID, authToken: env.TWILIO_AUTH_TOKEN, messagingServiceSid: env.TWILIO_MESSAGING_SERVICE_SID, baseUrl: env.TWILIO_API_URL }),
    },
    secrets: { twilioAuthToken: env.TWILIO_AUTH_TOKEN },
    // The product variant a gift offer gives (README: gifts); without it no gift is offered.
    gift: env.GIFT_VARIANT_ID ? { variantId: env.GIFT_VARIANT_ID, collectionId: env.GIFT_COLLECTION_ID, minimumSubtotal: env.GIFT_MINIMUM ?? '250.00' } : undefined,
  }),
});

const server = createServer(toNodeListener(app, { log }));
server.listen(Number(env.PORT ?? 8080), env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address();
  log('info', 'listening', { url: `http://${address}:${port}` });
});

// Every installed shop's due sends, every TICK_MS (an uninstalled shop is skipped).
let ticking = null;
const timer = setInterval(() => {
  ticking ??= app.tick().catch((error) => log('error', 'tick failed', { error: String(error?.message ?? error) })).finally(() => { ticking = null; });
}, Number(env.TICK_MS ?? 15_000));

process.once('SIGTERM', async () => {
  clearInterval(timer);
  server.close();
  await ticking;
  await sessionStorage.close();
  process.exit(0);
});
