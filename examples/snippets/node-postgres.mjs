// server.mjs: Rekindle on Node with PostgreSQL, when one machine is outgrown: run as many of
// these processes as you like against one database; each ticks, and due sends are leased.
import { createServer } from 'node:http';
import { createHandler } from 'rekindle/server';
import { postgresStore, startTicker, toNodeListener } from 'rekindle/server/node';

const env = process.env;
const handler = createHandler({
  store: await postgresStore(env.DATABASE_URL, { schema: 'rekindle', max: 10 }), // tables made on first use
  secrets: { salt: env.REKINDLE_SALT, shopify: env.SHOPIFY_SECRET, tick: env.TICK_SECRET },
  publicUrl: env.PUBLIC_URL,
  beacon: false,                      // webhooks only; allow your storefront's origins to take beacons
});

createServer(toNodeListener(handler)).listen(Number(env.PORT ?? 8787));
startTicker(await handler.runtime());
