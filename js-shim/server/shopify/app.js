// The Shopify app around Rekindle: install and auth (both of Shopify's paths), webhook
// subscriptions, per-shop tenancy and uninstall. Shopify's own @shopify/shopify-api does the
// protocol work (the install request's HMAC, the OAuth `state` nonce in a signed cookie, the
// code and token-exchange grants, session-token verification, webhook HMACs, the Admin GraphQL
// client); this file decides what each request means for Rekindle. Every request is in the
// fetch shape (Request → Response), so the same app runs on Node and on Workers. Each shop's
// Rekindle gets the Shopify hooks by default (discount codes minted, consent written back, over
// that shop's own offline token) and its storefront beacons through the app proxy.

import '@shopify/shopify-api/adapters/web-api';
import { LogSeverity, RequestedTokenType, shopifyApi } from '@shopify/shopify-api';
import { abstractFetch } from '@shopify/shopify-api/runtime';
import { createHandler } from '../handler.js';
import { RekindleConfigError } from '../settings.js';
import { ADMIN_API_VERSION, ShopifyAdminError, adminFromToken } from './admin.js';
import { appProxy } from './app-proxy.js';
import { shopifyConsentSync } from './consent-sync.js';
import { giftFact, giftRungProblems, policyWithGift, policyWithoutGift, shopifyCoupons } from './discounts.js';
import { encryptedSessions, tokenKey } from './sessions.js';
import { guardTransports, shopBasePath, shopSecret } from './tenancy.js';
import { COMPLIANCE_TOPICS, registerWebhooks } from './topics.js';

const KIB = 1024;
const CALLBACK_PATH = '/auth/callback';
const WEBHOOK_PATH = '/webhooks/shopify';
// shopify.app.toml's `[app_proxy] url` is the app URL plus this: the storefront's `/apps/rekindle/…`.
const PROXY_PATH = '/proxy';

/**
 * @param {object | ((env) => object | Promise<object>)} options (see pkg/server-shopify.d.ts)
 * @returns the fetch-shape handler, with `tick()`, `shopRuntime(shop)`, `installed(shop)` and `installedShops()`.
 */
export function createShopifyApp(options) {
  let ready;
  const setUp = (env) => {
    ready ??= (async () => configure(typeof options === 'function' ? await options(env) : options))();
    ready.catch(() => {
      ready = undefined;
    });
    return ready;
  };
  const handler = async (request, env, ctx) => {
    const app = await setUp(env);
    try {
      return await route(app, request, ctx);
    } catch (error) {
      return failure(error, app.log);
    }
  };
  handler.tick = async (env) => (await setUp(env)).tickAll();
  handler.shopRuntime = async (shop, env) => (await (await setUp(env)).shopHandler(shop)).runtime();
  handler.installed = async (shop, env) => (await setUp(env)).installed(shop);
  handler.installedShops = async (env) => (await setUp(env)).installedShops();
  /**
   * The options a shop's Rekindle runs on (its store, guarded transports, derived secrets, base
   * path): what `contactObject` needs on Workers, where each contact's alarm runs the runtime.
   */
  handler.shopOptions = async (shop, env) => (await setUp(env)).shopOptions(shop);
  return handler;
}

async function configure(o) {
  for (const name of ['apiKey', 'apiSecret', 'appUrl', 'sessionStorage', 'shop']) {
    if (!o?.[name]) throw new RekindleConfigError('MISSING_OPTION', name, 'required');
  }
  if (!o.secrets?.salt) throw new RekindleConfigError('MISSING_SECRET', 'secrets.salt', 'required: each shop\'s own secrets are derived from it');
  const appUrl = new URL(o.appUrl);
  const log = o.log ?? (() => {});
  const shopify = shopifyApi({
    apiKey: o.apiKey,
    apiSecretKey: o.apiSecret,
    scopes: o.scopes ?? ['read_orders', 'read_customers', 'write_customers', 'write_discounts', 'write_app_proxy'],
    hostName: appUrl.host,
    hostScheme: appUrl.protocol === 'http:' ? 'http' : 'https',
    apiVersion: o.apiVersion ?? '2026-01',
    isEmbeddedApp: true,
    // The library's messages can quote a session token: credentials are cut before logging.
    logger: { level: LogSeverity.Warning, log: async (severity, message) => log(severity <= LogSeverity.Error ? 'error' : 'warn', 'shopify-api', { message: redact(message) }) },
  });
  const sessions = encryptedSessions(o.sessionStorage, await tokenKey(o.tokenKey));
  const handlers = new Map(); // shop → Promise of its handler, built once per process or isolate

  /** Installed = an offline token is stored. Read without decrypting: cheap enough per send. */
  const installed = async (shop) => (await sessions.inner.findSessionsByShop(shop)).some((s) => !s.isOnline);

  /**
   * The shop's Admin GraphQL client, over its offline token as stored now (decrypted at each
   * call: a reinstall's new token is used at once; after uninstall there is none, a permanent
   * failure). Sent through the Shopify library's fetch, so it goes where the app's other Admin
   * calls go; pinned to ADMIN_API_VERSION, the schema the discount and consent operations are
   * validated against.
   */
  function shopAdmin(shop) {
    let current = { token: null, client: null };
    return {
      async request(query, variables) {
        const session = await sessions.loadSession(shopify.session.getOfflineId(shop));
        if (!session?.accessToken) throw new ShopifyAdminError('NOT_INSTALLED', 'the shop has no offline token', { permanent: true });
        if (current.token !== session.accessToken) {
          const client = adminFromToken({ shop, accessToken: session.accessToken, apiVersion: ADMIN_API_VERSION, fetch: (...args) => abstractFetch(...args), ...(o.sleep ? { sleep: o.sleep } : {}) });
          current = { token: session.accessToken, client };
        }
        return current.client.request(query, variables);
      },
    };
  }

  /** One shop's Rekindle options: the deployer's for it, plus what the app owns (links, secrets, the uninstall guard, the Shopify hooks). */
  async function shopOptions(shop) {
    const own = await o.shop(shop);
    const admin = shopAdmin(shop);
    const giftless = !(own.onCouponRequest || own.gift);
    const [salt, links, tick] = await Promise.all([
      shopSecret(o.secrets.salt, shop, 'salt'),
      shopSecret(o.secrets.links ?? o.secrets.salt, shop, 'links'),
      o.secrets.tick ? shopSecret(o.secrets.tick, shop, 'tick') : undefined,
    ]);
    return {
      rekindle: o.rekindle,
      now: o.now,
      sleep: o.sleep,
      log,
      development: o.development,
      ...own,
      secrets: { ...own.secrets, salt, links, tick, shopify: o.apiSecret },
      publicUrl: appUrl.origin,
      basePath: appUrl.pathname.replace(/\/$/, '') + shopBasePath(shop),
      transports: guardTransports(own.transports, () => installed(shop)),
      shopDomains: own.shopDomains ?? [shop],
      beacon: own.beacon ?? { allowedOrigins: [`https://${shop}`] },
      // The deployer's own hooks win; without them, codes are minted and consent written in this shop.
      onCouponRequest: own.onCouponRequest ?? shopifyCoupons({ admin, gift: own.gift, ...(o.now ? { now: o.now } : {}) }),
      // A shop with no gift to give is never offered one, nor publishes one; a shop with one
      // names it in the gift's message (discounts.js).
      policy: giftless ? policyWithoutGift(own.policy ?? (await defaultPolicy(o.rekindle))) : await namedGift(shop, own, admin),
      playbookRules: own.playbookRules ?? (giftless ? giftRungProblems : undefined),
      onConsentChange: own.onConsentChange ?? shopifyConsentSync({ admin }),
    };
  }

  /**
   * The shop's policy with its gift named (`facts.gift`), read once as the shop's handler starts.
   * Shopify unreachable or the variant gone: the gift copy stays general rather than the shop
   * not starting (the discount itself would then fail for the variant, and say so).
   */
  const giftNames = new Map(); // shop → its gift's name, asked once (a Worker asks for a shop's options per contact object)
  async function namedGift(shop, own, admin) {
    if (!own.gift) return own.policy;
    const key = `${shop} ${own.gift.variantId} ${own.gift.title ?? ''}`;
    if (!giftNames.has(key)) {
      giftNames.set(key, giftFact({ admin, gift: own.gift }).catch((error) => {
        if (error?.name === 'RekindleConfigError') throw error;
        giftNames.delete(key); // asked again by the next handler built
        log('warn', 'gift not named: Shopify did not answer', { shop, code: error?.code ?? null });
        return null;
      }));
    }
    const fact = await giftNames.get(key);
    if (!fact) return own.policy;
    return policyWithGift(own.policy ?? (await defaultPolicy(o.rekindle)), fact);
  }

  /** The package's default playbook (the engine must be loaded to hand it out). */
  async function defaultPolicy(rekindle) {
    await rekindle.init();
    return rekindle.defaultPolicy();
  }

  const shopHandler = (shop) => {
    if (!handlers.has(shop)) {
      const building = (async () => createHandler(await shopOptions(shop)))();
      building.catch(() => handlers.delete(shop));
      handlers.set(shop, building);
    }
    return handlers.get(shop);
  };

  async function installedShops() {
    const known = sessions.shops ? await sessions.shops() : [...handlers.keys()];
    const out = [];
    for (const shop of known) if (await installed(shop)) out.push(shop);
    return out;
  }

  /** Every installed shop's due sends; an uninstalled shop is not ticked at all. */
  async function tickAll() {
    const total = { shops: 0, due: 0, sent: 0, failed: 0, retrying: 0 };
    for (const shop of await installedShops()) {
      const outcome = await (await (await shopHandler(shop)).runtime()).tick();
      total.shops += 1;
      for (const [k, v] of Object.entries(outcome)) total[k] = (total[k] ?? 0) + v;
    }
    return total;
  }

  /** Store the offline token (encrypted), then subscribe the shop's webhooks. */
  async function install(session, how) {
    await sessions.storeSession(session);
    const webhooks = await registerWebhooks(shopify, session, new URL(WEBHOOK_PATH.slice(1), withSlash(appUrl)).toString(), undefined, o.sleep ? { sleep: o.sleep } : {});
    log('info', 'shop installed', { shop: session.shop, via: how, webhooksCreated: webhooks.created.length, webhooksExisting: webhooks.existing.length });
    return webhooks;
  }

  /** `app/uninstalled`: the tokens go, and with them every send (guardTransports) and tick. */
  async function uninstall(shop) {
    const ids = (await sessions.inner.findSessionsByShop(shop)).map((s) => s.id);
    if (ids.length) await sessions.deleteSessions(ids);
    log('info', 'shop uninstalled', { shop, tokensDeleted: ids.length });
  }

  const base = appUrl.pathname.replace(/\/$/, '');
  /** `/apps/rekindle/beacon` on a storefront, signed by Shopify: that shop's `/beacon`, installed shops only. */
  const proxy = appProxy({
    secret: o.apiSecret,
    proxyPath: `${base}${PROXY_PATH}`,
    now: o.now ?? Date.now,
    async forward(request, { shop }, env, ctx) {
      if (!(await installed(shop))) return problem(404, 'NOT_FOUND', 'no such shop here');
      const url = new URL(request.url);
      url.pathname = `${base}${shopBasePath(shop)}${url.pathname}`;
      const body = ['GET', 'HEAD'].includes(request.method) ? undefined : await request.arrayBuffer();
      return (await shopHandler(shop))(new Request(url, { method: request.method, headers: request.headers, body }), env, ctx);
    },
  });

  return { o, log, shopify, sessions, appUrl, installed, installedShops, shopOptions, shopHandler, tickAll, install, uninstall, proxy };
}

async function route(app, request, ctx) {
  const url = new URL(request.url);
  const base = app.appUrl.pathname.replace(/\/$/, '');
  if (!url.pathname.startsWith(`${base}/`) && url.pathname !== base) return problem(404, 'NOT_FOUND', `no route ${url.pathname}`);
  const path = url.pathname.slice(base.length) || '/';
  const shopRoute = /^\/shops\/([^/]+)(\/.*)$/.exec(path);
  if (shopRoute) return forwardToShop(app, request, shopRoute[1], ctx);
  if (path === PROXY_PATH || path.startsWith(`${PROXY_PATH}/`)) return app.proxy(request, undefined, ctx);
  const key = `${request.method} ${path}`;
  if (key === 'GET /') return home(app, request, url);
  if (key === `GET ${CALLBACK_PATH}`) return callback(app, request);
  if (key === 'POST /auth/session') return embeddedInstall(app, bearer(request));
  if (key === `POST ${WEBHOOK_PATH}`) return webhook(app, request, url, ctx);
  if (key === 'POST /tick' || key === 'GET /tick') return tick(app, request);
  if (key === 'GET /health') return json(200, { ok: true, shops: (await app.installedShops()).length });
  return problem(404, 'NOT_FOUND', `no route ${url.pathname}`);
}

// ---------- install and auth ----------

/**
 * The app URL. With `id_token` (Shopify's admin loading the embedded app, managed install):
 * token exchange. With `hmac` (the install link, or the admin opening a non-embedded app):
 * the HMAC is checked, then an installed shop sees its page and any other goes through the
 * authorization-code grant.
 */
async function home(app, request, url) {
  const query = Object.fromEntries(url.searchParams);
  if (query.id_token) return embeddedInstall(app, query.id_token);
  if (!query.hmac) return problem(400, 'MISSING_FIELD', 'the install request carries shop, timestamp and hmac', '$.query.hmac');
  if (!(await app.shopify.utils.validateHmac(query))) return problem(401, 'BAD_SIGNATURE', 'the install request\'s hmac does not match', '$.query.hmac');
  const shop = checkedShop(app, query.shop);
  if (await app.installed(shop)) return page(app, shop);
  return app.shopify.auth.begin({ shop, callbackPath: app.appUrl.pathname.replace(/\/$/, '') + CALLBACK_PATH, isOnline: false, rawRequest: request });
}

/** Shopify redirects here with `code`, `state`, `shop`, `timestamp` and `hmac`: all checked by the library. */
async function callback(app, request) {
  const { session, headers } = await app.shopify.auth.callback({ rawRequest: request });
  await app.install(session, 'authorizationCode');
  // Back into the admin, where the embedded app opens (and the state cookie is cleared).
  const response = new Response(null, { status: 302, headers });
  response.headers.set('location', `https://${session.shop}/admin/apps/${app.o.apiKey}`);
  return response;
}

/**
 * Managed installation: Shopify installed the app already and the admin hands us a session
 * token (a JWT, HS256 under the app secret, `dest` = the shop). Verified, then exchanged for
 * an offline token, once per shop: a shop that has one is not exchanged again.
 */
async function embeddedInstall(app, sessionToken) {
  if (!sessionToken) return problem(401, 'MISSING_SESSION_TOKEN', 'Authorization: Bearer <session token> is required', '$.headers.authorization');
  const claims = await app.shopify.session.decodeSessionToken(sessionToken);
  const shop = checkedShop(app, hostOf(claims.dest), '$.sessionToken.dest');
  if (!(await app.installed(shop))) {
    const { session } = await app.shopify.auth.tokenExchange({ shop, sessionToken, requestedTokenType: RequestedTokenType.OfflineAccessToken });
    await app.install(session, 'tokenExchange');
  }
  return page(app, shop);
}

// ---------- webhooks, by the shop that sent them ----------

async function webhook(app, request, url, ctx) {
  const raw = await readText(request, 1024 * KIB);
  const check = await app.shopify.webhooks.validate({ rawBody: raw, rawRequest: request });
  if (!check.valid) {
    return check.reason === 'invalid_hmac' ? problem(401, 'BAD_SIGNATURE', 'X-Shopify-Hmac-Sha256 does not match the body') : problem(400, 'MISSING_HEADER', `webhook refused: ${check.reason}`, '$.headers');
  }
  const shop = checkedShop(app, check.domain, '$.headers.x-shopify-shop-domain');
  const topic = request.headers.get('x-shopify-topic');
  if (topic === 'app/uninstalled') {
    await app.uninstall(shop);
    return json(200, { uninstalled: true });
  }
  // After uninstall only the compliance topics are read: `shop/redact` comes 48 hours later.
  if (!COMPLIANCE_TOPICS.includes(topic) && !(await app.installed(shop))) return json(200, { ignored: 'not installed' });
  const forwarded = new Request(new URL(`${shopPrefix(app, shop)}${WEBHOOK_PATH}`, url), { method: 'POST', headers: request.headers, body: raw });
  return (await app.shopHandler(shop))(forwarded, undefined, ctx);
}

/** A shop's own routes (links in its messages, its beacon, its report): installed shops only. */
async function forwardToShop(app, request, candidate, ctx) {
  const shop = app.shopify.utils.sanitizeShop(candidate);
  if (!shop || !(await app.installed(shop))) return problem(404, 'NOT_FOUND', 'no such shop here');
  return (await app.shopHandler(shop))(request, undefined, ctx);
}

async function tick(app, request) {
  const given = bearer(request);
  if (!app.o.secrets.tick || !given || !(await sameSecret(app.o.secrets.tick, given))) return problem(401, 'BAD_CREDENTIALS', 'the tick needs its bearer secret');
  return json(200, await app.tickAll());
}

// ---------- plumbing ----------

const shopPrefix = (app, shop) => app.appUrl.pathname.replace(/\/$/, '') + shopBasePath(shop);
const withSlash = (url) => (url.href.endsWith('/') ? url.href : `${url.href}/`);

function hostOf(dest) {
  try {
    return new URL(dest).host;
  } catch {
    return null;
  }
}

class AppProblem extends Error {
  constructor(status, code, message, path) {
    super(message);
    Object.assign(this, { status, code, path });
  }
}

function checkedShop(app, candidate, path = '$.query.shop') {
  const shop = typeof candidate === 'string' ? app.shopify.utils.sanitizeShop(candidate) : null;
  if (!shop) throw new AppProblem(400, 'INVALID_SHOP', 'not a shop domain (<name>.myshopify.com)', path);
  return shop;
}

function bearer(request) {
  const match = /^Bearer +(\S+) *$/i.exec(request.headers.get('authorization') ?? '');
  return match ? match[1] : '';
}

async function sameSecret(a, b) {
  const key = await crypto.subtle.importKey('raw', crypto.getRandomValues(new Uint8Array(32)), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const enc = new TextEncoder();
  const [x, y] = await Promise.all([a, b].map(async (s) => new Uint8Array(await crypto.subtle.sign('HMAC', key, enc.encode(s)))));
  return x.every((v, i) => v === y[i]);
}

async function readText(request, limit) {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) throw new AppProblem(413, 'TOO_LARGE', `the body exceeds ${limit} bytes`);
  const text = await request.text();
  if (new TextEncoder().encode(text).length > limit) throw new AppProblem(413, 'TOO_LARGE', `the body exceeds ${limit} bytes`);
  return text;
}

const JWT = /[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g;
const TOKEN = /\bshp[a-z]{2}_[A-Za-z0-9]+/g;
const redact = (message) => String(message).replace(JWT, '[jwt]').replace(TOKEN, '[token]');

/** Shopify's library throws typed errors; each is answered with a stable code. */
const LIBRARY_ERRORS = {
  InvalidJwtError: [401, 'INVALID_SESSION_TOKEN', '$.sessionToken'],
  MissingJwtTokenError: [401, 'MISSING_SESSION_TOKEN', '$.headers.authorization'],
  InvalidHmacError: [401, 'BAD_SIGNATURE', '$.query.hmac'],
  InvalidOAuthError: [401, 'BAD_SIGNATURE', '$.query.hmac'],
  CookieNotFound: [400, 'MISSING_STATE', '$.cookies.shopify_app_state'],
  InvalidShopError: [400, 'INVALID_SHOP', '$.query.shop'],
  BotActivityDetected: [410, 'BOT_REFUSED', '$.headers.user-agent'],
  HttpResponseError: [502, 'SHOPIFY_REFUSED', undefined],
};

function failure(error, log) {
  if (error instanceof AppProblem) return problem(error.status, error.code, error.message, error.path);
  const known = LIBRARY_ERRORS[error?.constructor?.name];
  if (known) {
    log('warn', 'shopify request refused', { code: known[1] });
    // The library's message can quote the token or the shop's reply: the code says enough.
    return problem(known[0], known[1], known[1].toLowerCase().replace(/_/g, ' '), known[2]);
  }
  if (error?.name === 'RekindleConfigError') {
    log('error', 'configuration refused', { code: error.code, path: error.path });
    return problem(500, error.code, error.message, error.path);
  }
  log('error', 'shopify app request failed', { code: error?.code ?? null, error: redact(error?.message ?? error) });
  return problem(503, 'UNAVAILABLE', 'temporarily unable to process this request; retry later');
}

function page(app, shop) {
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Rekindle</title>
<meta name="shopify-api-key" content="${esc(app.o.apiKey)}"><script src="https://cdn.shopify.com/shopifycloud/app-bridge.js"></script></head>
<body><main><h1>Rekindle</h1><p>Cart recovery is on for <strong>${esc(shop)}</strong>.</p></main></body></html>`;
  return new Response(body, { status: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
}

function json(status, body) {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

function problem(status, code, message, path) {
  return json(status, { error: { code, message, ...(path ? { path } : {}) } });
}
