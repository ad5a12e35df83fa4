// Rekindle on Deno: `Deno.serve` receives Shopify's webhooks (and Twilio's and SendGrid's, once
// configured) and the links in messages; `Deno.cron` ticks every minute, sending what is due.
// The store is Redis: Deno runs the package's Node entry and ioredis through its npm support.
import { createHandler, sendgridTransport, twilioTransport } from 'rekindle/server';
import { redisStore } from 'rekindle/server/node';

function env(name: string): string {
  const value = Deno.env.get(name);
  if (value === undefined) throw new Error(`set the environment variable ${name} (see README.md)`);
  return value;
}
const optional = (name: string) => Deno.env.get(name);

const handler = createHandler({
  store: await redisStore(env('REDIS_URL')),
  policy: optional('REKINDLE_POLICY'), // the playbook as JSON; unset: Rekindle's default playbook
  secrets: {
    salt: env('REKINDLE_SALT'),
    shopify: env('SHOPIFY_API_SECRET'),
    twilioAuthToken: env('TWILIO_AUTH_TOKEN'),
    sendgridPublicKey: optional('SENDGRID_WEBHOOK_PUBLIC_KEY'),
    tick: optional('REKINDLE_TICK_SECRET'),
  },
  transports: {
    email: sendgridTransport({
      apiKey: env('SENDGRID_API_KEY'),
      from: { email: env('EMAIL_FROM'), name: optional('EMAIL_FROM_NAME') },
      templates: JSON.parse(env('SENDGRID_TEMPLATES')),
      baseUrl: optional('SENDGRID_API_URL'), // unset in production: SendGrid's own
    }),
    sms: twilioTransport({
      accountSid: env('TWILIO_ACCOUNT_SID'),
      authToken: env('TWILIO_AUTH_TOKEN'),
      messagingServiceSid: env('TWILIO_MESSAGING_SERVICE_SID'),
      baseUrl: optional('TWILIO_API_URL'), // unset in production: Twilio's own
    }),
  },
  publicUrl: env('PUBLIC_URL'),
  // Storefront beacons off; to take them: { allowedOrigins: ['https://<your shop>'] } (examples/storefront-embed).
  beacon: false,
  // Rekindle logs ids and outcomes, no personal data.
  log: (level: string, message: string, fields: unknown) => console[level === 'error' ? 'error' : 'log'](`rekindle ${level}: ${message}`, JSON.stringify(fields)),
});

// Every minute (cron's finest grain): feed due sends to the engine, then dispatch. Two instances
// ticking at once are safe: each send is claimed with a lease, and commits compare-and-set.
const runtime = await handler.runtime();
Deno.cron('rekindle tick', '* * * * *', async () => {
  const { due, sent, failed, retrying } = await runtime.tick();
  if (due || sent || failed || retrying) console.log(`tick: due ${due}, sent ${sent}, failed ${failed}, retrying ${retrying}`);
});

Deno.serve({ hostname: optional('HOST') ?? '0.0.0.0', port: Number(optional('PORT') ?? 8000) }, (request, info) => handler(request, {}, { clientAddress: info.remoteAddr.hostname }));
