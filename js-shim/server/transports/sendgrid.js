// SendGrid v3 Mail Send: POST /v3/mail/send with a Bearer API key. By default it sends
// Rekindle's rendered email (subject, text/plain then text/html, as SendGrid requires that
// order); a merchant who maps the step's template to a dynamic template id gets that instead,
// with the engine's personalisation as dynamic_template_data. Rekindle's ids go in as
// custom_args (SendGrid echoes them on every event-webhook event); the RFC 8058 one-click
// unsubscribe headers go in as headers. 202 Accepted carries the id in X-Message-Id.

import { attempt } from './http.js';
import { ACTION_ARG, CONTACT_ARG } from '../ids.js';

export function sendgridTransport({ apiKey, from, templates, baseUrl = 'https://api.sendgrid.com', fetch: fetchImpl = globalThis.fetch, timeoutMs }) {
  if (!apiKey) throw new TypeError('sendgridTransport: apiKey is required');
  if (!from?.email) throw new TypeError('sendgridTransport: from.email is required');
  const url = `${baseUrl.replace(/\/$/, '')}/v3/mail/send`;
  return {
    name: 'sendgrid',
    async send(action, { contactId }) {
      const message = action.message;
      const templateId = templates?.[message.template];
      const rendered = message.email;
      if (!templateId && !rendered) {
        // The content audit withheld Rekindle's email (the explanation says why) and no template is mapped.
        return { ok: false, permanent: true, code: 'sendgrid:noContent', detail: `no rendered email and no SendGrid template for ${message.template}` };
      }
      const content = templateId
        ? { template_id: templateId }
        : { subject: rendered.subject, content: [{ type: 'text/plain', value: rendered.text }, { type: 'text/html', value: rendered.html }] };
      const body = {
        personalizations: [{
          to: [{ email: action.to }],
          ...(templateId ? { dynamic_template_data: { ...message.data, angle: message.angle, variant: message.variant } } : {}),
        }],
        from,
        ...content,
        custom_args: { [CONTACT_ARG]: contactId, [ACTION_ARG]: action.id },
        ...(message.headers ? { headers: message.headers } : {}),
      };
      const result = await attempt(fetchImpl, url, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }, { timeoutMs, provider: 'sendgrid' });
      if (!result.ok) return result;
      return { ok: true, providerId: result.headers.get('x-message-id') };
    },
    /** Erasure: a global suppression keeps every later SendGrid send from reaching the address. */
    async suppress(addresses) {
      const result = await attempt(fetchImpl, `${baseUrl.replace(/\/$/, '')}/v3/asm/suppressions/global`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ recipient_emails: addresses }),
      }, { timeoutMs, provider: 'sendgrid' });
      return result.ok ? { ok: true } : result;
    },
  };
}
