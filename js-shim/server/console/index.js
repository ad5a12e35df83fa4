// The operator console under `<basePath>/console/`: server-rendered pages behind a signed
// session, served by the one handler, so every runtime (Node, Workers, Vercel Edge, Deno,
// Lambda and Express through their adapters) serves it. Pages read; the few actions post
// forms with CSRF tokens. Nothing here decides anything: figures come from the engine's report,
// actions from the runtime.

import { addressKey, clientAddressOf } from '../client-address.js';
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
import { can, consoleSecret, consoleSettings } from './settings.js';
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
    checkSecrets: (secrets) => consoleSecret(secrets),
    mount: (deployment) => createConsole({ ...deployment, settings: { ...checked, secret: consoleSecret(deployment.secrets) } }),
  };
}

function createConsole({ settings, basePath, maxOverdueMs, rekindle, runtime, store, now, readBody, clientAddress, refusals, log }) {
  const base = `${basePath}/console`;
  const f = formats(settings);
  const limits = { perName: rateLimiter(settings.signIn.perName), perAddress: rateLimiter(settings.signIn.perAddress) };

  const respond = (status, body, headers = {}) => new Response(body, { status, headers: { 'content-type': 'text/html; charset=utf-8', ...CONSOLE_HEADERS, ...headers } });
  const redirect = (to, headers = {}) => new Response(null, { status: 303, headers: { location: to, ...CONSOLE_HEADERS, ...headers } });
  const show = (status, title, body, session, current, headers) => respond(status, page({ base, title, body, session, current }), headers);
  const refuse = (status, title, message, session = null) => show(status, title, html`<p class="error" role="alert">${message}</p>`, session);

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
    const headers = new Headers({ location: `${base}/overview`, ...CONSOLE_HEADERS });
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
    if (problem) return new Response(problem, { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8', ...CONSOLE_HEADERS } });
    const name = `rekindle-report${r.from ? `-from-${r.from}` : ''}${r.to ? `-to-${r.to}` : ''}.csv`;
    return new Response(await rekindle.reportCsv(await logText(r)), { status: 200, headers: { ...CONSOLE_HEADERS, 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}"` } });
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
    return new Response(send.message.email.html, { status: 200, headers: PREVIEW_HEADERS });
  }

  const PAGES = {
    'GET /overview': overview,
    'GET /overview.csv': overviewCsv,
    'GET /messages': messages,
    'GET /messages/gallery': gallery,
    'GET /health': (request, url, session) => health(session),
  };

  /** `path` is the route path (under basePath): `/console` or `/console/...`. */
  async function handle(request, url, path, { env, ctx } = {}) {
    const sub = path.slice('/console'.length) || '/';
    const key = `${request.method} ${sub}`;
    if (key === 'GET /style.css') return new Response(STYLESHEET, { status: 200, headers: { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'max-age=3600', 'x-content-type-options': 'nosniff' } });
    if (key === 'GET /sign-in') return (await sessionOf(request)) ? redirect(`${base}/overview`) : signInPage(null);
    if (key === 'POST /sign-in') return signIn(request, env, ctx);
    const session = await sessionOf(request);
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
    const frame = /^GET \/messages\/gallery\/([a-z]{2})\/(\d{1,2})\.html$/.exec(key);
    if (frame) return galleryFrame(frame[1], Number(frame[2]));
    const handler = PAGES[key];
    if (handler) return handler(request, url, session);
    return refuse(404, 'Not found', 'There is no such console page.', session);
  }

  return { handle, base };
}
