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
      return { ok: true, providerId: JSON.parse(result.body).sid };
    },
  };
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
