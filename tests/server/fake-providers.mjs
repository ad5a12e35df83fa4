// Local stand-ins for the merchant's providers, on 127.0.0.1, speaking each one's documented
// wire format: paths, auth, body encoding, status codes and error shapes. They record what
// Rekindle sent so tests can assert on it, and can be told to fail the next requests.
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';

function listen(handle) {
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks).toString('utf8');
    await handle(req, body, res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const send = (res, status, body, headers = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
};

/** Queue of forced failures: { status, body?, headers?, delayMs? } served before real handling. */
function failures() {
  const queue = [];
  return {
    queue,
    async serve(res) {
      const f = queue.shift();
      if (!f) return false;
      if (f.delayMs) await new Promise((r) => setTimeout(r, f.delayMs));
      send(res, f.status, f.body, f.headers);
      return true;
    },
  };
}

/**
 * Twilio Messaging: POST /2010-04-01/Accounts/{AccountSid}/Messages.json, basic auth,
 * form-encoded; 201 with the Message resource; errors as {code, message, more_info, status}.
 */
export async function fakeTwilio({ accountSid, authToken }) {
  const messages = [];
  const fail = failures();
  const twilioError = (res, status, code, message) =>
    send(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
  const server = await listen(async (req, body, res) => {
    if (await fail.serve(res)) return;
    const path = `/2010-04-01/Accounts/${accountSid}/Messages.json`;
    if (req.method !== 'POST' || req.url !== path) return twilioError(res, 404, 20404, 'The requested resource was not found');
    const expected = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
    if (req.headers.authorization !== expected) return twilioError(res, 401, 20003, 'Authenticate');
    if (!req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) {
      return twilioError(res, 400, 21201, 'No body param: the request must be form-encoded');
    }
    const form = Object.fromEntries(new URLSearchParams(body));
    if (!form.To) return twilioError(res, 400, 21604, "A 'To' phone number is required.");
    if (!/^\+[1-9]\d{6,14}$/.test(form.To)) return twilioError(res, 400, 21211, `The 'To' number ${form.To} is not a valid phone number.`);
    if (!form.From && !form.MessagingServiceSid) return twilioError(res, 400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required");
    if (!form.Body) return twilioError(res, 400, 21602, 'Message body is required.');
    const sid = `SM${randomBytes(16).toString('hex')}`;
    messages.push({ sid, form });
    send(res, 201, {
      sid, account_sid: accountSid, to: form.To, from: null, messaging_service_sid: form.MessagingServiceSid ?? null,
      body: form.Body, status: form.MessagingServiceSid ? 'accepted' : 'queued', num_segments: '1', direction: 'outbound-api',
      api_version: '2010-04-01', error_code: null, error_message: null, uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
    });
  });
  return { url: `http://127.0.0.1:${server.address().port}`, messages, failNext: (...f) => fail.queue.push(...f), close: () => closeServer(server) };
}

/**
 * SendGrid v3 Mail Send: POST /v3/mail/send, Bearer API key, JSON; 202 with an empty body and
 * X-Message-Id; errors as {errors: [{message, field, help}]}.
 */
export async function fakeSendgrid({ apiKey }) {
  const mails = [];
  const fail = failures();
  const errors = (res, status, list) => send(res, status, { errors: list.map(([field, message]) => ({ message, field, help: null })) });
  const server = await listen(async (req, body, res) => {
    if (await fail.serve(res)) return;
    if (req.method !== 'POST' || req.url !== '/v3/mail/send') return errors(res, 404, [[null, 'Not found']]);
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      return errors(res, 401, [[null, 'The provided authorization grant is invalid, expired, or revoked']]);
    }
    let mail;
    try {
      mail = JSON.parse(body);
    } catch {
      return errors(res, 400, [[null, 'Bad Request']]);
    }
    const problems = [];
    if (!Array.isArray(mail.personalizations) || mail.personalizations.length === 0) problems.push(['personalizations', 'The personalizations field is required and must have at least one personalization.']);
    for (const [i, p] of (mail.personalizations ?? []).entries()) {
      if (!p.to?.length || p.to.some((t) => !/^[^@\s]+@[^@\s]+$/.test(t.email ?? ''))) problems.push([`personalizations.${i}.to`, 'Each email address in the personalization block should be a valid email address.']);
    }
    if (!mail.from?.email) problems.push(['from.email', 'The from email does not contain a valid address.']);
    if (mail.template_id && !/^d-[0-9a-f]{32}$/.test(mail.template_id)) problems.push(['template_id', 'The template_id is not a valid dynamic template id.']);
    for (const [k, v] of Object.entries(mail.custom_args ?? {})) if (typeof v !== 'string') problems.push([`custom_args.${k}`, 'Custom args values must be strings.']);
    if (problems.length) return errors(res, 400, problems);
    const id = randomBytes(11).toString('base64url');
    mails.push({ id, mail });
    // A test may act between SendGrid's acceptance and its answer (e.g. kill the sender).
    if (afterAccept && (await afterAccept(mails.length))) return res.destroy();
    send(res, 202, undefined, { 'x-message-id': id });
  });
  let afterAccept;
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    mails,
    failNext: (...f) => fail.queue.push(...f),
    /** `hook(count)` runs after each accepted mail; returning true drops the answer. */
    afterAccept: (hook) => {
      afterAccept = hook;
    },
    close: () => closeServer(server),
  };
}

export function closeServer(server) {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}
