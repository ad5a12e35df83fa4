// Rekindle as a Vercel Edge Function (Next.js App Router): Shopify's webhooks (and Twilio's and
// SendGrid's, once configured), the links in messages, and the tick Vercel Cron calls. The
// engine runs here, at the edge; the store is a Node.js function reached over HTTP (see
// lib/store-over-http.js for why), and so are the report and the hourly roll-up
// (app/api/rekindle-report: their wasm module is left out of this function).
import { createHandler, sendgridTransport, twilioTransport } from 'rekindle/server';
import { storeOverHttp } from '../../../../lib/store-over-http.js';

export const runtime = 'edge';

// A function, so that the environment is read on the first request, not when `next build` loads the file.
const handler = createHandler(() => ({
  store: storeOverHttp({ url: process.env.REKINDLE_STORE_URL, secret: process.env.REKINDLE_STORE_SECRET }),
  policy: process.env.REKINDLE_POLICY, // the playbook as JSON; unset: Rekindle's default playbook
  secrets: {
    salt: process.env.REKINDLE_SALT,
    shopify: process.env.SHOPIFY_API_SECRET,
    twilioAuthToken: process.env.TWILIO_AUTH_TOKEN,
    sendgridPublicKey: process.env.SENDGRID_WEBHOOK_PUBLIC_KEY,
    tick: process.env.CRON_SECRET, // Vercel Cron sends it as `Authorization: Bearer <CRON_SECRET>`
  },
  transports: {
    email: sendgridTransport({
      apiKey: process.env.SENDGRID_API_KEY,
      from: { email: process.env.EMAIL_FROM, name: process.env.EMAIL_FROM_NAME },
      templates: JSON.parse(process.env.SENDGRID_TEMPLATES),
      baseUrl: process.env.SENDGRID_API_URL, // unset in production: SendGrid's own
    }),
    sms: twilioTransport({
      accountSid: process.env.TWILIO_ACCOUNT_SID,
      authToken: process.env.TWILIO_AUTH_TOKEN,
      messagingServiceSid: process.env.TWILIO_MESSAGING_SERVICE_SID,
      baseUrl: process.env.TWILIO_API_URL, // unset in production: Twilio's own
    }),
  },
  publicUrl: process.env.PUBLIC_URL,
  // Storefront beacons off; to take them: { allowedOrigins: ['https://<your shop>'] } (examples/storefront-embed).
  beacon: false,
  // Vercel's function logs keep what the route prints; Rekindle logs ids and outcomes, no personal data.
  log: (level, message, fields) => console[level === 'error' ? 'error' : 'log'](`rekindle ${level}: ${message}`, JSON.stringify(fields)),
  basePath: '/api/rekindle', // this file's route: Rekindle's paths are under it
  rollUp: false, // the outcome log's hourly roll-up runs in app/api/rekindle-report
}));

// Vercel Cron calls its path with GET; Rekindle's tick is POST /tick, with the same bearer secret.
export function GET(request) {
  if (new URL(request.url).pathname === '/api/rekindle/tick') {
    return handler(new Request(request.url, { method: 'POST', headers: request.headers }));
  }
  return handler(request);
}

export function POST(request) {
  return handler(request);
}

export function OPTIONS(request) {
  return handler(request);
}
