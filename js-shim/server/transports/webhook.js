// A signed generic webhook: each send is POSTed as JSON to the merchant's own URL, for
// merchants whose sender is their own code. The request carries
//   Rekindle-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
//   Idempotency-Key: <action id>   (the same on every retry of one message: dedupe on it)
// A receiver verifies by recomputing the HMAC over the timestamp, a dot and the exact body
// bytes, comparing in constant time, and refusing a timestamp older than its tolerance (a
// replay). `verifyWebhookSignature` below does exactly that. Any 2xx is accepted; 429, 5xx
// and timeouts are retried; other 4xx are permanent.

import { attempt } from './http.js';
import { hmac } from '../signatures.js';

export const SIGNATURE_HEADER = 'Rekindle-Signature';

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

export function webhookTransport({ url, secret, now = Date.now, fetch: fetchImpl = globalThis.fetch, timeoutMs }) {
  if (!url) throw new TypeError('webhookTransport: url is required');
  if (!secret) throw new TypeError('webhookTransport: secret is required');
  return {
    name: 'webhook',
    // The receiver dedupes on Idempotency-Key: one retry after an unknown outcome is harmless.
    idempotent: true,
    async send(action, { contactId }) {
      const body = JSON.stringify({ type: `rekindle.${action.type}`, contactId, action });
      const t = Math.floor(now() / 1000);
      const result = await attempt(fetchImpl, url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: `t=${t},v1=${hex(await hmac(secret, `${t}.${body}`))}`,
          'idempotency-key': action.id,
        },
        body,
      }, { timeoutMs, provider: 'webhook' });
      if (!result.ok) return result;
      return { ok: true, providerId: result.headers.get('x-request-id') };
    },
  };
}

/**
 * For the receiving side: true if `header` signs `rawBody` with `secret` and its timestamp is
 * within `toleranceSec` of `now` (ms). Several `v1=` entries are allowed (a secret rotation).
 */
export async function verifyWebhookSignature(secret, header, rawBody, { toleranceSec = 300, now = Date.now() } = {}) {
  if (!secret || !header) return false;
  const parts = header.split(',').map((p) => p.trim().split('='));
  const t = parts.find(([k]) => k === 't')?.[1];
  if (!/^\d+$/.test(t ?? '') || Math.abs(now / 1000 - Number(t)) > toleranceSec) return false;
  const body = typeof rawBody === 'string' ? rawBody : new TextDecoder().decode(rawBody);
  const expected = hex(await hmac(secret, `${t}.${body}`));
  let match = false;
  for (const [k, v] of parts) {
    if (k !== 'v1' || v?.length !== expected.length) continue;
    let diff = 0;
    for (let i = 0; i < expected.length; i += 1) diff |= expected.charCodeAt(i) ^ v.charCodeAt(i);
    match ||= diff === 0;
  }
  return match;
}
