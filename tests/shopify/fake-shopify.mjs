// A fake Shopify on 127.0.0.1 speaking the wire formats an app meets: the merchant's approval
// at /admin/oauth/authorize (a 302 back to the app's redirect_uri with code, hmac, host, shop,
// state and timestamp, the hmac over the sorted query as Shopify documents), POST
// /admin/oauth/access_token (the authorization-code grant, and the token-exchange grant with
// Shopify's exact grant_type, subject_token_type and requested_token_type, the session token
// checked as Shopify does: HS256 under the app secret, aud = client id, dest = the shop), and a
// minimal Admin GraphQL endpoint (/admin/api/<version>/graphql.json) for webhookSubscriptionCreate,
// whose inputs are checked against the documented WebhookSubscriptionInput fields and
// WebhookSubscriptionTopic values; given `admin` (fake-admin.mjs's adminExecutor), every other
// operation at its version is that executor's, validated against Shopify's Admin schema, under
// the token this fake issued for the shop: one fake for the whole app. With `admin`,
// webhookSubscriptionCreate is charged to the same cost bucket and rate limit as every other
// Admin call of the shop (THROTTLED, 429 with Retry-After). Webhooks go out signed (X-Shopify-Hmac-Sha256, base64
// HMAC-SHA256 of the raw body) only to the subscriptions that exist, so a test proves the app
// registered them. Many shops, one server: the shop is the host the app called
// (`https://<shop>/...`, routed here by `routeToFake`), carried in X-Forwarded-Host.
//
// Signing and verification use node:crypto, independent of the WebCrypto and jose code under test.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { API_VERSION as ADMIN_SCHEMA_VERSION } from './fake-admin.mjs';

// WebhookSubscriptionInput (Admin GraphQL 2025-10 and later): `uri` replaced `callbackUrl`.
const SUBSCRIPTION_INPUT_FIELDS = new Set(['uri', 'callbackUrl', 'format', 'filter', 'includeFields', 'metafieldNamespaces', 'metafields', 'name']);
// The WebhookSubscriptionTopic values the app may ask for (a subset of Shopify's enum).
const TOPIC_ENUM = new Set(['APP_UNINSTALLED', 'CHECKOUTS_CREATE', 'CHECKOUTS_UPDATE', 'ORDERS_CREATE', 'ORDERS_PAID', 'ORDERS_CANCELLED', 'ORDERS_EDITED', 'REFUNDS_CREATE', 'CUSTOMERS_MARKETING_CONSENT_UPDATE', 'CUSTOMERS_EMAIL_MARKETING_CONSENT_UPDATE', 'CUSTOMERS_CREATE', 'CUSTOMERS_UPDATE']);
const COMPLIANCE = new Set(['customers/data_request', 'customers/redact', 'shop/redact']);

const b64url = (buf) => Buffer.from(buf).toString('base64url');

/** The query string Shopify signs: every parameter but hmac, sorted, `k=v` joined with `&`. */
export function signQuery(secret, params) {
  const message = Object.keys(params).filter((k) => k !== 'hmac' && k !== 'signature').sort().map((k) => `${k}=${params[k]}`).join('&');
  return createHmac('sha256', secret).update(message).digest('hex');
}

/** A session token as Shopify's admin issues it (HS256 JWT, claims per Shopify's docs). */
export function sessionToken({ apiKey, apiSecret, shop, userId = '42', nowSec = Math.floor(Date.now() / 1000), ttlSec = 60, sid = randomBytes(8).toString('hex') }) {
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(JSON.stringify({
    iss: `https://${shop}/admin`, dest: `https://${shop}`, aud: apiKey, sub: userId,
    exp: nowSec + ttlSec, nbf: nowSec - 5, iat: nowSec - 5, jti: randomBytes(8).toString('hex'), sid,
  }));
  const signature = createHmac('sha256', apiSecret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

function verifySessionToken(token, { apiKey, apiSecret }) {
  const parts = String(token).split('.');
  if (parts.length !== 3) return null;
  const expected = createHmac('sha256', apiSecret).update(`${parts[0]}.${parts[1]}`).digest();
  const given = Buffer.from(parts[2], 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const header = JSON.parse(Buffer.from(parts[0], 'base64url'));
  const claims = JSON.parse(Buffer.from(parts[1], 'base64url'));
  const now = Math.floor(Date.now() / 1000);
  if (header.alg !== 'HS256' || claims.aud !== apiKey || claims.exp < now || claims.nbf > now + 5) return null;
  return claims;
}

/**
 * `apiKey`/`apiSecret`: the app's client id and secret. `appUrl`: the app's public URL
 * (for the compliance webhooks, which shopify.app.toml subscribes app-wide).
 */
export async function fakeShopify({ apiKey, apiSecret, scopes = 'read_orders,read_customers,write_customers,write_discounts,write_app_proxy', complianceUri, admin }) {
  const shops = new Map(); // shop → { codes: Map, tokens: Set, subscriptions: [{ id, topic, uri }] }
  const requests = []; // { shop, method, path, body } as received
  const shopState = (shop) => {
    if (!shops.has(shop)) shops.set(shop, { codes: new Map(), tokens: new Set(), subscriptions: [], installed: false });
    return shops.get(shop);
  };
  const send = (res, status, body, headers = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const raw = Buffer.concat(chunks).toString('utf8');
    const shop = req.headers['x-forwarded-host'];
    const url = new URL(req.url, `https://${shop}`);
    requests.push({ shop, method: req.method, path: url.pathname, body: raw });
    if (!shop || !/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(shop)) return send(res, 404, { errors: 'Not Found' });
    const state = shopState(shop);

    if (req.method === 'POST' && url.pathname === '/admin/oauth/access_token') {
      // Shopify accepts JSON or a form; the library sends JSON.
      const body = req.headers['content-type']?.includes('json') ? JSON.parse(raw || '{}') : Object.fromEntries(new URLSearchParams(raw));
      if (body.client_id !== apiKey || body.client_secret !== apiSecret) return send(res, 400, { error: 'invalid_client', error_description: 'Client credentials are invalid' });
      let grant;
      if (body.grant_type === 'urn:ietf:params:oauth:grant-type:token-exchange') {
        if (body.subject_token_type !== 'urn:ietf:params:oauth:token-type:id_token') return send(res, 400, { error: 'invalid_request', error_description: 'subject_token_type' });
        if (body.requested_token_type !== 'urn:shopify:params:oauth:token-type:offline-access-token') return send(res, 400, { error: 'invalid_request', error_description: 'requested_token_type' });
        const claims = verifySessionToken(body.subject_token, { apiKey, apiSecret });
        if (!claims || claims.dest !== `https://${shop}`) return send(res, 400, { error: 'invalid_subject_token', error_description: 'The session token is invalid' });
        grant = 'tokenExchange';
      } else if (body.code !== undefined) {
        if (!state.codes.has(body.code)) return send(res, 400, { error: 'invalid_request', error_description: 'The authorization code was not found or was already used' });
        state.codes.delete(body.code); // single use
        grant = 'authorizationCode';
      } else {
        return send(res, 400, { error: 'unsupported_grant_type', error_description: 'unsupported grant' });
      }
      const token = `shpat_${randomBytes(16).toString('hex')}`;
      state.tokens.add(token);
      state.installed = true;
      state.grants = [...(state.grants ?? []), { grant, body }];
      return send(res, 200, { access_token: token, scope: scopes });
    }

    const gql = /^\/admin\/api\/(\d{4}-\d{2}|unstable)\/graphql\.json$/.exec(url.pathname);
    if (req.method === 'POST' && gql) {
      if (!state.tokens.has(req.headers['x-shopify-access-token'])) {
        return send(res, 401, { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
      }
      const { query, variables = {} } = JSON.parse(raw);
      let cost = { requestedQueryCost: 10, actualQueryCost: 10, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1990, restoreRate: 100 } };
      const subscribing = /\bwebhookSubscriptionCreate\b/.test(query ?? '');
      if (admin && subscribing) {
        // One shop, one cost bucket: a subscription is charged like any mutation (and refused like one).
        const gated = admin.gate(shop, 10);
        if (gated.refused) return send(res, gated.refused.status, gated.refused.body, gated.refused.headers);
        cost = gated.cost;
      }
      if (admin && !subscribing) {
        // The schema is one version's: another version's path is not served (as fake-admin).
        if (gql[1] !== ADMIN_SCHEMA_VERSION) return send(res, 404, { errors: 'Not Found' });
        const { status, body, headers } = admin.answer(shop, raw);
        return send(res, status, body, headers);
      }
      if (!/mutation\b[\s\S]*webhookSubscriptionCreate\s*\(\s*topic:\s*\$topic\s*,\s*webhookSubscription:\s*\$webhookSubscription\s*\)/.test(query)
        || !/\$topic:\s*WebhookSubscriptionTopic!/.test(query) || !/\$webhookSubscription:\s*WebhookSubscriptionInput!/.test(query)) {
        return send(res, 200, { errors: [{ message: 'this fake answers webhookSubscriptionCreate(topic: WebhookSubscriptionTopic!, webhookSubscription: WebhookSubscriptionInput!) only', extensions: { code: 'UNSUPPORTED' } }] });
      }
      if (!TOPIC_ENUM.has(variables.topic)) {
        return send(res, 200, { errors: [{ message: `Variable $topic of type WebhookSubscriptionTopic! was provided invalid value`, extensions: { code: 'INVALID_VARIABLE', value: variables.topic } }] });
      }
      const input = variables.webhookSubscription ?? {};
      const unknown = Object.keys(input).filter((k) => !SUBSCRIPTION_INPUT_FIELDS.has(k));
      if (unknown.length || (input.format && !['JSON', 'XML'].includes(input.format))) {
        return send(res, 200, { errors: [{ message: 'Variable $webhookSubscription of type WebhookSubscriptionInput! was provided invalid value', extensions: { code: 'INVALID_VARIABLE', problems: unknown.map((k) => ({ path: [k], explanation: 'Field is not defined on WebhookSubscriptionInput' })) } }] });
      }
      const uri = input.uri ?? input.callbackUrl;
      const topic = variables.topic.toLowerCase().replace('_', '/').replace(/^customers\/marketing_consent_update$/, 'customers_marketing_consent/update').replace(/^customers\/email_marketing_consent_update$/, 'customers_email_marketing_consent/update');
      let userErrors = [];
      if (!/^https?:\/\//.test(uri ?? '')) userErrors = [{ field: ['webhookSubscription', 'uri'], message: 'Address is invalid' }];
      else if (state.subscriptions.some((s) => s.topic === topic && s.uri === uri)) userErrors = [{ field: ['webhookSubscription', 'callbackUrl'], message: 'Address for this topic has already been taken' }];
      let webhookSubscription = null;
      if (!userErrors.length) {
        webhookSubscription = { id: `gid://shopify/WebhookSubscription/${state.subscriptions.length + 1}${randomBytes(2).toString('hex')}`, topic: variables.topic, uri };
        state.subscriptions.push({ id: webhookSubscription.id, topic, uri });
      }
      return send(res, 200, { data: { webhookSubscriptionCreate: { webhookSubscription, userErrors } }, extensions: { cost } });
    }
    return send(res, 404, { errors: 'Not Found' });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;

  /** POST `body` for `topic` from `shop`, signed, to `uri`. */
  const deliver = (shop, topic, body, uri, { webhookId = `wh-${randomBytes(6).toString('hex')}`, hmac } = {}) => fetch(uri, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': topic,
      'x-shopify-hmac-sha256': hmac ?? createHmac('sha256', apiSecret).update(body, 'utf8').digest('base64'),
      'x-shopify-shop-domain': shop,
      'x-shopify-webhook-id': webhookId,
      'x-shopify-triggered-at': new Date().toISOString(),
      'x-shopify-event-id': randomBytes(8).toString('hex'),
      'x-shopify-api-version': '2026-01',
    },
    body,
  });

  return {
    origin,
    shops,
    requests,
    /**
     * The merchant clicks "Install": the install URL Shopify opens on the app (`shop`,
     * `timestamp`, `host`, signed).
     */
    installUrl(appUrl, shop) {
      const params = { host: b64url(`admin.shopify.com/store/${shop.split('.')[0]}`), shop, timestamp: String(Math.floor(Date.now() / 1000)) };
      const url = new URL(appUrl);
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
      url.searchParams.set('hmac', signQuery(apiSecret, params));
      return url.toString();
    },
    /**
     * The merchant approves the grant at `authorizeUrl` (what the app redirected to): Shopify
     * answers 302 to redirect_uri with a fresh code, signed. Returns that Location.
     */
    approve(authorizeUrl) {
      const url = new URL(authorizeUrl);
      const shop = url.host;
      if (url.pathname !== '/admin/oauth/authorize' || url.searchParams.get('client_id') !== apiKey) throw new Error(`not an authorize URL for this app: ${authorizeUrl}`);
      const code = randomBytes(12).toString('hex');
      shopState(shop).codes.set(code, url.searchParams.get('scope'));
      const params = { code, host: b64url(`admin.shopify.com/store/${shop.split('.')[0]}`), shop, state: url.searchParams.get('state'), timestamp: String(Math.floor(Date.now() / 1000)) };
      const back = new URL(url.searchParams.get('redirect_uri'));
      for (const [k, v] of Object.entries(params)) back.searchParams.set(k, v);
      back.searchParams.set('hmac', signQuery(apiSecret, params));
      return back.toString();
    },
    sessionToken: (shop) => sessionToken({ apiKey, apiSecret, shop }),
    /** Shopify sends `topic` to every subscription the shop has for it (compliance: the toml's URI). Returns the responses. */
    async emit(shop, topic, body, options) {
      const uris = COMPLIANCE.has(topic) ? [complianceUri] : shopState(shop).subscriptions.filter((s) => s.topic === topic).map((s) => s.uri);
      return Promise.all(uris.map((uri) => deliver(shop, topic, body, uri, options)));
    },
    deliver,
    /** The merchant uninstalls: tokens revoked, subscriptions gone, then app/uninstalled is sent to them. */
    async uninstall(shop, shopJson) {
      const state = shopState(shop);
      const responses = await this.emit(shop, 'app/uninstalled', shopJson);
      state.tokens.clear();
      state.subscriptions = [];
      state.installed = false;
      return responses;
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}

/**
 * A fetch that sends every `https://<shop>.myshopify.com/...` request to the fake (the app's
 * code is unchanged: it calls Shopify's URLs; only where they lead differs), and anything else
 * to the real fetch.
 */
export function routeToFake(origin, realFetch = globalThis.fetch) {
  return (input, init = {}) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    if (url.protocol !== 'https:' || !url.hostname.endsWith('.myshopify.com')) return realFetch(input, init);
    const headers = new Headers(init.headers ?? (input instanceof Request ? input.headers : undefined));
    headers.set('x-forwarded-host', url.host);
    return realFetch(`${origin}${url.pathname}${url.search}`, { ...init, headers, method: init.method ?? (input instanceof Request ? input.method : 'GET'), body: init.body ?? (input instanceof Request ? input.body : undefined), duplex: 'half' });
  };
}

// ---------- the merchant's side, as both app tests drive it ----------

/** The merchant's browser (Shopify's library answers 410 to a bot's user agent, such as Node's). */
export const BROWSER = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';
export const browserGet = (url, headers = {}) => fetch(url, { redirect: 'manual', headers: { 'user-agent': BROWSER, ...headers } });
export const cookiesOf = (response) => response.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
/** What one shop sent, told apart by the shop's own base path in the links. */
export const shopMails = (sendgrid, shop) => sendgrid.mails.filter((m) => m.mail.headers['List-Unsubscribe'].includes(`/shops/${shop}/`));
export const shopSms = (twilio, shop) => twilio.messages.filter((m) => m.form.StatusCallback.includes(`/shops/${shop}/`));
