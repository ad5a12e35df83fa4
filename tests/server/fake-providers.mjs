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
 * Faults after the provider has acted (the message is recorded): `'reset'` drops the
 * connection, `'hang'` never answers (the sender's timeout fires), `{ status, raw? }` answers
 * that status with `raw` as the body (a 5xx, or a 2xx whose body is not JSON). Returns true
 * when it answered in place of the provider.
 */
function faultsAfterAct() {
  const queue = [];
  const hung = new Set();
  return {
    queue,
    hung,
    serve(res) {
      const f = queue.shift();
      if (!f) return false;
      if (f === 'reset') res.socket.destroy();
      else if (f === 'hang') hung.add(res);
      else {
        res.writeHead(f.status, { 'content-type': f.contentType ?? 'text/html' });
        res.end(f.raw ?? '');
      }
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
  const lookups = [];
  const fail = failures();
  const after = faultsAfterAct();
  const twilioError = (res, status, code, message) =>
    send(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
  const server = await listen(async (req, body, res) => {
    if (await fail.serve(res)) return;
    const path = `/2010-04-01/Accounts/${accountSid}/Messages.json`;
    // List messages: To and DateSent>= (a GMT date, `DateSent>` as the parsed key), newest first.
    if (req.method === 'GET' && req.url.startsWith(`${path}?`)) {
      const expected = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
      if (req.headers.authorization !== expected) return twilioError(res, 401, 20003, 'Authenticate');
      const query = new URL(req.url, 'http://x').searchParams;
      lookups.push(Object.fromEntries(query));
      const to = query.get('To');
      const since = query.get('DateSent>');
      const list = messages
        .filter((m) => (!to || m.form.To === to) && (!since || m.dateSent.slice(0, 10) >= since))
        .reverse()
        .map((m) => ({ sid: m.sid, to: m.form.To, body: m.form.Body, direction: 'outbound-api', date_sent: m.dateSent, status: 'sent' }));
      return send(res, 200, { messages: list, page: 0, page_size: Number(query.get('PageSize') ?? 50), next_page_uri: null });
    }
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
    messages.push({ sid, form, dateSent: new Date().toISOString() });
    if (after.serve(res)) return;
    send(res, 201, {
      sid, account_sid: accountSid, to: form.To, from: null, messaging_service_sid: form.MessagingServiceSid ?? null,
      body: form.Body, status: form.MessagingServiceSid ? 'accepted' : 'queued', num_segments: '1', direction: 'outbound-api',
      api_version: '2010-04-01', error_code: null, error_message: null, uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
    });
  });
  return {
    url: `http://127.0.0.1:${server.address().port}`, messages, lookups,
    failNext: (...f) => fail.queue.push(...f),
    /** Faults served after the message is created (see faultsAfterAct). */
    failAfterActing: (...f) => after.queue.push(...f),
    close: () => closeServer(server),
  };
}

/**
 * SendGrid v3 Mail Send: POST /v3/mail/send, Bearer API key, JSON; 202 with an empty body and
 * X-Message-Id; errors as {errors: [{message, field, help}]}.
 */
export async function fakeSendgrid({ apiKey }) {
  const mails = [];
  const suppressed = [];
  const fail = failures();
  const after = faultsAfterAct();
  const errors = (res, status, list) => send(res, status, { errors: list.map(([field, message]) => ({ message, field, help: null })) });
  const server = await listen(async (req, body, res) => {
    if (await fail.serve(res)) return;
    const known = ['/v3/mail/send', '/v3/asm/suppressions/global'];
    if (req.method !== 'POST' || !known.includes(req.url)) return errors(res, 404, [[null, 'Not found']]);
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      return errors(res, 401, [[null, 'The provided authorization grant is invalid, expired, or revoked']]);
    }
    // Global suppressions: {recipient_emails: [...]} → 201 echoing the addresses added.
    if (req.url === '/v3/asm/suppressions/global') {
      const { recipient_emails: emails } = JSON.parse(body);
      if (!Array.isArray(emails) || emails.length === 0) return errors(res, 400, [['recipient_emails', 'recipient_emails is required']]);
      suppressed.push(...emails);
      return send(res, 201, { recipient_emails: emails });
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
    // Without a template: a subject and content, text/plain first when present (SendGrid's rule).
    if (!mail.template_id) {
      if (typeof mail.subject !== 'string' || !mail.subject) problems.push(['subject', 'The subject is required. You can get around this requirement if you use a template with a subject defined.']);
      const content = mail.content ?? [];
      if (!Array.isArray(content) || content.length === 0 || content.some((c) => typeof c.type !== 'string' || typeof c.value !== 'string' || !c.value)) problems.push(['content', 'Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block.']);
      else if (content.some((c, i) => c.type === 'text/plain' && i !== 0)) problems.push(['content', 'If present, text/plain content must be first, followed by text/html.']);
    }
    for (const [k, v] of Object.entries(mail.custom_args ?? {})) if (typeof v !== 'string') problems.push([`custom_args.${k}`, 'Custom args values must be strings.']);
    if (problems.length) return errors(res, 400, problems);
    const id = randomBytes(11).toString('base64url');
    mails.push({ id, mail });
    // A test may act between SendGrid's acceptance and its answer (e.g. kill the sender).
    if (afterAccept && (await afterAccept(mails.length))) return res.destroy();
    if (after.serve(res)) return;
    send(res, 202, undefined, { 'x-message-id': id });
  });
  let afterAccept;
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    mails,
    suppressed,
    failNext: (...f) => fail.queue.push(...f),
    failAfterActing: (...f) => after.queue.push(...f),
    /** `hook(count)` runs after each accepted mail; returning true drops the answer. */
    afterAccept: (hook) => {
      afterAccept = hook;
    },
    close: () => closeServer(server),
  };
}

/**
 * Postmark: POST /email (Subject, HtmlBody, TextBody) or /email/withTemplate, X-Postmark-Server-Token, JSON in and out (Accept and
 * Content-Type application/json); 200 with {To, SubmittedAt, MessageID, ErrorCode: 0, Message};
 * errors as {ErrorCode, Message}: 401 (code 10) for a bad token, 422 for a refused request.
 * POST /message-streams/{stream}/suppressions: 200 with a Status per address.
 */
export async function fakePostmark({ serverToken, templates, inactive = [] }) {
  const emails = [];
  const suppressed = [];
  const lookups = [];
  const fail = failures();
  const after = faultsAfterAct();
  const refuse = (res, status, ErrorCode, Message) => send(res, status, { ErrorCode, Message });
  const server = await listen(async (req, body, res) => {
    if (await fail.serve(res)) return;
    if (req.headers['x-postmark-server-token'] !== serverToken) return refuse(res, 401, 10, 'Request does not contain a valid Server token.');
    // Outbound message search: count and offset required; metadata_<key>=<value> filters.
    if (req.method === 'GET' && req.url.startsWith('/messages/outbound?')) {
      const query = new URL(req.url, 'http://x').searchParams;
      lookups.push(Object.fromEntries(query));
      if (!query.get('count') || query.get('offset') === null) return refuse(res, 422, 0, 'count and offset are required');
      const meta = [...query].filter(([k]) => k.startsWith('metadata_')).map(([k, v]) => [k.slice('metadata_'.length), v]);
      const found = emails.filter((e) => meta.every(([k, v]) => e.email.Metadata?.[k] === v)).reverse();
      const page = found.slice(Number(query.get('offset')), Number(query.get('offset')) + Number(query.get('count')));
      return send(res, 200, { TotalCount: found.length, Messages: page.map((e) => ({ MessageID: e.MessageID, Recipients: [e.email.To], Metadata: e.email.Metadata, Status: 'Sent' })) });
    }
    if (req.headers.accept !== 'application/json' || req.headers['content-type'] !== 'application/json') {
      return refuse(res, 415, 0, 'Accept and Content-Type must be application/json');
    }
    let m;
    try {
      m = JSON.parse(body);
    } catch {
      return refuse(res, 422, 402, 'Received invalid JSON input.');
    }
    const stream = /^\/message-streams\/([^/]+)\/suppressions$/.exec(req.url)?.[1];
    if (req.method === 'POST' && stream) {
      const list = m.Suppressions ?? [];
      suppressed.push(...list.map((s) => ({ stream: decodeURIComponent(stream), address: s.EmailAddress })));
      return send(res, 200, { Suppressions: list.map((s) => ({ EmailAddress: s.EmailAddress, Status: 'Suppressed', Message: null })) });
    }
    if (req.method !== 'POST' || (req.url !== '/email/withTemplate' && req.url !== '/email')) return refuse(res, 404, 0, 'Not found');
    if (!m.From || !m.To) return refuse(res, 422, 300, 'Invalid email request: From and To are required');
    if (req.url === '/email') {
      // A plain send: a body is required, and no template fields.
      if (!m.HtmlBody && !m.TextBody) return refuse(res, 422, 300, 'Provide either email TextBody or HtmlBody or both.');
      if (m.TemplateId !== undefined || m.TemplateAlias !== undefined) return refuse(res, 422, 300, 'Template fields belong to /email/withTemplate');
    } else {
      if ((m.TemplateId === undefined) === (m.TemplateAlias === undefined)) return refuse(res, 422, 1101, 'Specify exactly one of TemplateId and TemplateAlias');
      if (!(templates ?? []).includes(m.TemplateId ?? m.TemplateAlias)) return refuse(res, 422, 1101, "The Template's 'Alias' or 'TemplateId' associated with this request is not valid or was not found.");
      if (typeof m.TemplateModel !== 'object') return refuse(res, 422, 1109, 'TemplateModel is required');
    }
    const meta = Object.entries(m.Metadata ?? {});
    if (meta.length > 10 || meta.some(([k, v]) => typeof v !== 'string' || k.length > 20 || v.length > 80)) return refuse(res, 422, 300, 'Invalid Metadata');
    if (m.Headers && (!Array.isArray(m.Headers) || m.Headers.some((h) => typeof h.Name !== 'string' || typeof h.Value !== 'string'))) {
      return refuse(res, 422, 300, 'Headers must be a list of {Name, Value}');
    }
    if (inactive.includes(m.To)) return refuse(res, 422, 406, 'You tried to send to recipient(s) that have been marked as inactive.');
    const MessageID = crypto.randomUUID();
    emails.push({ MessageID, email: m });
    if (after.serve(res)) return;
    send(res, 200, { To: m.To, SubmittedAt: new Date().toISOString(), MessageID, ErrorCode: 0, Message: 'OK' });
  });
  return {
    url: `http://127.0.0.1:${server.address().port}`, emails, suppressed, lookups,
    failNext: (...f) => fail.queue.push(...f),
    failAfterActing: (...f) => after.queue.push(...f),
    close: () => closeServer(server),
  };
}

/**
 * Klaviyo Create Event: POST /api/events, `Authorization: Klaviyo-API-Key <key>`, a `revision`
 * header, JSON:API (`application/vnd.api+json`); 202 with an empty body; errors as
 * {errors: [{id, status, code, title, detail, source}]}. `validate(body)` returns problems
 * (the test passes the OpenAPI schema's check). Like Klaviyo, an event whose `unique_id` was
 * already accepted is dropped: still 202, nothing recorded twice.
 *
 * Request Profile Deletion: POST /api/data-privacy-deletion-jobs, same auth, revision and
 * media type; `validateDeletion(body)` returns problems; 202 with an empty body. Each request
 * is kept whole in `deletionRequests` (headers and body) and its identifier in `deletions`.
 */
export async function fakeKlaviyo({ apiKey, revision, validate, validateDeletion = () => [] }) {
  const events = [];
  const received = [];
  const deletions = [];
  const deletionRequests = [];
  const fail = failures();
  const after = faultsAfterAct();
  const errors = (res, status, code, detail, pointer) =>
    send(res, status, { errors: [{ id: randomBytes(8).toString('hex'), status, code, title: code, detail, ...(pointer ? { source: { pointer } } : {}) }] }, { 'content-type': 'application/vnd.api+json' });
  const routes = { '/api/events': validate, '/api/data-privacy-deletion-jobs': validateDeletion };
  const server = await listen(async (req, body, res) => {
    if (await fail.serve(res)) return;
    if (req.method !== 'POST' || !routes[req.url]) return errors(res, 404, 'not_found', 'Not found');
    if (req.headers.authorization !== `Klaviyo-API-Key ${apiKey}`) return errors(res, 401, 'not_authenticated', 'Missing or invalid private key.');
    if (req.headers.revision !== revision) return errors(res, 400, 'invalid', `Unsupported revision ${req.headers.revision}`);
    if (req.headers['content-type'] !== 'application/vnd.api+json') return errors(res, 415, 'unsupported_media_type', 'Use application/vnd.api+json');
    let parsed;
    try {
      parsed = JSON.parse(body);
    } catch {
      return errors(res, 400, 'parse_error', 'Malformed JSON');
    }
    const problems = routes[req.url](parsed);
    if (problems.length) return errors(res, 400, 'invalid', problems[0].message, problems[0].pointer);
    if (req.url === '/api/data-privacy-deletion-jobs') {
      deletionRequests.push({ headers: req.headers, body: parsed });
      deletions.push(parsed.data.attributes.profile.data.attributes);
    } else {
      received.push(parsed);
      const uniqueId = parsed.data.attributes.unique_id;
      if (!uniqueId || !events.some((e) => e.data.attributes.unique_id === uniqueId)) events.push(parsed);
      if (after.serve(res)) return;
    }
    res.writeHead(202);
    res.end();
  });
  return {
    url: `http://127.0.0.1:${server.address().port}`, events, received, deletions, deletionRequests,
    failNext: (...f) => fail.queue.push(...f),
    failAfterActing: (...f) => after.queue.push(...f),
    close: () => closeServer(server),
  };
}

export function closeServer(server) {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}
