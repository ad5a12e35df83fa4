// main.mjs: Rekindle on Deno: Deno.serve answers, Deno.cron ticks.
import { createHandler } from 'npm:rekindle/server';
import { redisStore } from 'npm:rekindle/server/node'; // ioredis, through Deno's Node compatibility

const env = Deno.env.toObject();
const handler = createHandler({
  store: await redisStore(env.REDIS_URL),
  secrets: { salt: env.REKINDLE_SALT, shopify: env.SHOPIFY_SECRET },
  publicUrl: env.PUBLIC_URL,
  beacon: { allowedOrigins: [env.SHOP_ORIGIN] },
});

Deno.serve((request, info) => handler(request, {}, { clientAddress: info.remoteAddr.hostname })); // rate limits count this address
Deno.cron('rekindle tick', '* * * * *', async () => {
  await (await handler.runtime()).tick(); // due sends, then dispatch; GET /health reads the time
});
