// Postmark: POST /email with Rekindle's rendered Subject, HtmlBody and TextBody by default, or
// POST /email/withTemplate when the merchant maps the step's template to theirs (by alias, a
// string, or id, a number; the engine's personalisation is the TemplateModel). The server
// token goes in X-Postmark-Server-Token; Rekindle's ids go in Metadata (Postmark echoes it on every webhook,
// src/ingest/postmark.rs); the RFC 8058 one-click unsubscribe pair goes in Headers.
// 200 carries the MessageID; errors are {ErrorCode, Message}, 422 for a request Postmark
// refuses (permanent), 429 and 5xx transient. Postmark takes no idempotency key: see the
// dispatch window in js-shim/server/README.md.

import { attempt } from './http.js';
import { ACTION_ARG, CONTACT_ARG } from '../ids.js';

export function postmarkTransport({ serverToken, from, templates, messageStream = 'outbound', baseUrl = 'https://api.postmarkapp.com', fetch: fetchImpl = globalThis.fetch, timeoutMs }) {
  if (!serverToken) throw new TypeError('postmarkTransport: serverToken is required');
  if (!from) throw new TypeError('postmarkTransport: from is required');
  const base = baseUrl.replace(/\/$/, '');
  const headers = { accept: 'application/json', 'content-type': 'application/json', 'x-postmark-server-token': serverToken };
  const post = (path, body) =>
    attempt(fetchImpl, `${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) }, { timeoutMs, provider: 'postmark' });
  return {
    name: 'postmark',
    async send(action, { contactId }) {
      const message = action.message;
      const template = templates?.[message.template];
      const rendered = message.email;
      if (template === undefined && !rendered) {
        // The content audit withheld Rekindle's email (the explanation says why) and no template is mapped.
        return { ok: false, permanent: true, code: 'postmark:noContent', detail: `no rendered email and no Postmark template for ${message.template}` };
      }
      const content = template === undefined
        ? { Subject: rendered.subject, HtmlBody: rendered.html, TextBody: rendered.text }
        : {
            ...(typeof template === 'number' ? { TemplateId: template } : { TemplateAlias: template }),
            TemplateModel: { ...message.data, angle: message.angle, variant: message.variant },
          };
      const result = await post(template === undefined ? '/email' : '/email/withTemplate', {
        From: from,
        To: action.to,
        ...content,
        MessageStream: messageStream,
        // Opens come back as Open webhooks; clicks are recorded by Rekindle's own signed
        // recovery link, so Postmark must not rewrite it (and count each click twice).
        TrackOpens: true,
        TrackLinks: 'None',
        Metadata: { [CONTACT_ARG]: contactId, [ACTION_ARG]: action.id },
        ...(message.headers ? { Headers: Object.entries(message.headers).map(([Name, Value]) => ({ Name, Value })) } : {}),
      });
      if (!result.ok) return withPostmarkCode(result);
      // A 2xx is a send, whatever its body: the id is then unknown, and the mail must not go again.
      let providerId = null;
      try {
        providerId = JSON.parse(result.body)?.MessageID ?? null;
      } catch {
        // not JSON (a proxy's page): sent, id unknown
      }
      return { ok: true, providerId };
    },
    /**
     * After an unknown outcome: Postmark's outbound message search filters by metadata
     * (`metadata_<key>=<value>`), and the action id is in the mail's Metadata. `{found, providerId}`.
     */
    async reconcile(action) {
      const query = new URLSearchParams({ count: '1', offset: '0', [`metadata_${ACTION_ARG}`]: action.id });
      const result = await attempt(fetchImpl, `${base}/messages/outbound?${query}`, {
        method: 'GET',
        headers: { accept: 'application/json', 'x-postmark-server-token': serverToken },
      }, { timeoutMs, provider: 'postmark' });
      if (!result.ok) return withPostmarkCode(result);
      let found;
      try {
        found = JSON.parse(result.body).Messages?.[0];
      } catch {
        return { ok: false, permanent: false, code: 'postmark:lookupUnreadable' };
      }
      return { ok: true, found: Boolean(found), providerId: found?.MessageID ?? null };
    },
    /** Erasure: the stream's suppression list keeps Postmark from ever mailing the address again. */
    async suppress(addresses) {
      const result = await post(`/message-streams/${encodeURIComponent(messageStream)}/suppressions`, {
        Suppressions: addresses.map((EmailAddress) => ({ EmailAddress })),
      });
      if (!result.ok) return withPostmarkCode(result);
      const failed = JSON.parse(result.body).Suppressions.filter((s) => s.Status === 'Failed');
      if (failed.length) return { ok: false, permanent: true, code: 'postmark:suppressionFailed', detail: failed.map((s) => s.Message).join('; ') };
      return { ok: true };
    },
  };
}

/** Keep Postmark's own ErrorCode (406: inactive recipient, 1101: template not found, …). */
function withPostmarkCode(result) {
  try {
    const { ErrorCode, Message } = JSON.parse(result.detail);
    if (ErrorCode !== undefined) return { ...result, code: `postmark:${ErrorCode}`, detail: Message ?? result.detail };
  } catch {
    // not JSON (a proxy's error page): keep the HTTP status
  }
  return result;
}
