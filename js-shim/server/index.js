// `rekindle/server`: the fetch-shape handler for Workers, Vercel Edge, Deno and Node, with
// the stores and transports that need nothing but the web platform. The engine comes from
// the package's own runtime entry ('rekindle' resolves per runtime: workerd, edge-light,
// deno, node), so this file is the same everywhere.
import * as rekindle from 'rekindle';
import { createHandler as createWithEngine } from './handler.js';

/** See index.d.ts (`ServerOptions`); `options` may be a function of the Worker's `env`. */
export function createHandler(options) {
  return createWithEngine(
    typeof options === 'function'
      ? async (env) => ({ rekindle, ...(await options(env)) })
      : { rekindle, ...options },
  );
}

export { RekindleConfigError } from './settings.js';
export { operatorConsole, hashPassword } from './console/index.js';
export { memoryStore } from './stores/memory.js';
export { twilioTransport } from './transports/twilio.js';
export { sendgridTransport } from './transports/sendgrid.js';
export { outboxTransport } from './transports/outbox.js';
export { postmarkTransport } from './transports/postmark.js';
export { klaviyoTransport } from './transports/klaviyo.js';
export { webhookTransport, verifyWebhookSignature } from './transports/webhook.js';
export { verifyShopify, verifyTwilio, verifyTwilioJson, verifySendgrid } from './signatures.js';
