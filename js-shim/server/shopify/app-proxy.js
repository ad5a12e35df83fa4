// Shopify's app proxy: the storefront's `/apps/rekindle/...` is forwarded by Shopify to the app's
// proxy URL, so the storefront embed's beacons are first-party requests to the shop's own
// domain (no third-party host for a blocker to filter, no CORS). Shopify adds `shop`,
// `logged_in_customer_id`, `path_prefix`, `timestamp` and `signature` to the query; anyone can
// call the proxy URL directly, so every request is verified before anything reads it.
//
// The signature (Shopify, "Authenticate app proxies"): HMAC-SHA256, hex, keyed by the app's
// client secret, over every query parameter but `signature`, each as `key=value` with the values
// of a repeated key joined by commas, sorted, and concatenated with no separator. Values are
// compared decoded (`path_prefix=/apps/awesome_reviews`). Shopify's example with the secret
// `hush` is in tests/shopify/app-proxy.test.mjs.

import { clientAddressOf } from '../client-address.js';
import { hmac } from '../signatures.js';

const SHOPIFY_PARAMS = ['shop', 'logged_in_customer_id', 'path_prefix', 'timestamp', 'signature'];
const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

/**
 * The proxy's verified parameters, or null when the signature does not hold (or is missing,
 * or the shop is not a shop domain, or the timestamp is further than `maxAgeMs` from `now`).
 * @returns {Promise<null | { shop: string, loggedInCustomerId: string | null, pathPrefix: string, timestamp: number }>}
 */
export async function verifyAppProxy(secret, url, { now = Date.now(), maxAgeMs = 300_000 } = {}) {
  if (!secret) return null;
  const params = new URL(url).searchParams;
  const given = params.getAll('signature');
  if (given.length !== 1 || !/^[0-9a-f]{64}$/.test(given[0])) return null;
  const values = new Map();
  for (const [key, value] of params) {
    if (key === 'signature') continue;
    values.set(key, [...(values.get(key) ?? []), value]);
  }
  const message = [...values].map(([key, list]) => `${key}=${list.join(',')}`).sort().join('');
  const expected = hex(await hmac(secret, message));
  let diff = 0;
  for (let i = 0; i < expected.length; i += 1) diff |= expected.charCodeAt(i) ^ given[0].charCodeAt(i);
  if (diff !== 0) return null;
  const shop = params.get('shop') ?? '';
  const timestamp = Number(params.get('timestamp'));
  if (!SHOP_DOMAIN.test(shop) || !Number.isFinite(timestamp)) return null;
  // A signed URL seen once (a log, a shared link) must not work for ever.
  if (Math.abs(now - timestamp * 1000) > maxAgeMs) return null;
  return { shop, loggedInCustomerId: params.get('logged_in_customer_id') || null, pathPrefix: params.get('path_prefix') ?? '', timestamp };
}

// Whose address a proxied request is: it arrives from Shopify's servers, so the address the
// platform vouches for (the socket, CF-Connecting-IP) is Shopify's, one for every shopper of
// every shop. Shopify's proxy forwards the shopper's own address in `X-Forwarded-For`: its
// "Authenticate app proxies" page (shopify.dev/docs/apps/build/online-store/app-proxies/
// authenticate-app-proxies) lists the headers the forwarded request adds, `X-Forwarded-Host`
// ("the domain name of the client's request") and `X-Forwarded-For` ("the client IP address").
// `X-Ip-Metadata` (geo data) is not documented and has arrived only on some requests since
// April 2024 (Shopify/shopify-app-js#867), so it is not read. The header is only Shopify's when the signature held:
// for a request that was not verified it is never read. Shopify appends the shopper to what
// the browser sent, and an edge in front of the app (Cloudflare, a proxy of ours) may append the
// address that reached it, which is Shopify's: that entry is dropped, then the last one is the
// shopper. Anything but an address there leaves the platform's address as the key.
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const IPV6 = /^[0-9a-f.]*:[0-9a-f:.]*$/i;
const isAddress = (text) => text.length <= 45 && (IPV4.test(text) || IPV6.test(text));

/** The shopper's address of a verified proxy request, given the address that connected (`platform`). */
export function proxiedClientAddress(headers, platform) {
  const chain = (headers.get('x-forwarded-for') ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
  if (chain.length > 1 && chain.at(-1) === platform) chain.pop();
  const shopper = chain.at(-1);
  return shopper && isAddress(shopper) ? shopper : platform;
}

/**
 * A fetch-style handler for the proxy URL's path (`proxyPath`, e.g. `/proxy` when
 * shopify.app.toml says `[app_proxy] url = "https://app.example/proxy"`). A verified request
 * under an allowed sub-path is handed to `forward(request, { shop, loggedInCustomerId, clientAddress }, env, ctx)`
 * rewritten to that sub-path (`/proxy/beacon` → `/beacon` under `basePath`), Shopify's parameters
 * removed and its `Origin` and `Cookie` dropped (the signature, not the browser, vouches for it:
 * the page was the shop's own); anything else is 401 or 404. Returns null for a path outside
 * `proxyPath`, so it composes with the app's other routes. The forwarded `ctx.clientAddress` is
 * the shopper's (`proxiedClientAddress`); `clientAddress(request, env)` is the deployment's own
 * way to the connecting address where the platform gives none (as the handler's option).
 */
export function appProxy({ secret, forward, proxyPath = '/proxy', basePath = '', allow = ['/beacon'], maxAgeMs = 300_000, now = Date.now, clientAddress: platformAddress }) {
  if (!secret) throw new TypeError('appProxy: secret (the app\'s client secret) is required');
  if (typeof forward !== 'function') throw new TypeError('appProxy: forward(request, { shop }) is required');
  const prefix = proxyPath.replace(/\/$/, '');
  return async (request, env, ctx) => {
    const url = new URL(request.url);
    if (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) return null;
    const verified = await verifyAppProxy(secret, url, { now: now(), maxAgeMs });
    if (!verified) return problem(401, 'BAD_SIGNATURE', 'the app proxy signature does not match');
    const rest = url.pathname.slice(prefix.length) || '/';
    if (!allow.includes(rest)) return problem(404, 'NOT_FOUND', `no proxied route ${rest}`);
    const inner = new URL(`${basePath}${rest}`, url);
    for (const [key, value] of url.searchParams) if (!SHOPIFY_PARAMS.includes(key)) inner.searchParams.append(key, value);
    const headers = new Headers(request.headers);
    headers.delete('origin');
    headers.delete('cookie');
    const body = ['GET', 'HEAD'].includes(request.method) ? undefined : await request.arrayBuffer();
    // Rate limits count the shopper, not Shopify: the handler reads `ctx.clientAddress` first.
    const clientAddress = proxiedClientAddress(request.headers, clientAddressOf(request, env, ctx, platformAddress));
    const innerCtx = { clientAddress, waitUntil: (promise) => ctx?.waitUntil?.(promise) };
    return forward(new Request(inner, { method: request.method, headers, body }), { shop: verified.shop, loggedInCustomerId: verified.loggedInCustomerId, clientAddress }, env, innerCtx);
  };
}

function hex(bytes) {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function problem(status, code, message) {
  return new Response(JSON.stringify({ error: { code, message } }), { status, headers: { 'content-type': 'application/json' } });
}
