// Who is asking, for rate limits: an address the client cannot choose. A forwarding header is
// whatever the client wrote unless a proxy we trust wrote it, so each platform's answer is its
// own: the adapters (node.js, lambda.js) pass the address they trust as `ctx.clientAddress`;
// on Workers it is `CF-Connecting-IP` (Cloudflare sets it and drops a client's own); on Vercel
// `X-Real-IP` (Vercel overwrites it, "Request headers" in Vercel's docs); elsewhere the
// merchant's `clientAddress(request, env)` option. Nothing trusted: every such request shares
// one budget ('unknown'), which fails closed rather than open.

import { RekindleConfigError } from './settings.js';

/** The address the platform vouches for, or 'unknown'. */
export function clientAddressOf(request, env, ctx, chooser) {
  const given = (typeof ctx?.clientAddress === 'string' && ctx.clientAddress)
    || (chooser && chooser(request, env))
    || platformAddress(request);
  return given ? String(given).trim() : 'unknown';
}

function platformAddress(request) {
  // Cloudflare documents navigator.userAgent as the way to tell workerd apart.
  if (globalThis.navigator?.userAgent === 'Cloudflare-Workers') return request.headers.get('cf-connecting-ip');
  if (globalThis.process?.env?.VERCEL === '1') return request.headers.get('x-real-ip');
  return null;
}

/**
 * The key a limit counts under. An IPv6 client is given a whole /64 (RFC 6177 assigns at least
 * that to a site; SLAAC needs it), so rotating through it is one client; an IPv4-mapped IPv6
 * address is its IPv4 address.
 */
export function addressKey(address) {
  const ip = address.replace(/^\[|\](:\d+)?$/g, '').replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1];
  if (!ip.includes(':')) return ip.slice(0, 64);
  const groups = ipv6Groups(ip);
  return groups ? `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64` : ip.slice(0, 64);
}

function ipv6Groups(ip) {
  const halves = ip.split('::');
  if (halves.length > 2) return null;
  const split = (s) => (s ? s.split(':') : []);
  const head = split(halves[0]);
  const tail = split(halves[1]);
  const last = halves.length === 2 ? tail : head;
  if (last.at(-1)?.includes('.')) {
    const octets = last.at(-1).split('.').map(Number);
    if (octets.length !== 4 || octets.some((o) => !(o >= 0 && o <= 255))) return null;
    last.splice(-1, 1, ((octets[0] << 8) | octets[1]).toString(16), ((octets[2] << 8) | octets[3]).toString(16));
  }
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return null;
  const groups = [...head, ...Array(halves.length === 2 ? fill : 0).fill('0'), ...tail];
  return groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g)) ? groups : null;
}

/**
 * `trustProxy` of the Node adapters, checked once:
 * - false (default): the socket's address; every forwarding header is ignored;
 * - `{ hops: n }`: n proxies we run sit in front, each appending the address it saw to
 *   X-Forwarded-For; the client is the entry n places from the right of that list plus the
 *   socket (entries further left are whatever the client wrote); `true` means `{ hops: 1 }`;
 * - `{ header: 'fly-client-ip' }`: a header the platform's edge sets and overwrites
 *   (Fly's Fly-Client-IP, CF-Connecting-IP behind Cloudflare): safe only when the server can
 *   be reached through that edge alone.
 */
export function checkTrustProxy(trustProxy) {
  if (trustProxy === undefined || trustProxy === false || trustProxy === null) return null;
  if (trustProxy === true) return { hops: 1 };
  if (typeof trustProxy === 'object' && Number.isSafeInteger(trustProxy.hops) && trustProxy.hops >= 0 && trustProxy.header === undefined) return { hops: trustProxy.hops };
  if (typeof trustProxy === 'object' && typeof trustProxy.header === 'string' && /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(trustProxy.header) && trustProxy.hops === undefined) {
    return { header: trustProxy.header.toLowerCase() };
  }
  throw new RekindleConfigError('INVALID_OPTION', 'trustProxy', 'false, true (one proxy), { hops: <whole number> } or { header: <header name> }');
}

/** The client address under `trust` (from checkTrustProxy), given the request's headers and the socket's address. */
export function forwardedAddress(trust, headers, socketAddress) {
  const socket = socketAddress ?? 'unknown';
  if (!trust) return socket;
  if (trust.header) return headers.get(trust.header)?.trim() || socket;
  const chain = [...(headers.get('x-forwarded-for') ?? '').split(',').map((s) => s.trim()).filter(Boolean), socket];
  return chain[Math.max(0, chain.length - 1 - trust.hops)];
}
