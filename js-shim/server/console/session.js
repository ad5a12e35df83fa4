// Who is signed in to the console, without a session table: a cookie holding the operator's
// name, a random session id and an expiry, signed with HMAC-SHA256 under `secrets.console`
// (WebCrypto, so it is the same on Workers, Vercel Edge, Deno and Node). CSRF tokens are HMACs
// of the session id: a page from another site can neither read the cookie nor compute one.
// Passwords are kept only as PBKDF2-SHA256 hashes (`hashPassword`).

import { base64ToBytes, bytesToBase64, hmac } from '../signatures.js';

const subtle = () => globalThis.crypto.subtle;
const utf8 = new TextEncoder();

// Cloudflare Workers' WebCrypto refuses PBKDF2 above 100,000 iterations (workerd issue 1346);
// a hash made with more would lock every operator out of a Worker. OWASP asks 600,000 for
// PBKDF2-SHA256: where every host is Node or Deno, pass `iterations` to hashPassword.
export const DEFAULT_ITERATIONS = 100_000;
const MAX_ITERATIONS = 10_000_000; // a configured hash may not make one sign-in cost minutes

const base64url = (bytes) => bytesToBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
function fromBase64url(text) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const padded = text.replace(/-/g, '+').replace(/_/g, '/');
  return base64ToBytes(padded + '='.repeat((4 - (padded.length % 4)) % 4));
}

export const randomToken = (bytes = 16) => base64url(crypto.getRandomValues(new Uint8Array(bytes)));

async function pbkdf2(password, salt, iterations) {
  const key = await subtle().importKey('raw', utf8.encode(password), 'PBKDF2', false, ['deriveBits']);
  return new Uint8Array(await subtle().deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256));
}

/** `pbkdf2-sha256$<iterations>$<salt, base64>$<hash, base64>`: what `console.users[].passwordHash` holds. */
export async function hashPassword(password, { iterations = DEFAULT_ITERATIONS } = {}) {
  if (typeof password !== 'string' || password.length === 0) throw new TypeError('hashPassword: a non-empty password');
  const salt = crypto.getRandomValues(new Uint8Array(16));
  return `pbkdf2-sha256$${iterations}$${bytesToBase64(salt)}$${bytesToBase64(await pbkdf2(password, salt, iterations))}`;
}

/** The parts of a stored hash, or null when it is not one `hashPassword` makes. */
export function parseHash(stored) {
  const m = /^pbkdf2-sha256\$(\d{1,8})\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(String(stored ?? ''));
  const iterations = m && Number(m[1]);
  const salt = m && base64ToBytes(m[2]);
  const hash = m && base64ToBytes(m[3]);
  if (!m || !(iterations >= 1000 && iterations <= MAX_ITERATIONS) || !salt || salt.length < 8 || !hash || hash.length !== 32) return null;
  return { iterations, salt, hash };
}

/** Constant-time: every byte is compared whatever the first difference. */
function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i += 1) diff |= a[i] ^ b[i];
  return diff === 0;
}

// A hash to check against when the name is unknown, so a wrong name costs what a wrong password does.
const DECOY = { iterations: DEFAULT_ITERATIONS, salt: new Uint8Array(16), hash: new Uint8Array(32) };

/** The configured user if `password` is theirs, else null (same work either way). */
export async function checkPassword(users, name, password) {
  const user = users.find((u) => u.name === name);
  const parsed = user ? parseHash(user.passwordHash) : DECOY;
  const derived = await pbkdf2(String(password ?? ''), parsed.salt, parsed.iterations);
  return user && equalBytes(derived, parsed.hash) ? user : null;
}

async function sign(secret, purpose, text) {
  return base64url(await hmac(secret, `rekindle-console\u001f${purpose}\u001f${text}`));
}

/** The cookie value for a fresh session: `<payload>.<signature>`, payload `{n, s, e}` as base64url JSON. */
export async function sessionCookieValue(secret, name, expiresAt) {
  const payload = base64url(utf8.encode(JSON.stringify({ n: name, s: randomToken(), e: expiresAt })));
  return `${payload}.${await sign(secret, 'session', payload)}`;
}

/** `{ name, sid, expiresAt }` of a cookie value whose signature holds and that has not expired, else null. */
export async function readSession(secret, value, now) {
  const [payload, signature, extra] = String(value ?? '').split('.');
  if (!payload || !signature || extra !== undefined) return null;
  const expected = utf8.encode(await sign(secret, 'session', payload));
  if (!equalBytes(expected, utf8.encode(signature))) return null;
  let data;
  try {
    data = JSON.parse(new TextDecoder().decode(fromBase64url(payload)));
  } catch {
    return null;
  }
  if (typeof data?.n !== 'string' || typeof data?.s !== 'string' || !(data.e > now)) return null;
  return { name: data.n, sid: data.s, expiresAt: data.e };
}

/** The CSRF token of a session (or of the sign-in form's nonce). */
export const csrfToken = (secret, sid) => sign(secret, 'csrf', sid);

export async function checkCsrf(secret, sid, given) {
  if (!sid || typeof given !== 'string') return false;
  return equalBytes(utf8.encode(await csrfToken(secret, sid)), utf8.encode(given));
}

/** The value of cookie `name` in a Cookie header, or null. */
export function cookie(request, name) {
  for (const part of (request.headers.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/**
 * Set-Cookie for the console: HttpOnly (no script reads it), Secure, SameSite=Strict (no
 * other site's form or link carries it) and scoped to the console's path. `maxAgeS` 0 clears it.
 */
export function setCookie(name, value, path, maxAgeS) {
  return `${name}=${value}; Path=${path}; Max-Age=${maxAgeS}; HttpOnly; Secure; SameSite=Strict`;
}
