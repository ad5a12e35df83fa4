// The local outbox for development and demos: instead of calling a provider, each dispatched
// message is kept, in the shape a reviewer wants to read it: an email with the subject and
// HTML the engine rendered from its template pack (or the caller's `render`, for an email
// whose content the audit withheld), an SMS with its text and segment count as the engine
// counted them. Kept in memory: an outbox is for
// looking at, and the store's ledger already makes every dispatch durable and exactly once.

/**
 * @param {object} [o]
 * @param {(message: object) => string} [o.render] email HTML when the engine rendered none
 * @param {() => number} [o.now] when a message counts as sent (the demo's clock)
 */
export function outboxTransport({ render = () => '', now = Date.now } = {}) {
  const messages = [];
  return {
    name: 'outbox',
    async send(action, { contactId }) {
      const entry = { id: action.id, contactId, to: action.to, at: now() };
      if (action.type === 'reply') {
        Object.assign(entry, { channel: 'sms', kind: 'reply', text: action.body, segments: action.segments });
      } else if (action.channel === 'sms') {
        const { sms, template, angle, variant } = action.message;
        Object.assign(entry, { channel: 'sms', kind: 'send', journeyId: action.journeyId, template, angle, variant, text: sms.text, encoding: sms.encoding, segments: sms.count });
      } else {
        const { template, angle, variant, data, headers, email, copy } = action.message;
        Object.assign(entry, {
          channel: 'email', kind: 'send', journeyId: action.journeyId, template, angle, variant, copy, data, headers,
          subject: email?.subject ?? null, text: email?.text ?? null, html: email?.html ?? render(action.message),
        });
      }
      messages.push(entry);
      return { ok: true, providerId: `outbox-${messages.length}` };
    },
    /** Every message so far, oldest first. */
    list: () => messages.slice(),
  };
}
