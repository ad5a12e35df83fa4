// server.mjs: Rekindle on Node, one process, the SQLite store, a timer for due sends.
import { createServer } from 'node:http';
import { createHandler, sendgridTransport } from 'rekindle/server';
import { sqliteStore, startTicker, toNodeListener } from 'rekindle/server/node';

const env = process.env;
const handler = createHandler({
  store: await sqliteStore('rekindle.db'),
  secrets: { salt: env.REKINDLE_SALT, shopify: env.SHOPIFY_SECRET, tick: env.TICK_SECRET },
  transports: {
    email: sendgridTransport({ apiKey: env.SENDGRID_KEY, from: { email: 'shop@example.com' }, templates: { 'cart.email.confirm': 'd-…' } }),
  },
  publicUrl: env.PUBLIC_URL,          // https://recover.example.com: every link in a message is built on it
  beacon: { allowedOrigins: ['https://shop.example'] },
});                                   // a loopback or http publicUrl throws here (development: true allows loopback)

createServer(toNodeListener(handler)).listen(Number(env.PORT ?? 8787));
startTicker(await handler.runtime()); // due sends every 15 s; GET /health says 503 if this stops
