// Inside the Shopify admin the console is an embedded app: Shopify's session token (App Bridge's
// `id_token` on the URL the admin loads, or `Authorization: Bearer <token>` on its fetches)
// authenticates instead of the password and cookie (a cookie in the admin's cross-site frame is
// not sent: SameSite=Strict, and browsers block third-party cookies). The token is a JWT, HS256
// under the app's secret, `aud` the app's API key, `dest` the shop. Checked here with WebCrypto
// (the same on Workers, Vercel Edge, Deno and Node, and no @shopify/shopify-api in a bundle that
// only serves a console); shopify.dev: "Session tokens for embedded apps".

import { hmac } from '../signatures.js';

const utf8 = new TextEncoder();
const LEEWAY_S = 5; // clocks differ a little; Shopify's tokens live one minute

function decodePart(part) {
  if (typeof part !== 'string' || !/^[A-Za-z0-9_-]+$/.test(part)) return null;
  try {
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0))));
  } catch {
    return null;
  }
}

const base64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

function equalText(a, b) {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  if (x.length !== y.length) return false;
  let diff = 0;
  for (let i = 0; i < x.length; i += 1) diff |= x[i] ^ y[i];
  return diff === 0;
}

const hostOf = (url) => {
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
};

/**
 * The token's claims when it is Shopify's for this app and this shop and is current at `nowMs`;
 * else `{ refused }` saying why (for the log: never the token).
 */
export async function verifySessionToken(token, { apiKey, secret, shop, nowMs }) {
  const [h, p, s, extra] = String(token ?? '').split('.');
  if (!h || !p || !s || extra !== undefined) return { refused: 'malformed' };
  const header = decodePart(h);
  if (header?.alg !== 'HS256') return { refused: 'algorithm' }; // never "none", never another key type
  if (!equalText(base64url(await hmac(secret, `${h}.${p}`)), s)) return { refused: 'signature' };
  const claims = decodePart(p);
  if (!claims || typeof claims !== 'object') return { refused: 'malformed' };
  const now = Math.floor(nowMs / 1000);
  if (!(Number.isFinite(claims.exp) && claims.exp + LEEWAY_S > now)) return { refused: 'expired' };
  if (Number.isFinite(claims.nbf) && claims.nbf - LEEWAY_S > now) return { refused: 'not yet valid' };
  const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audience.includes(apiKey)) return { refused: 'audience' };
  // `dest` is the shop the token is for; `iss` its admin: both must be this console's shop.
  if (hostOf(claims.dest) !== shop || hostOf(claims.iss) !== shop) return { refused: 'shop' };
  return { claims };
}

/** The token a request carries: `Authorization: Bearer`, else the `id_token` App Bridge puts on the URL. */
export function sessionTokenOf(request, url) {
  const auth = request.headers.get('authorization') ?? '';
  const m = /^Bearer\s+(\S+)$/i.exec(auth);
  return m ? m[1] : url.searchParams.get('id_token');
}
