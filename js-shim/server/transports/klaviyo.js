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
  const url = `${baseUrl.replace(/\/$/, '')}/api/events`;
  return {
    name: 'klaviyo',
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
        headers: {
          authorization: `Klaviyo-API-Key ${apiKey}`,
          revision,
          accept: 'application/vnd.api+json',
          'content-type': 'application/vnd.api+json',
        },
        body: JSON.stringify(body),
      }, { timeoutMs, provider: 'klaviyo' });
      if (!result.ok) return withKlaviyoCode(result);
      // Klaviyo answers with no id: the action id is the event's identity there (unique_id).
      return { ok: true, providerId: action.id };
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
