// Twilio Programmable Messaging: POST /2010-04-01/Accounts/{AccountSid}/Messages.json,
// form-encoded, HTTP basic auth (Account SID : Auth Token), sent through a Messaging
// Service, with a StatusCallback that carries Rekindle's contact and action ids back.
// Twilio's create-message call takes no idempotency key: see the dispatch window in
// js-shim/server/README.md.

import { attempt, basicAuth } from './http.js';

export function twilioTransport({ accountSid, authToken, messagingServiceSid, baseUrl = 'https://api.twilio.com', fetch: fetchImpl = globalThis.fetch, timeoutMs }) {
  for (const [name, value] of Object.entries({ accountSid, authToken, messagingServiceSid })) {
    if (!value) throw new TypeError(`twilioTransport: ${name} is required`);
  }
  const url = `${baseUrl.replace(/\/$/, '')}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`;
  return {
    name: 'twilio',
    /** `action`: a `send` on the sms channel or a `reply`. */
    async send(action, { statusCallback }) {
      const text = action.type === 'reply' ? action.body : action.message?.sms?.text;
      if (!text) return { ok: false, permanent: true, code: 'twilio:noBody', detail: 'the action carries no SMS text' };
      const form = new URLSearchParams({ To: action.to, MessagingServiceSid: messagingServiceSid, Body: text });
      if (statusCallback) form.set('StatusCallback', statusCallback);
      const result = await attempt(fetchImpl, url, {
        method: 'POST',
        headers: { authorization: basicAuth(accountSid, authToken), 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      }, { timeoutMs, provider: 'twilio' });
      if (!result.ok) return withTwilioCode(result);
      // A 2xx is a send, whatever its body (a proxy's page, a truncated answer): the id is
      // then unknown, and the message must not go again.
      return { ok: true, providerId: jsonField(result.body, 'sid') };
    },
    /**
     * After an unknown outcome: Twilio's message list, filtered by recipient and by date sent
     * (a GMT date, `DateSent>=YYYY-MM-DD`), holds the message if Twilio created it. The
     * body, which carries the action's signed link, tells it from other messages to the same
     * number. `{found, providerId}`, or a failed lookup.
     */
    async reconcile(action, { since }) {
      const text = action.type === 'reply' ? action.body : action.message?.sms?.text;
      const query = new URLSearchParams({ To: action.to, 'DateSent>': new Date(since).toISOString().slice(0, 10), PageSize: '100' });
      // Twilio documents the filter as `DateSent>=YYYY-MM-DD`: the key `DateSent>`, its `=` and the date.
      const result = await attempt(fetchImpl, `${url}?${query}`, {
        method: 'GET',
        headers: { authorization: basicAuth(accountSid, authToken), accept: 'application/json' },
      }, { timeoutMs, provider: 'twilio' });
      if (!result.ok) return withTwilioCode(result);
      let messages;
      try {
        messages = JSON.parse(result.body).messages;
      } catch {
        return { ok: false, permanent: false, code: 'twilio:lookupUnreadable' };
      }
      if (!Array.isArray(messages)) return { ok: false, permanent: false, code: 'twilio:lookupUnreadable' };
      const match = messages.find((m) => m.to === action.to && m.body === text && m.direction === 'outbound-api');
      return { ok: true, found: Boolean(match), providerId: match?.sid ?? null };
    },
  };
}

function jsonField(body, field) {
  try {
    return JSON.parse(body)?.[field] ?? null;
  } catch {
    return null;
  }
}

/** Twilio errors are `{code, message, more_info, status}`: keep Twilio's own code. */
function withTwilioCode(result) {
  try {
    const { code, message } = JSON.parse(result.detail);
    if (code) return { ...result, code: `twilio:${code}`, detail: message ?? result.detail };
  } catch {
    // not JSON (a proxy's error page): keep the HTTP status
  }
  return result;
}
