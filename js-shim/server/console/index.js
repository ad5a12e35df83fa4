// The operator console under `<basePath>/console/`: server-rendered pages behind a signed
// session, served by the one handler, so every runtime (Node, Workers, Vercel Edge, Deno,
// Lambda and Express through their adapters) serves it. Pages read; the few actions post
// forms with CSRF tokens. Nothing here decides anything: figures come from the engine's report,
// actions from the runtime.

import { addressKey, clientAddressOf } from '../client-address.js';
import { OperatorError } from '../operator.js';
import { ACTIONS, actionForms, confirmBody, endOfDay } from './actions.js';
import { BOUNCE, adminOrigins, adminParams, bounceTo, bouncePage, carrySession } from './admin-embed.js';
import { rateLimiter } from '../rate-limit.js';
import { formats } from './format.js';
import { LOCALES, PREVIEW_HEADERS, galleryBody, sampleSends } from './gallery.js';
import { healthBody, sendProblems } from './health.js';
import { html, raw } from './html.js';
import { CONSOLE_HEADERS, page } from './layout.js';
import { messageRows, messagesBody } from './messages.js';
import { day, withinDays } from './outcome-log.js';
import { overviewBody, overviewData } from './overview.js';
import { checkCsrf, checkPassword, cookie, csrfToken, randomToken, readSession, sessionCookieValue, setCookie } from './session.js';
import { can, consoleSecret, consoleSettings, shopifySecret } from './settings.js';
import { sessionTokenOf, verifySessionToken } from './shopify-token.js';
import { editor, playbookBody, previewBody, rollbackConfirm } from './playbook.js';
import { lookupBody, sentEmailHtml, shopperBody } from './shoppers.js';
import { signInBody } from './sign-in.js';
import { STYLESHEET } from './style.js';

export { hashPassword } from './session.js';

const SESSION = 'rekindle-console';
const SIGN_IN = 'rekindle-console-sign-in';
const FORM_BYTES = 8 * 1024;

/**
 * The console, for `createHandler({ console: operatorConsole({...}) })`. Its options are checked
 * here and now (a RekindleConfigError), `secrets.console` with the deployment's. A handler
 * given no console has no /console routes, and a bundle that never calls this leaves all of
 * it out (the handler does not import it: a Vercel Edge function without it stays ~11 KB
 * gzipped lighter).
 */
export function operatorConsole(options) {
  const checked = consoleSettings(options);
  return {
    checkSecrets: (secrets) => {
      consoleSecret(secrets);
      shopifySecret(secrets, checked.shopify);
    },
    mount: (deployment) => createConsole({ ...deployment, settings: { ...checked, secret: consoleSecret(deployment.secrets), shopifySecret: shopifySecret(deployment.secrets, checked.shopify) } }),
  };
}

function createConsole({ settings, basePath, maxOverdueMs, rekindle, runtime, operator, store, now, readBody, clientAddress, refusals, log }) {
  const base = `${basePath}/console`;
  const f = formats(settings);
  const limits = { perName: rateLimiter(settings.signIn.perName), perAddress: rateLimiter(settings.signIn.perAddress) };

  // Embedded in the Shopify admin, the console may be framed by the shop's admin (and only it).
  const HEADERS = settings.shopify ? embeddedHeaders(settings.shopify.shop) : CONSOLE_HEADERS;
  // An email's sandboxed frame sits in a console page, itself in the admin: `frame-ancestors`
  // is checked against every ancestor, so the admin's origins are allowed there too.
  const FRAME_HEADERS = settings.shopify ? framedEmailHeaders(settings.shopify.shop) : PREVIEW_HEADERS;
  const respond = (status, body, headers = {}) => new Response(body, { status, headers: { 'content-type': 'text/html; charset=utf-8', ...HEADERS, ...headers } });
  const redirect = (to, headers = {}) => new Response(null, { status: 303, headers: { location: to, ...HEADERS, ...headers } });
  const show = (status, title, body, session, current, headers) => respond(status, page({ base, title, body, session, current }), headers);
  const refuse = (status, title, message, session = null) => show(status, title, html`<p class="error" role="alert">${message}</p>`, session);

  /**
   * A staff member in the Shopify admin, by Shopify's session token: null when there is none,
   * `{ refused }` when one was given and is not this app's for this shop now (forged, expired,
   * another shop's). The CSRF token is bound to the admin session (`sid`), which outlives each
   * one-minute token, so a form rendered under one token posts under the next.
   */
  async function shopifySessionOf(request, url) {
    const token = settings.shopify && sessionTokenOf(request, url);
    if (!token) return null;
    const { claims, refused } = await verifySessionToken(token, { apiKey: settings.shopify.apiKey, secret: settings.shopifySecret, shop: settings.shopify.shop, nowMs: now() });
    if (refused) {
      log?.('warn', 'console session token refused', { reason: refused });
      return { refused };
    }
    const sid = `shopify:${claims.sid ?? claims.jti ?? claims.sub}`;
    const role = settings.shopify.role;
    return { name: `Shopify staff ${claims.sub ?? ''}`.trim(), role, sid, csrf: await csrfToken(settings.secret, sid), can: (ability) => can(role, ability), shopify: true };
  }

  /** The signed-in operator, as configured now (a user removed from the settings is signed out). */
  async function sessionOf(request) {
    const found = await readSession(settings.secret, cookie(request, SESSION), now());
    const user = found && settings.users.find((u) => u.name === found.name);
    if (!user) return null;
    return { name: user.name, role: user.role, sid: found.sid, csrf: await csrfToken(settings.secret, found.sid), can: (ability) => can(user.role, ability) };
  }

  async function form(request) {
    return new URLSearchParams(await readBody(request, FORM_BYTES));
  }

  async function signInPage(problem, status = 200, name = '') {
    const nonce = randomToken();
    const csrf = await csrfToken(settings.secret, `sign-in:${nonce}`);
    return show(status, 'Sign in', signInBody({ base, csrf, problem, name }), null, null, { 'set-cookie': setCookie(SIGN_IN, nonce, base, 3600) });
  }

  async function signIn(request, env, ctx) {
    const fields = await form(request);
    const name = fields.get('name') ?? '';
    const address = addressKey(clientAddressOf(request, env, ctx, clientAddress));
    // Failed attempts count; once a window is spent, even the right password waits it out.
    const failed = () => {
      limits.perAddress.take(address, now());
      limits.perName.take(`name:${name}`, now());
    };
    if (limits.perAddress.spent(address, now()) || limits.perName.spent(`name:${name}`, now())) {
      refusals.signIn += 1;
      log?.('warn', 'console sign-in refused by rate', {});
      return show(429, 'Sign in', signInBody({ base, csrf: '', problem: 'Too many sign-in attempts. Wait a few minutes and try again.', name }), null, null, { 'retry-after': '900' });
    }
    const nonce = cookie(request, SIGN_IN);
    if (!(await checkCsrf(settings.secret, nonce && `sign-in:${nonce}`, fields.get('csrf')))) {
      failed();
      return signInPage('This sign-in form expired or did not come from this console. Try again.', 403, name);
    }
    const user = await checkPassword(settings.users, name, fields.get('password'));
    if (!user) {
      failed();
      // Which of the two was wrong is not said, nor logged with the name (it may be a password typed in the wrong box).
      log?.('warn', 'console sign-in failed', {});
      return signInPage('That name and password do not match.', 401, name);
    }
    const value = await sessionCookieValue(settings.secret, user.name, now() + settings.sessionTtlMs);
    log?.('info', 'console sign-in', { role: user.role });
    const headers = new Headers({ location: `${base}/overview`, ...HEADERS });
    headers.append('set-cookie', setCookie(SESSION, value, base, Math.floor(settings.sessionTtlMs / 1000)));
    headers.append('set-cookie', setCookie(SIGN_IN, '', base, 0));
    return new Response(null, { status: 303, headers });
  }

  function range(url) {
    const from = url.searchParams.get('from') || null;
    const to = url.searchParams.get('to') || null;
    const r = { from: day(from), to: day(to), timeZone: settings.timeZone };
    let problem = null;
    if ((from && !r.from) || (to && !r.to)) problem = 'Dates must be real days, as YYYY-MM-DD.';
    else if (r.from && r.to && r.from > r.to) problem = 'The range starts after it ends.';
    if (problem) Object.assign(r, { from: null, to: null });
    return { r, problem };
  }

  async function logText(r = {}) {
    const { text } = await runtime.outcomeLog();
    return withinDays(text, r.from, r.to);
  }

  async function overview(request, url, session) {
    const { r, problem } = range(url);
    const data = await overviewData(rekindle, await logText(r));
    return show(problem ? 400 : 200, 'Overview', overviewBody({ base, range: r, problem, data, f }), session, 'overview');
  }

  async function overviewCsv(request, url) {
    const { r, problem } = range(url);
    if (problem) return new Response(problem, { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8', ...HEADERS } });
    const name = `rekindle-report${r.from ? `-from-${r.from}` : ''}${r.to ? `-to-${r.to}` : ''}.csv`;
    return new Response(await rekindle.reportCsv(await logText(r)), { status: 200, headers: { ...HEADERS, 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}"` } });
  }

  async function messages(request, url, session) {
    const rows = await messageRows(store, await logText());
    return show(200, 'Messages', messagesBody({ base, rows, f }), session, 'messages');
  }

  async function health(session, ticked = null) {
    const s = await runtime.schedule();
    const at = now();
    const numbers = { ...s, scheduler: s.scheduler ?? 'tick', overdueMs: s.oldestDueAt === null ? 0 : Math.max(0, at - s.oldestDueAt), maxOverdueMs, engine: rekindle.version() };
    const rows = await messageRows(store, await logText());
    const body = healthBody({ base, session, health: numbers, problems: sendProblems(rows), refusedRequests: refusals, sends: rows.length, ticked, f });
    return show(200, 'Health', body, session, 'health');
  }

  /** A POST from a signed-in operator: its CSRF token and the role's ability, else a refusal. */
  async function action(request, session, ability) {
    const fields = await form(request);
    if (!(await checkCsrf(settings.secret, session.sid, fields.get('csrf')))) {
      return { refused: refuse(403, 'Refused', 'This form expired or did not come from this console: nothing was done. Reload the page and try again.', session) };
    }
    if (ability && !session.can(ability)) {
      return { refused: refuse(403, 'Not allowed', `Your role (${session.role}) cannot do this: nothing was done.`, session) };
    }
    return { fields };
  }

  function gallery(request, url, session) {
    const locale = LOCALES.includes(url.searchParams.get('locale')) ? url.searchParams.get('locale') : 'en';
    return show(200, 'Template gallery', galleryBody({ base, locale, sends: sampleSends(runtime.engine, locale) }), session, 'messages');
  }

  /** One email of the gallery, for its sandboxed frame. */
  function galleryFrame(locale, index) {
    const send = LOCALES.includes(locale) ? sampleSends(runtime.engine, locale)[index] : null;
    if (!send?.message?.email) return refuse(404, 'Not found', 'There is no such preview.');
    return new Response(send.message.email.html, { status: 200, headers: FRAME_HEADERS });
  }

  // ---------- shoppers: lookup, the timeline, and the operator's actions (operator.js acts) ----------

  /** The signed-in operator as operator.js's caller: the audit log names them. */
  const whoIs = (session) => ({ actor: session.name, role: session.role });

  /** An operator.js refusal as a page: its message, code and JSON path. */
  function operatorProblem(error, session) {
    if (!isOperatorError(error)) throw error;
    return show(error.status, 'Not done', html`<p class="error" role="alert" data-problem data-code="${error.code}"${error.path ? html` data-path="${error.path}"` : ''}>${error.message} <small>(${error.code}${error.path ? ` at ${error.path}` : ''})</small>: nothing was done.</p><p><a href="${base}/shoppers">Back to shoppers</a></p>`, session, 'shoppers');
  }

  function shoppers(request, url, session) {
    const done = url.searchParams.get('done') === 'erase' ? html`<p class="ok" role="status" data-done>${ACTIONS.erase.done}</p>` : '';
    return show(200, 'Shoppers', html`${done}${lookupBody({ base, session })}`, session, 'shoppers');
  }

  async function lookup(request, session) {
    const { refused, fields } = await action(request, session, 'read');
    if (refused) return refused;
    const by = fields.get('by') ?? '';
    try {
      const found = await operator.lookup(whoIs(session), { by, value: fields.get('value') ?? '' });
      if (found.found) return redirect(`${base}/shoppers/${encodeURIComponent(found.shopper.contactId)}`);
      return show(404, 'Shoppers', lookupBody({ base, session, by, notFound: true }), session, 'shoppers');
    } catch (error) {
      if (!(isOperatorError(error) || error?.name === 'RekindleError')) throw error;
      return show(400, 'Shoppers', lookupBody({ base, session, by, problem: `That is not a valid ${by}: ${error.message}` }), session, 'shoppers');
    }
  }

  async function shopperPage(session, contactId, url) {
    let found;
    try {
      found = await operator.shopper(whoIs(session), contactId);
    } catch (error) {
      return operatorProblem(error, session);
    }
    const done = ACTIONS[url.searchParams.get('done')]?.done ?? null;
    const title = found.shopper.firstName ? `Shopper: ${found.shopper.firstName}` : 'Shopper';
    return show(200, title, shopperBody({ base, session, found, f, done, actions: actionForms({ base, session, shopper: found.shopper }) }), session, 'shoppers');
  }

  /** An action on a shopper: asked, then confirmed (each post with its CSRF token and the role's ability). */
  async function shopperAction(request, session, contactId, name) {
    const { refused, fields } = await action(request, session, 'act');
    if (refused) return refused;
    const spec = ACTIONS[name];
    const x = Object.fromEntries(spec.fields.map((k) => [k, (fields.get(k) ?? '').trim()]));
    const current = await store.load(contactId);
    if (!current) return refuse(404, 'Not found', 'No shopper has this id.', session);
    const journeys = (await rekindle.shopperView(current.state)).journeys;
    const c = {
      journey: (id) => journeys.find((j) => j.id === id)?.name ?? id,
      day: (d) => `the end of ${d} (${settings.timeZone})`,
      endOf: (d, path) => {
        if (!d) return undefined;
        const at = endOfDay(d, settings.timeZone);
        if (!at) throw new OperatorError(400, 'INVALID_TIMESTAMP', `${path.slice(2)}: a day, as YYYY-MM-DD`, path);
        return at;
      },
    };
    try {
      if (fields.get('confirm') !== 'yes') {
        for (const k of ['until', 'pausedUntil']) if (k in x) c.endOf(x[k], `$.${k}`); // a bad day is said before confirming
        return show(200, 'Confirm', confirmBody({ base, session, contactId, name, fields: x, question: spec.ask(x, c) }), session, 'shoppers');
      }
      const result = await spec.run(operator, whoIs(session), contactId, x, c);
      if (name === 'export') {
        return new Response(JSON.stringify({ data: result.data, timeline: result.timeline }, null, 2), { status: 200, headers: { ...HEADERS, 'content-type': 'application/json; charset=utf-8', 'content-disposition': `attachment; filename="rekindle-export-${contactId}.json"` } });
      }
      if (name === 'erase') return redirect(`${base}/shoppers?done=erase`);
      return redirect(`${base}/shoppers/${encodeURIComponent(contactId)}?done=${name}`);
    } catch (error) {
      return operatorProblem(error, session);
    }
  }

  // ---------- the playbook: read, edit, check, publish, roll back (operator.js does each) ----------

  const PUBLISHED = { publish: 'Published: the next decision uses it.', rollback: 'Rolled back: the next decision uses it.' };

  async function playbookPage(request, url, session, { status = 200, edit = null, done = PUBLISHED[url?.searchParams.get('done')] ?? null } = {}) {
    const who = whoIs(session);
    const body = playbookBody({ base, session, book: await operator.playbook(who), audit: await operator.audit(who, { limit: 50 }), f, done, edit });
    return show(status, 'Playbook', body, session, 'playbook');
  }

  /** The textarea's JSON, or the problem with it at `$` (the engine's paths start there). */
  function parsePolicy(text) {
    try {
      return { candidate: JSON.parse(text) };
    } catch (error) {
      return { problems: [{ code: 'MALFORMED_JSON', path: '$', message: `not JSON: ${error.message}` }] };
    }
  }

  /** A posted playbook edit: its text, the publication it was made against, the JSON read, and
   * the editor page to show again with problems beside the fields. */
  async function readEdit(request, session, ability) {
    const { refused, fields } = await action(request, session, ability);
    if (refused) return { refused };
    const text = fields.get('policy') ?? '';
    const expected = Number(fields.get('expected'));
    const again = (status, problems) => playbookPage(request, null, session, { status, edit: editor({ base, session, text, expected, problems }) });
    return { text, expected, ...parsePolicy(text), again };
  }

  async function playbookPreview(request, session) {
    const { refused, text, expected, candidate, problems, again } = await readEdit(request, session, 'read');
    if (refused) return refused;
    const preview = problems ? { ok: false, problems } : await operator.preview(whoIs(session), candidate);
    if (!preview.ok) return again(400, preview.problems);
    return show(200, 'Check the edit', previewBody({ base, session, text, expected, preview, f }), session, 'playbook');
  }

  async function playbookPublish(request, session) {
    const { refused, expected, candidate, problems, again } = await readEdit(request, session, 'publish');
    if (refused) return refused;
    if (problems) return again(400, problems);
    try {
      await operator.publish(whoIs(session), candidate, { expected: Number.isSafeInteger(expected) ? expected : undefined });
    } catch (error) {
      if (!isOperatorError(error)) throw error;
      return again(error.status, error.problems ?? [{ code: error.code, path: error.path ?? '$', message: error.message }]);
    }
    return redirect(`${base}/playbook?done=publish`);
  }

  async function playbookRollback(request, session) {
    const { refused, fields } = await action(request, session, 'publish');
    if (refused) return refused;
    const publication = Number(fields.get('publication'));
    const expected = Number(fields.get('expected'));
    try {
      if (fields.get('confirm') !== 'yes') {
        const target = (await operator.playbook(whoIs(session))).versions.find((v) => v.publication === publication);
        if (!target) throw new OperatorError(404, 'NO_SUCH_PUBLICATION', `no publication ${publication}`, '$.publication');
        return show(200, 'Confirm', rollbackConfirm({ base, session, target, expected }), session, 'playbook');
      }
      await operator.rollback(whoIs(session), { publication, expected: Number.isSafeInteger(expected) ? expected : undefined });
    } catch (error) {
      if (!isOperatorError(error)) throw error;
      return show(error.status, 'Not done', html`<p class="error" role="alert" data-problem data-code="${error.code}">${error.message} <small>(${error.code})</small>: nothing was published.</p><p><a href="${base}/playbook">Back to the playbook</a></p>`, session, 'playbook');
    }
    return redirect(`${base}/playbook?done=rollback`);
  }

  const PAGES = {
    'GET /overview': overview,
    'GET /overview.csv': overviewCsv,
    'GET /messages': messages,
    'GET /messages/gallery': gallery,
    'GET /health': (request, url, session) => health(session),
    'GET /shoppers': shoppers,
    'GET /playbook': playbookPage,
    'POST /playbook/preview': (request, url, session) => playbookPreview(request, session),
    'POST /playbook/publish': (request, url, session) => playbookPublish(request, session),
    'POST /playbook/rollback': (request, url, session) => playbookRollback(request, session),
  };

  /**
   * `path` is the route path (under basePath): `/console` or `/console/...`. A request from
   * inside the Shopify admin without a current session token bounces through App Bridge for a
   * fresh one (admin-embed.js) rather than meeting the cookie sign-in, which a framed page cannot
   * use; with one, what it renders carries the admin's parameters and the token on.
   */
  async function handle(request, url, path, options = {}) {
    const inAdmin = settings.shopify && adminParams(url, settings.shopify.shop);
    if (!inAdmin) return serve(request, url, path, options);
    const sub = path.slice('/console'.length) || '/';
    if (sub === BOUNCE) return request.method === 'GET' ? bouncePage({ url, base, apiKey: settings.shopify.apiKey, shop: settings.shopify.shop }) : refuse(405, 'Not allowed', 'Only GET.');
    const embedded = await shopifySessionOf(request, url);
    if (!embedded || embedded.refused === 'expired') {
      // A GET reloads itself; a form post cannot be replayed, so its page reloads (nothing was done).
      const target = new URL(request.method === 'GET' ? url : `${url.origin}${base}${sub.replace(/\/[^/]*$/, '')}?${inAdmin}`);
      target.searchParams.delete('id_token');
      return redirect(bounceTo({ base, params: inAdmin, target: target.href }));
    }
    const response = await serve(request, url, path, { ...options, embedded });
    if (embedded.refused) return response;
    const carry = new URLSearchParams(inAdmin);
    carry.set('id_token', sessionTokenOf(request, url));
    return carrySession(response, { base, carry });
  }

  async function serve(request, url, path, { env, ctx, embedded: given } = {}) {
    const sub = path.slice('/console'.length) || '/';
    const key = `${request.method} ${sub}`;
    if (key === 'GET /style.css') return new Response(STYLESHEET, { status: 200, headers: { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'max-age=3600', 'x-content-type-options': 'nosniff' } });
    if (key === 'GET /sign-in') return (await sessionOf(request)) ? redirect(`${base}/overview`) : signInPage(null);
    if (key === 'POST /sign-in') return signIn(request, env, ctx);
    const embedded = given !== undefined ? given : await shopifySessionOf(request, url);
    if (embedded?.refused) return refuse(401, 'Not signed in', 'The Shopify session token was refused: reopen the app from the Shopify admin. Nothing was done.');
    const session = embedded ?? (await sessionOf(request));
    if (!session) return request.method === 'GET' ? redirect(`${base}/sign-in`) : refuse(401, 'Signed out', html`Your session has ended: <a href="${base}/sign-in">sign in</a> again. Nothing was done.`);
    if (key === 'GET /') return redirect(`${base}/overview`);
    if (key === 'POST /sign-out') {
      const { refused } = await action(request, session, null);
      return refused ?? redirect(`${base}/sign-in`, { 'set-cookie': setCookie(SESSION, '', base, 0) });
    }
    if (key === 'POST /health/tick') {
      const { refused } = await action(request, session, 'tick');
      if (refused) return refused;
      log?.('info', 'console tick', { role: session.role });
      return health(session, await runtime.tick());
    }
    if (key === 'POST /shoppers/lookup') return lookup(request, session);
    const sent = /^GET \/shoppers\/([^/]+)\/messages\/([^/]+)\.html$/.exec(key);
    if (sent) {
      // The email as it went, for its sandboxed frame on the shopper's page (the page's read was audited).
      const emailHtml = decodeOrNull(sent[1]) && decodeOrNull(sent[2]) && (await sentEmailHtml(store, decodeOrNull(sent[1]), decodeOrNull(sent[2])));
      return emailHtml ? new Response(emailHtml, { status: 200, headers: FRAME_HEADERS }) : refuse(404, 'Not found', 'There is no such message.', session);
    }
    const shopper = /^(GET|POST) \/shoppers\/([^/]+)(?:\/([a-z]+))?$/.exec(key);
    const contactId = shopper && decodeOrNull(shopper[2]);
    if (shopper && contactId && shopper[1] === 'GET' && !shopper[3]) return shopperPage(session, contactId, url);
    if (shopper && contactId && shopper[1] === 'POST' && Object.hasOwn(ACTIONS, shopper[3] ?? '')) return shopperAction(request, session, contactId, shopper[3]);
    const frame = /^GET \/messages\/gallery\/([a-z]{2})\/(\d{1,2})\.html$/.exec(key);
    if (frame) return galleryFrame(frame[1], Number(frame[2]));
    const handler = PAGES[key];
    if (handler) return handler(request, url, session);
    return refuse(404, 'Not found', 'There is no such console page.', session);
  }

  return { handle, base };
}

/** The console's headers, but framed by the shop's Shopify admin (and nothing else). */
function embeddedHeaders(shop) {
  const { 'x-frame-options': _, ...rest } = CONSOLE_HEADERS;
  return { ...rest, 'content-security-policy': CONSOLE_HEADERS['content-security-policy'].replace("frame-ancestors 'none'", `frame-ancestors ${adminOrigins(shop)}`) };
}

/** An email's frame headers, framed by the console (`'self'`) inside the shop's admin. */
function framedEmailHeaders(shop) {
  return { ...PREVIEW_HEADERS, 'content-security-policy': PREVIEW_HEADERS['content-security-policy'].replace("frame-ancestors 'self'", `frame-ancestors 'self' ${adminOrigins(shop)}`) };
}

/**
 * An operator.js refusal, by name: the console is bundled apart from the handler that made the
 * operator (rekindle/server and rekindle/server/shopify each carry a copy of operator.js), so
 * `instanceof` would miss the other copy's class.
 */
const isOperatorError = (error) => error instanceof OperatorError || error?.name === 'OperatorError';

function decodeOrNull(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}
