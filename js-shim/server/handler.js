// The one handler, in the fetch-API shape `(Request, env, ctx) → Response`: used as-is by
// Cloudflare Workers, Vercel Edge and Deno; js-shim/server/node.js adapts it to Node.
// It checks signatures and sizes, hands raw bodies to the Rust ingest functions, and lets
// the runtime perform the engine's decisions. Nothing here decides what to send.

import { addressKey, clientAddressOf } from './client-address.js';
import { HttpProblem, guardStore, parseInput } from './faults.js';
import { readLinkToken, shopifyDiscountLink } from './links.js';
import { OperatorError, createOperator } from './operator.js';
import * as pages from './pages.js';
import { createRuntime } from './runtime.js';
import { distinctLimiter, rateLimiter } from './rate-limit.js';
import { RekindleConfigError, deploymentSettings, routePath } from './settings.js';
import { hmac, verifySendgrid, verifyShopify, verifyTwilio } from './signatures.js';

const KIB = 1024;

/**
 * @param {object | ((env) => object)} options or a function of the Worker's `env` giving them.
 * Options given as an object are checked here and now (a RekindleConfigError is thrown); a
 * function's are checked on the first request or `runtime()` call, which then rejects.
 * @returns {(request: Request, env?: object, ctx?: { waitUntil?(p: Promise<unknown>): void }) => Promise<Response>}
 */
export function createHandler(options) {
  let settings = typeof options === 'function' ? null : configure(options);
  let ready; // the options, the runtime and the limiters, built once per process or isolate
  const setUp = (env) => {
    ready ??= (async () => {
      const o = typeof options === 'function' ? await options(env) : options;
      settings ??= configure(o);
      await o.rekindle.init();
      const beacon = {
        allowedOrigins: o.beacon?.allowedOrigins ?? [],
        maxBytes: o.beacon?.maxBytes ?? 16 * KIB,
        // Keyed by the address (which the client cannot choose): requests, and how many
        // distinct shoppers it may bring in (the shopper id is the client's own choice).
        perIp: rateLimiter(o.beacon?.perIp ?? { limit: 120, windowMs: 60_000 }),
        shoppersPerIp: distinctLimiter(o.beacon?.shoppersPerIp ?? { limit: 20, windowMs: 60_000 }),
        // Per shopper: one stuck tab's loop. Not a defence (rotating the id walks around it).
        perShopper: rateLimiter(o.beacon?.perShopper ?? { limit: 30, windowMs: 60_000 }),
        // Every beacon together: a flood from many addresses degrades to 429s, and what it can
        // store is bounded by this rate times the anonymous visitor's lifetime (docs/security.md).
        total: rateLimiter(o.beacon?.total ?? { limit: 600, windowMs: 60_000 }),
      };
      // Recovery links redirect only to the merchant's own hosts, whatever a stored URL says.
      const shopHosts = new Set((o.shopDomains ?? beacon.allowedOrigins.map((origin) => new URL(origin).host)).map((h) => h.toLowerCase()));
      const linkSecret = o.secrets.links ?? o.secrets.salt;
      const runtime = createRuntime({ ...o, store: guardStore(o.store), linkSecret });
      const now = o.now ?? Date.now;
      // Requests refused by rate in this process, for the console's Health page.
      const refusals = { beacon: 0, signIn: 0 };
      // The console (console/index.js) is handed in, not imported: a deployment without it bundles none of it.
      const operator = createOperator({ runtime, salt: o.secrets.salt, now, simulate: o.simulate ?? null, policy: o.policy, playbookRules: o.playbookRules ?? null });
      const operatorConsole = o.console ? o.console.mount({
        secrets: o.secrets, basePath: settings.basePath, maxOverdueMs: settings.maxOverdueMs, rekindle: o.rekindle, runtime, operator,
        store: o.store, now, readBody, clientAddress: o.clientAddress, refusals, log: o.log,
      }) : null;
      return { o, settings, beacon, shopHosts, linkSecret, now, runtime, operator, refusals, console: operatorConsole, maxBytes: o.maxBodyBytes ?? 1024 * KIB };
    })();
    ready.catch(() => {
      ready = undefined;
    });
    return ready;
  };

  // The answer as a plain reply ({ status, headers, body }) or, from the console, a Response.
  const serve = async (request, env, ctx) => {
    const s = await setUp(env);
    try {
      return await route({ ...s, env }, request, ctx);
    } catch (error) {
      return failure(error, s.o.log);
    }
  };
  const handler = async (request, env, ctx) => toResponse(await serve(request, env, ctx));
  /**
   * For an adapter that has neither a Request nor a Response to give (node.js): the same
   * handling over what the routes read of a request (`method`, `url`, `headers.get`, `body` as
   * bytes or a stream), answered with a plain reply or a Response. Building a Request and a
   * Response per call cost a Node beacon ~0.3 ms of its ~1.7 (BENCHMARKS.md, issue 20).
   */
  handler.serve = serve;
  /** The runtime, for callers that drive ticks themselves (a Node timer, tests). */
  handler.runtime = async (env) => (await setUp(env)).runtime;
  /** Whether `pathname` is one of Rekindle's routes (middleware passes the rest on). */
  handler.owns = (pathname) => {
    if (!settings) throw new TypeError('handler.owns: with options given as a function, call it after the first request or runtime() call');
    const path = routePath(settings.basePath, pathname);
    if (path === null || (path === '/beacon' && !settings.beaconEnabled)) return false;
    if (settings.consoleEnabled && isConsolePath(path)) return true;
    return Object.keys(ROUTES).some((r) => r.endsWith(` ${path}`)) || /^\/[rup]\/[^/]+$/.test(path) || /^\/report\/messages\/[^/]+$/.test(path) || path.startsWith(OPERATOR_PREFIX);
  };
  return handler;
}

/**
 * Start-up checks, once: a deployment that cannot build its links is refused, and a beacon
 * that every browser would refuse is said out loud (no personal data in either).
 */
function configure(o) {
  if (!o?.secrets?.salt) throw new RekindleConfigError('MISSING_SECRET', 'secrets.salt', 'required: it keys every pseudonymous id');
  const settings = { ...deploymentSettings(o), consoleEnabled: Boolean(o.console) };
  if (o.console) {
    if (typeof o.console.mount !== 'function') throw new RekindleConfigError('INVALID_OPTION', 'console', 'must be operatorConsole({ users, timeZone, ... }) from rekindle/server');
    o.console.checkSecrets(o.secrets);
  }
  if (settings.beaconEnabled && !(o.beacon?.allowedOrigins?.length > 0)) {
    o.log?.('warn', 'beacon.allowedOrigins is empty: every storefront\'s beacon will fail CORS. List the shop origins (e.g. https://shop.example), or set beacon: false if no storefront sends beacons', {
      route: `${settings.basePath}/beacon`,
    });
  }
  return settings;
}

/** The operator console's pages (console/), served when `console` is configured. */
const isConsolePath = (path) => path === '/console' || path.startsWith('/console/');

const ROUTES = {
  'GET /health': health,
  'POST /beacon': beacon,
  'OPTIONS /beacon': beaconPreflight,
  'POST /webhooks/shopify': shopify,
  'POST /webhooks/twilio/inbound': twilioInbound,
  'POST /webhooks/twilio/status': twilioStatus,
  'POST /webhooks/sendgrid': sendgrid,
  'POST /webhooks/postmark': postmark,
  'POST /tick': tick,
  // Vercel Cron calls its path with GET and `Authorization: Bearer <CRON_SECRET>`.
  'GET /tick': tick,
  'GET /report': report,
};

// Links in messages: /r/<token> recovery, /u/<token> unsubscribe, /p/<token> preferences.
const LINKS = {
  'GET r': recoveryLink,
  'GET u': (s, request, url) => html(200, pages.unsubscribeForm(url.pathname)),
  'POST u': unsubscribe,
  'GET p': (s, request, url) => html(200, pages.preferencesForm(url.pathname)),
  'POST p': preferences,
};

async function route(s, request, ctx) {
  const url = new URL(request.url);
  // Under `basePath`, the route is what follows it; anything else is not Rekindle's.
  const path = routePath(s.settings.basePath, url.pathname);
  if (path === null || (path === '/beacon' && !s.settings.beaconEnabled)) return problem(404, 'NOT_FOUND', `no route ${url.pathname}`);
  const handle = ROUTES[`${request.method} ${path}`];
  if (handle) return handle(s, request, url, ctx);
  const record = /^\/report\/messages\/([^/]+)$/.exec(path);
  if (record) return request.method === 'GET' ? messageRecord(s, request, decodeOrNull(record[1])) : problem(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${url.pathname}`);
  if (s.console && isConsolePath(path)) return s.console.handle(request, url, path, { env: s.env, ctx });
  if (path.startsWith(OPERATOR_PREFIX)) return operatorApi(s, request, path.slice(OPERATOR_PREFIX.length), url);
  const short = /^\/s\/([A-Za-z0-9_-]{16})$/.exec(path);
  if (short && request.method === 'GET') {
    // An SMS's short link: the same tracked recovery as /r/, found through its token.
    const found = await s.runtime.actionOfShortLink(short[1]);
    if (!found) return html(404, pages.notFound());
    return recoveryLink(s, request, url, found);
  }
  const link = /^\/([rup])\/([^/]+)$/.exec(path);
  if (link && LINKS[`${request.method} ${link[1]}`]) {
    const token = decodeOrNull(link[2]); // a malformed %-escape is no token of ours
    const actionId = token && (await readLinkToken(s.linkSecret, link[1], token));
    const contactId = actionId && (await s.runtime.contactOfAction(actionId));
    if (!contactId) return html(404, pages.notFound());
    return LINKS[`${request.method} ${link[1]}`](s, request, url, { actionId, contactId }, ctx);
  }
  const known = Object.keys(ROUTES).some((r) => r.endsWith(` ${path}`));
  return known
    ? problem(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${url.pathname}`)
    : problem(404, 'NOT_FOUND', `no route ${url.pathname}`);
}

/**
 * For a monitor: the engine version, the last tick, the due backlog and how overdue its oldest
 * entry is. 503 when a send is overdue past `health.maxOverdueMs`: nothing is ticking (no
 * cron, a dead timer), and sends would otherwise stop without a sound. With Durable Objects each
 * contact's alarm is its scheduler and no global backlog exists: `scheduler` says "alarms" and
 * the backlog fields are null.
 */
async function health(s) {
  const at = s.now();
  const { due, oldestDueAt, lastTickAt, scheduler = 'tick' } = await s.runtime.schedule();
  const overdueMs = oldestDueAt === null ? 0 : Math.max(0, at - oldestDueAt);
  const iso = (t) => (t === null ? null : new Date(t).toISOString());
  const ok = overdueMs <= s.settings.maxOverdueMs;
  const body = {
    ok,
    engine: s.o.rekindle.version(),
    scheduler,
    lastTick: iso(lastTickAt),
    due,
    oldestDue: iso(oldestDueAt),
    overdueMs,
    maxOverdueMs: s.settings.maxOverdueMs,
  };
  if (!ok) body.problem = `a send has been due for ${Math.round(overdueMs / 1000)} s: is anything calling POST ${s.settings.basePath}/tick (or startTicker)?`;
  return withHeaders(json(ok ? 200 : 503, body), { 'cache-control': 'no-store' });
}

// ---------- storefront beacon ----------

function corsHeaders(s, request) {
  const origin = request.headers.get('origin');
  if (!origin || !s.beacon.allowedOrigins.includes(origin)) return null;
  return { 'access-control-allow-origin': origin, vary: 'Origin' };
}

async function beaconPreflight(s, request) {
  const cors = corsHeaders(s, request);
  if (!cors) return problem(403, 'ORIGIN_NOT_ALLOWED', 'this origin may not send beacons');
  return reply(204, null, { ...cors, 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type', 'access-control-max-age': '86400' });
}

/**
 * Anyone can send a beacon, so each limit is keyed by what the sender cannot choose (the
 * address the platform saw, an IPv6 /64) and bounds both the work (requests, each at most
 * `maxBytes`) and the state (new shoppers) one address causes per window; the cheap checks
 * come before the body is read.
 */
async function beacon(s, request, url, ctx) {
  const cors = corsHeaders(s, request);
  // Browsers send Origin on cross-site POSTs (and sendBeacon); a missing one is a server client.
  if (request.headers.get('origin') && !cors) return problem(403, 'ORIGIN_NOT_ALLOWED', 'this origin may not send beacons');
  const address = addressKey(clientAddressOf(request, s.env, ctx, s.o.clientAddress));
  if (!s.beacon.perIp.take(address, s.now()) || !s.beacon.total.take('all', s.now())) return refusedBeacon(s, withHeaders(problem(429, 'RATE_LIMITED', 'too many beacons from this address'), cors));
  const body = await readBody(request, s.beacon.maxBytes, { bytes: true });
  const ingested = parseInput(() => s.o.rekindle.ingest.beacon(body, s.o.secrets.salt), s.o.log);
  const shopper = ingested.routed[0].contactId;
  if (!s.beacon.shoppersPerIp.admit(address, shopper, s.now())) {
    return refusedBeacon(s, withHeaders(problem(429, 'RATE_LIMITED', 'too many new shoppers from this address'), cors));
  }
  if (!s.beacon.perShopper.take(`shopper:${shopper}`, s.now())) {
    return refusedBeacon(s, withHeaders(problem(429, 'RATE_LIMITED', 'too many beacons for this shopper'), cors));
  }
  const summary = await s.runtime.ingest(ingested);
  return withHeaders(json(202, summary), cors);
}

function refusedBeacon(s, response) {
  s.refusals.beacon += 1;
  return response;
}

// ---------- provider webhooks ----------

async function shopify(s, request) {
  const raw = await readBody(request, s.maxBytes, { bytes: true });
  if (!(await verifyShopify(s.o.secrets.shopify, raw, request.headers.get('x-shopify-hmac-sha256')))) {
    return problem(401, 'BAD_SIGNATURE', 'X-Shopify-Hmac-Sha256 does not match the body');
  }
  const topic = request.headers.get('x-shopify-topic') ?? '';
  const webhookId = request.headers.get('x-shopify-webhook-id') ?? '';
  // The bytes the signature was checked over are the bytes the engine reads.
  const ingested = parseInput(() => s.o.rekindle.ingest.shopify(topic, webhookId, raw, s.o.secrets.salt, s.now()), s.o.log);
  return json(200, await s.runtime.ingest(ingested));
}

/** Twilio signs the public URL it called, which behind a proxy is not request.url (the path keeps basePath). */
function signedUrl(s, url) {
  return new URL(url.pathname + url.search, s.settings.publicUrl).toString();
}

/**
 * The form's fields once its signature holds, else null: the very map the signature was
 * checked over is the one handed on, so no field reaches the engine unsigned. It has no
 * prototype (`__proto__` is a field like any other, signed or refused, never a setter), and a
 * repeated field is refused: Twilio sends none on these webhooks, and which value counts
 * would be ours to guess.
 */
async function twilioForm(s, request, url) {
  const fields = exactFields(new URLSearchParams(await readBody(request, s.maxBytes)), 'form field');
  const ok = await verifyTwilio(s.o.secrets.twilioAuthToken, signedUrl(s, url), fields, request.headers.get('x-twilio-signature'));
  return ok ? fields : null;
}

/** Name/value pairs as a map without a prototype; a name given twice is refused. */
function exactFields(pairs, what) {
  const fields = Object.create(null);
  for (const [name, value] of pairs) {
    if (Object.hasOwn(fields, name)) throw new HttpProblem(400, 'REPEATED_FIELD', `the ${what} ${JSON.stringify(name)} appears more than once`, `$.${name}`);
    fields[name] = value;
  }
  return fields;
}

async function twilioInbound(s, request, url, ctx) {
  const params = await twilioForm(s, request, url);
  if (!params) return problem(401, 'BAD_SIGNATURE', 'X-Twilio-Signature does not match');
  await s.runtime.ingest(parseInput(() => s.o.rekindle.ingest.twilio('inbound', params, {}, s.o.secrets.salt, s.now()), s.o.log));
  // Keyword answers (STOP, HELP, YES) are engine `reply` actions: send them now, not at the next tick.
  background(ctx, s.runtime.dispatchPending(), s.o.log);
  return reply(200, '<?xml version="1.0" encoding="UTF-8"?><Response></Response>', { 'content-type': 'text/xml' });
}

async function twilioStatus(s, request, url) {
  const params = await twilioForm(s, request, url);
  if (!params) return problem(401, 'BAD_SIGNATURE', 'X-Twilio-Signature does not match');
  // The query is signed as part of the URL; what the engine reads of it is just as exact.
  // Without Rekindle's query (a Messaging Service's callback URL), the SID is found in the ledger.
  const query = exactFields(url.searchParams, 'query parameter');
  const at = s.now();
  return json(200, await s.runtime.ingestMatching((sent) => parseInput(() => s.o.rekindle.ingest.twilio('status', params, query, s.o.secrets.salt, at, sent), s.o.log)));
}

async function sendgrid(s, request) {
  const raw = await readBody(request, s.maxBytes, { bytes: true });
  const timestamp = request.headers.get('x-twilio-email-event-webhook-timestamp');
  const ok = await verifySendgrid(s.o.secrets.sendgridPublicKey, raw, request.headers.get('x-twilio-email-event-webhook-signature'), timestamp);
  if (!ok) return problem(401, 'BAD_SIGNATURE', 'the SendGrid event webhook signature does not match');
  // The signature covers the timestamp, not when it was sent: without a window, a captured
  // request replays for ever. Unix seconds, within `webhooks.maxAgeMs` of our clock either way.
  const sentAt = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) * 1000 : NaN;
  if (!(Math.abs(s.now() - sentAt) <= s.settings.webhookMaxAgeMs)) {
    return problem(401, 'STALE_TIMESTAMP', `the SendGrid event webhook timestamp is not within ${s.settings.webhookMaxAgeMs / 1000} s of now`);
  }
  const body = new TextDecoder().decode(raw);
  return json(200, await s.runtime.ingestMatching((sent) => parseInput(() => s.o.rekindle.ingest.sendgrid(body, sent), s.o.log)));
}

/**
 * Postmark signs nothing: its webhooks are protected by the basic-auth credentials in the
 * webhook URL or a custom header, both set by the merchant in Postmark and checked here in
 * constant time. With neither configured every call is refused.
 */
async function postmark(s, request) {
  const { basicAuth, header } = s.o.secrets.postmarkWebhook ?? {};
  const given = credentials(request, 'basic');
  const viaBasic = basicAuth && given !== '' && (await sameSecret(basicAuth, decodeBasic(given)));
  const viaHeader = header && (await sameSecret(header.value, request.headers.get(header.name) ?? ''));
  if (!viaBasic && !viaHeader) return problem(401, 'BAD_CREDENTIALS', 'the Postmark webhook credentials do not match');
  const raw = await readBody(request, s.maxBytes);
  const at = s.now();
  return json(200, await s.runtime.ingestMatching((sent) => parseInput(() => s.o.rekindle.ingest.postmark(raw, at, sent), s.o.log)));
}

/** `user:password` from a Basic credential (UTF-8), or '' if it is not base64. */
function decodeBasic(encoded) {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(encoded.trim()), (c) => c.charCodeAt(0)));
  } catch {
    return '';
  }
}

// ---------- links in messages ----------

/**
 * The click is recorded (it moves the journey), then the shopper goes to their cart, with the
 * journey's discount code applied once it offered one (`discountLink`: Shopify's shareable
 * discount link by default where the carts come from Shopify, i.e. `secrets.shopify` is set: any
 * other shop would answer /discount/… with a 404; `false` leaves the code to be typed).
 */
async function recoveryLink(s, request, url, { actionId, contactId }) {
  const { url: target, code } = await s.runtime.recoveryTarget(contactId, actionId);
  if (!target || !/^https?:\/\//.test(target) || !s.shopHosts.has(new URL(target).host.toLowerCase())) return html(404, pages.notFound());
  await s.runtime.apply(contactId, { id: `clicked:${actionId}`, at: new Date(s.now()).toISOString(), type: 'clicked', actionId });
  const discountLink = s.o.discountLink ?? (s.o.secrets.shopify ? shopifyDiscountLink : null);
  const location = code && discountLink ? discountLink(target, code) : target;
  // The link's URL carries its token: the shop must not get it as a Referer.
  return reply(302, null, { location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
}

/** RFC 8058 one-click (`List-Unsubscribe=One-Click`) and the landing page's form alike. */
async function unsubscribe(s, request, url, { actionId, contactId }, ctx) {
  await readBody(request, 4 * KIB);
  await s.runtime.apply(contactId, { id: `unsubscribed:${actionId}:email`, at: new Date(s.now()).toISOString(), type: 'unsubscribed', channel: 'email' });
  // The platform hears of it now (onConsentChange), not at the next tick.
  background(ctx, s.runtime.dispatchPending(), s.o.log);
  return html(200, pages.unsubscribed());
}

/** Unticked channels stop. Opting in is not offered here: a web form cannot confirm SMS consent. */
async function preferences(s, request, url, { actionId, contactId }, ctx) {
  const form = new URLSearchParams(await readBody(request, 4 * KIB));
  const stopped = ['email', 'sms'].filter((channel) => form.get(channel) !== 'on');
  for (const channel of stopped) {
    await s.runtime.apply(contactId, { id: `preferences:${actionId}:${channel}`, at: new Date(s.now()).toISOString(), type: 'unsubscribed', channel });
  }
  background(ctx, s.runtime.dispatchPending(), s.o.log);
  return html(200, pages.preferencesSaved(stopped));
}

// ---------- scheduler ----------

async function tick(s, request) {
  if (!(await sameSecret(s.o.secrets.tick, credentials(request, 'bearer')))) return problem(401, 'BAD_CREDENTIALS', 'the tick needs its bearer secret');
  return json(200, await s.runtime.tick());
}

// ---------- measurement ----------

/** Report options a query may set; anything else is refused, so a typo is not silently ignored. */
const REPORT_OPTIONS = { level: 'level', smsSegmentPriceMinor: 'smsSegmentPriceMinor', mixtureSd: 'mixtureSd', power: 'power', sampleRatioAlpha: 'sampleRatioAlpha' };

/**
 * GET /report: what recovery caused, from the outcome log (src/measurement). JSON by default;
 * `?dimension=step` one roll-up; `?format=csv` every roll-up as CSV. Behind its own bearer
 * secret (`secrets.reports`): the figures are the merchant's business, not the public's.
 */
async function report(s, request, url) {
  if (!(await sameSecret(s.o.secrets.reports, credentials(request, 'bearer')))) return problem(401, 'BAD_CREDENTIALS', 'the report needs its bearer secret');
  const options = {};
  let format = 'json';
  let dimension = null;
  for (const [key, value] of url.searchParams) {
    if (key === 'format' && (value === 'json' || value === 'csv')) format = value;
    else if (key === 'dimension') dimension = value;
    else if (REPORT_OPTIONS[key] && value.trim() !== '' && Number.isFinite(Number(value))) options[REPORT_OPTIONS[key]] = Number(value);
    else return problem(400, 'INVALID_FIELD', `query ${key}: not a report option (format=json|csv, dimension, ${Object.keys(REPORT_OPTIONS).join(', ')})`, `$.${key}`);
  }
  const body = await s.runtime.report({ format, dimension, options });
  if (format === 'csv') {
    return reply(200, body, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="rekindle-report.csv"' });
  }
  return json(200, body);
}

// ---------- the operator API (the console's pages call these; operator.js does the work) ----------

const OPERATOR_PREFIX = '/api/operator/';

/** `[method, pattern, (operator, who, params, body, url) => result]`; ids are path segments. */
const OPERATOR_ROUTES = [
  ['POST', /^lookup$/, (op, who, p, body) => op.lookup(who, body)],
  ['GET', /^shoppers\/([^/]+)$/, (op, who, p, body, url) => op.shopper(who, p[0], limitOf(url))],
  ['POST', /^shoppers\/([^/]+)\/pause$/, (op, who, p, body) => op.pause(who, p[0], body)],
  ['POST', /^shoppers\/([^/]+)\/resume$/, (op, who, p, body) => op.resume(who, p[0], body)],
  ['POST', /^shoppers\/([^/]+)\/support-exceptions$/, (op, who, p, body) => op.openSupportException(who, p[0], body)],
  ['POST', /^shoppers\/([^/]+)\/support-exceptions\/([^/]+)\/close$/, (op, who, p) => op.closeSupportException(who, p[0], { id: p[1] })],
  ['POST', /^shoppers\/([^/]+)\/preferences$/, (op, who, p, body) => op.preferences(who, p[0], body)],
  ['POST', /^shoppers\/([^/]+)\/export$/, (op, who, p) => op.exportData(who, p[0])],
  ['POST', /^shoppers\/([^/]+)\/erase$/, (op, who, p) => op.erase(who, p[0])],
  ['GET', /^playbook$/, (op, who) => op.playbook(who)],
  ['POST', /^playbook\/preview$/, (op, who, p, body) => op.preview(who, body.policy)],
  ['POST', /^playbook\/publish$/, (op, who, p, body) => op.publish(who, body.policy, { expected: body.expected })],
  ['POST', /^playbook\/rollback$/, (op, who, p, body) => op.rollback(who, body)],
  ['GET', /^audit$/, (op, who, p, body, url) => op.audit(who, limitOf(url))],
];

/**
 * Behind the bearer secret `secrets.operator` (the console calls operator.js itself, as its
 * signed-in user, without it): the caller names the person acting (`X-Rekindle-Actor`, for the audit log) and their
 * role (`X-Rekindle-Role`: viewer, the default, or operator).
 */
async function operatorApi(s, request, rest, url) {
  if (!(await sameSecret(s.o.secrets.operator, credentials(request, 'bearer')))) return problem(401, 'BAD_CREDENTIALS', 'the operator API needs its bearer secret');
  const route = OPERATOR_ROUTES.find(([method, pattern]) => pattern.test(rest) && method === request.method);
  if (!route) {
    return OPERATOR_ROUTES.some(([, pattern]) => pattern.test(rest))
      ? problem(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${url.pathname}`)
      : problem(404, 'NOT_FOUND', `no route ${url.pathname}`);
  }
  const params = route[1].exec(rest).slice(1).map(decodeOrNull);
  if (params.includes(null)) return problem(404, 'NOT_FOUND', `no route ${url.pathname}`);
  const who = { actor: request.headers.get('x-rekindle-actor') ?? '', role: request.headers.get('x-rekindle-role') ?? 'viewer' };
  const body = request.method === 'POST' ? await jsonBody(readBody(request, s.maxBytes)) : {};
  try {
    return withHeaders(json(200, await route[2](s.operator, who, params, body, url)), { 'cache-control': 'no-store' });
  } catch (error) {
    if (error instanceof OperatorError) {
      return json(error.status, { error: { code: error.code, message: error.message, ...(error.path ? { path: error.path } : {}), ...(error.problems ? { problems: error.problems } : {}) } });
    }
    throw error;
  }
}

async function jsonBody(text) {
  const raw = await text;
  if (raw.trim() === '') return {};
  let body;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new HttpProblem(400, 'MALFORMED_JSON', 'the body is not JSON', '$');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpProblem(400, 'INVALID_FIELD', 'the body is a JSON object', '$');
  return body;
}

function limitOf(url) {
  const limit = Number(url.searchParams.get('limit') ?? NaN);
  return Number.isSafeInteger(limit) && limit > 0 ? { limit } : {};
}

/**
 * GET /report/messages/<actionId>: why this message was sent, months later (src/measurement:
 * the send's policy version, step, angle, offer and the engine's explanation). Behind the
 * reports secret; 404 when the log has no such send (or its record is past retention).
 */
async function messageRecord(s, request, actionId) {
  if (!(await sameSecret(s.o.secrets.reports, credentials(request, 'bearer')))) return problem(401, 'BAD_CREDENTIALS', 'the report needs its bearer secret');
  if (!actionId || actionId.length > 256) return problem(400, 'INVALID_FIELD', 'not a message id', '$.actionId');
  const found = await s.runtime.message(actionId);
  return found ? json(200, found) : problem(404, 'NOT_FOUND', 'no message with this id in the log');
}

/** The credentials of `Authorization: <scheme> <credentials>`, or ''. The scheme is case-insensitive (RFC 9110 11.1). */
function credentials(request, scheme) {
  const match = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) +(\S+) *$/.exec(request.headers.get('authorization') ?? '');
  return match && match[1].toLowerCase() === scheme ? match[2] : '';
}

/** Constant-time: compare HMACs of both under a throwaway key, never the strings. */
async function sameSecret(expected, given) {
  if (!expected || !given) return false;
  const key = crypto.getRandomValues(new Uint8Array(32));
  const [a, b] = await Promise.all([hmac(key, expected), hmac(key, given)]);
  let diff = 0;
  for (let i = 0; i < a.length; i += 1) diff |= a[i] ^ b[i];
  return diff === 0;
}

// ---------- plumbing ----------

/** A path segment's %-escapes decoded, or null when they are not valid UTF-8 escapes. */
function decodeOrNull(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/**
 * Read at most `limit` bytes; a larger body is refused before it is buffered whole. The body
 * is a stream (a Request's), or bytes an adapter already read (node.js reads a small body whole).
 */
async function readBody(request, limit, { bytes = false } = {}) {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) throw new HttpProblem(413, 'TOO_LARGE', `the body exceeds ${limit} bytes`);
  const all = ArrayBuffer.isView(request.body) ? request.body : await readStream(request.body, limit);
  if (all.byteLength > limit) throw new HttpProblem(413, 'TOO_LARGE', `the body exceeds ${limit} bytes`);
  return bytes ? all : new TextDecoder().decode(all);
}

async function readStream(body, limit) {
  const chunks = [];
  let size = 0;
  if (body) {
    const reader = body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel();
        throw new HttpProblem(413, 'TOO_LARGE', `the body exceeds ${limit} bytes`);
      }
      chunks.push(value);
    }
  }
  if (chunks.length === 1) return chunks[0];
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return all;
}

function background(ctx, promise, log) {
  const guarded = promise.catch((error) => log?.('error', 'background work failed', { error: String(error?.message ?? error) }));
  if (ctx?.waitUntil) ctx.waitUntil(guarded);
}

// Engine contract errors (bad payloads) are the caller's fault: 400, or 413 for size.
const CONTRACT_STATUS = { TOO_LARGE: 413 };

function failure(error, log) {
  if (error instanceof HttpProblem) return problem(error.status, error.code, error.message, error.path);
  if (error?.name === 'RekindleError' && !['ENGINE_TRAPPED', 'NOT_INITIALIZED'].includes(error.code)) {
    return problem(CONTRACT_STATUS[error.code] ?? 400, error.code, error.message, error.path);
  }
  log?.('error', 'request failed', { error: String(error?.message ?? error) });
  // 5xx: providers retry later, and nothing was half-stored (every commit is atomic).
  return problem(503, 'UNAVAILABLE', 'temporarily unable to process this request; retry later');
}

// Routes answer plain replies, `{ status, headers, body }` (body a string, bytes or null),
// made a Response only for a host that wants one (toResponse); the console's pages answer
// Responses, which pass through both ways.
function reply(status, body, headers) {
  return { status, headers, body };
}

function toResponse(answer) {
  return isResponse(answer) ? answer : new Response(answer.body, { status: answer.status, headers: answer.headers });
}

// Told apart by shape, not `instanceof Response`: in Node the first touch of the global loads
// its fetch implementation (undici, 80-170 ms of a cold start), which the Node adapter never needs.
const isResponse = (answer) => typeof answer.arrayBuffer === 'function';

function html(status, body) {
  return reply(status, body, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...pages.PAGE_HEADERS });
}

function json(status, body) {
  return reply(status, JSON.stringify(body), { 'content-type': 'application/json' });
}

function problem(status, code, message, path) {
  return json(status, { error: { code, message, ...(path ? { path } : {}) } });
}

function withHeaders(answer, headers) {
  if (!headers) return answer;
  if (isResponse(answer)) {
    for (const [k, v] of Object.entries(headers)) answer.headers.set(k, v);
    return answer;
  }
  return { ...answer, headers: { ...answer.headers, ...headers } };
}
