// Klaviyo Events API: POST /api/events with `Authorization: Klaviyo-API-Key <private key>`, a
// `revision` header and a JSON:API body. Rekindle does not render here: the event (metric
// name, profile, properties) triggers the merchant's own Klaviyo flow, which renders and sends.
// 202 Accepted with an empty body; errors are JSON:API `{errors: [{id, status, code, title, detail}]}`.
//
// `unique_id` is the engine's action id and Klaviyo drops an event whose unique_id it already
// has, so a repeat after a crash between Klaviyo's 202 and our ledger write is discarded by
// Klaviyo: for this transport the exactly-once window in js-shim/server/README.md is closed.

import { attempt } from './http.js';
import { ACTION_ARG, CONTACT_ARG } from '../ids.js';

export const KLAVIYO_REVISION = '2026-07-15';

export function klaviyoTransport({ apiKey, metric = 'Rekindle Cart Reminder', revision = KLAVIYO_REVISION, baseUrl = 'https://a.klaviyo.com', fetch: fetchImpl = globalThis.fetch, timeoutMs }) {
  if (!apiKey) throw new TypeError('klaviyoTransport: apiKey is required');
  const base = baseUrl.replace(/\/$/, '');
  const url = `${base}/api/events`;
  const headers = {
    authorization: `Klaviyo-API-Key ${apiKey}`,
    revision,
    accept: 'application/vnd.api+json',
    'content-type': 'application/vnd.api+json',
  };
  return {
    name: 'klaviyo',
    // Klaviyo drops an event whose unique_id (the action id) it already has.
    idempotent: true,
    /** `action`: a `send` on either channel; the profile is keyed by what the channel reaches. */
    async send(action, { contactId }) {
      const message = action.message;
      if (!message) return { ok: false, permanent: true, code: 'klaviyo:noMessage', detail: `${action.type} actions are not Klaviyo events` };
      const profile = action.channel === 'sms' ? { phone_number: action.to } : { email: action.to };
      const body = {
        data: {
          type: 'event',
          attributes: {
            properties: {
              ...message.data,
              template: message.template,
              angle: message.angle,
              variant: message.variant,
              channel: action.channel,
              ...(message.sms ? { sms_text: message.sms.text } : {}),
              [CONTACT_ARG]: contactId,
              [ACTION_ARG]: action.id,
            },
            metric: { data: { type: 'metric', attributes: { name: metric } } },
            profile: { data: { type: 'profile', attributes: profile } },
            unique_id: action.id,
          },
        },
      };
      const result = await attempt(fetchImpl, url, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
      }, { timeoutMs, provider: 'klaviyo' });
      if (!result.ok) return withKlaviyoCode(result);
      // Klaviyo answers with no id: the action id is the event's identity there (unique_id).
      return { ok: true, providerId: action.id };
    },
    /**
     * Erasure: ask Klaviyo to delete the profile each address identifies (one job per address:
     * the API takes exactly one of email, phone_number or id).
     *
     * Deletion, not suppression: the engine's erase is a data-subject erasure (Shopify's
     * customers/redact), and what Rekindle put in Klaviyo is personal data on that profile:
     * every Create Event carried the cart, the address and our ids, and Klaviyo has no call
     * that deletes single events. A suppression (profile-suppression-bulk-create-jobs) would
     * keep the profile and its events and add the address to yet another list: the opposite
     * of erasure. Klaviyo performs an API deletion as a GDPR deletion and keeps only the
     * record of it that the regulation requires. The cost, said plainly: the whole profile
     * goes, including what the merchant's other Klaviyo integrations gave it, which is what
     * the redact request asks of every app holding the customer's data.
     *
     * 202 is done; 429 and 5xx are transient (the runtime keeps the contact unerased and the
     * webhook is retried); any other 4xx is permanent, reported after the remaining addresses
     * were still tried. Nothing here logs; the outcome carries Klaviyo's error code only to
     * the runtime, which logs the code and the contact id, never the address.
     */
    async suppress(addresses, { channel } = {}) {
      let refused = null;
      for (const address of addresses) {
        const sms = channel ? channel === 'sms' : !address.includes('@');
        const result = await attempt(fetchImpl, `${base}/api/data-privacy-deletion-jobs`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            data: {
              type: 'data-privacy-deletion-job',
              attributes: { profile: { data: { type: 'profile', attributes: sms ? { phone_number: address } : { email: address } } } },
            },
          }),
        }, { timeoutMs, provider: 'klaviyo' });
        if (result.ok) continue;
        if (!result.permanent) return withKlaviyoCode(result);
        refused ??= withKlaviyoCode(result);
      }
      return refused ?? { ok: true };
    },
  };
}

/** Keep the first JSON:API error's code (`invalid`, `not_authenticated`, `throttled`, …). */
function withKlaviyoCode(result) {
  try {
    const [first] = JSON.parse(result.detail).errors;
    if (first?.code) return { ...result, code: `klaviyo:${first.code}`, detail: first.detail ?? result.detail };
  } catch {
    // not JSON (a proxy's error page): keep the HTTP status
  }
  return result;
}
