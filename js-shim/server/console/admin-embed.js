// The console as an embedded app in the Shopify admin, where its pages run no script of their
// own. A document request there carries the session token only when App Bridge put it on the
// URL (`id_token`), and the token lives a minute. Shopify's documented pattern for document
// requests (shopify.dev "Set up embedded app authorization"; @shopify/shopify-app-remix does the
// same): a request from inside the admin (its `embedded`, `host` and `shop` parameters) without a
// current token is sent to a small bounce page that loads App Bridge from Shopify's CDN, which
// reloads the `shopify-reload` URL with a fresh `id_token`. So every in-console link and form the
// console renders in the admin carries those parameters and the token it was rendered with:
// followed within the minute it works at once, later it bounces once and works. Why not App
// Bridge on every page: it adds the token to `fetch` only, not to links or form posts, so the
// pages would need a script of ours as well; the bounce keeps them script-free.

import { html } from './html.js';

/** Shopify's App Bridge: the only script the bounce page may run (shopify.dev "App Bridge"). */
export const APP_BRIDGE = 'https://cdn.shopify.com/shopifycloud/app-bridge.js';
/** The console's bounce route, under its base. */
export const BOUNCE = '/session-token';
const ADMIN_PARAMS = ['embedded', 'host', 'shop'];

/** The shop's Shopify admin origins: the only pages that may frame the embedded console. */
export const adminOrigins = (shop) => `https://${shop} https://admin.shopify.com`;

/** The admin's parameters on this request (`embedded`, `host`, `shop`), or null when it is not from inside the admin. */
export function adminParams(url, shop) {
  const found = new URLSearchParams();
  for (const k of ADMIN_PARAMS) if (url.searchParams.has(k)) found.set(k, url.searchParams.get(k));
  // Another shop's parameters are not this console's admin: no bounce for them.
  if (found.has('shop') && found.get('shop') !== shop) return null;
  return found.get('embedded') === '1' || found.has('host') ? found : null;
}

/** Where a bounced request goes: to the bounce page, which reloads `target` (absolute) with a fresh token. */
export function bounceTo({ base, params, target }) {
  const q = new URLSearchParams(params);
  q.set('shopify-reload', target);
  return `${base}${BOUNCE}?${q}`;
}

/**
 * The bounce page: App Bridge (Shopify's script, the API key in its meta tag) reloads the
 * `shopify-reload` URL with `id_token`. Only a URL in this console is reloaded: App Bridge would
 * hand a token to any URL it is given. Its CSP allows exactly App Bridge's script.
 */
export function bouncePage({ url, base, apiKey, shop }) {
  const target = safeTarget(url.searchParams.get('shopify-reload'), url.origin, base);
  const headers = {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': `default-src 'none'; script-src ${APP_BRIDGE}; frame-ancestors ${adminOrigins(shop)}; base-uri 'none'; form-action 'none'`,
    'referrer-policy': 'same-origin',
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  };
  if (!target) return new Response('That reload address is not in this console.', { status: 400, headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' } });
  const body = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">
<meta name="shopify-api-key" content="${apiKey}"><script src="${APP_BRIDGE}"></script>
<title>Rekindle console</title></head><body><p>Opening the console…</p></body></html>`.toString();
  return new Response(body, { status: 200, headers });
}

function safeTarget(value, origin, base) {
  try {
    const u = new URL(value ?? '');
    return u.origin === origin && (u.pathname === base || u.pathname.startsWith(`${base}/`)) && !u.pathname.startsWith(`${base}${BOUNCE}`) ? u : null;
  } catch {
    return null;
  }
}

/** `path` (under the console) with the admin's parameters and the current token added. */
export function withSession(path, carry) {
  const [p, query = ''] = path.split('?');
  const q = new URLSearchParams(query);
  q.delete('id_token');
  for (const [k, v] of carry) q.set(k, v);
  return `${p}?${q}`;
}

/**
 * A console response rendered for the admin, its in-console links, form actions, frames and
 * redirect carrying the admin's parameters and the token (HTML-escaped `&amp;` in attributes).
 */
export async function carrySession(response, { base, carry }) {
  const headers = new Headers(response.headers);
  const location = headers.get('location');
  if (location?.startsWith(`${base}/`)) headers.set('location', withSession(location, carry));
  if (!(headers.get('content-type') ?? '').startsWith('text/html')) return new Response(response.body, { status: response.status, headers });
  const text = await response.text();
  const escaped = base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const attr = new RegExp(`(href|action|src)="(${escaped}(?:/[^"]*)?)"`, 'g');
  const out = text.replace(attr, (all, name, value) => (value.endsWith('.css') ? all : `${name}="${withSession(value.replace(/&amp;/g, '&'), carry).replace(/&/g, '&amp;')}"`));
  return new Response(out, { status: response.status, headers });
}
