// index.mjs: one Lambda for the HTTP routes (function URL, API Gateway or ALB) and the schedule.
import { createHandler } from 'rekindle/server';
import { redisStore, toLambdaHandler } from 'rekindle/server/node';

const env = process.env;
export const handler = toLambdaHandler(createHandler({
  store: await redisStore(env.REDIS_URL),
  secrets: { salt: env.REKINDLE_SALT, shopify: env.SHOPIFY_SECRET },
  publicUrl: env.PUBLIC_URL, // the function URL's or API's custom domain, https
  beacon: { allowedOrigins: [env.SHOP_ORIGIN] },
}));
// An EventBridge rule `rate(1 minute)` targeting this function ticks it: a "Scheduled Event"
// runs the due sends and returns { due, sent, failed, retrying }.
