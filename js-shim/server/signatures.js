// Inbound webhook signatures, checked with WebCrypto (available in Workers, Vercel Edge,
// Deno and Node 20 alike), or with Node's own HMAC where the host offers it. Every check is
// constant-time: HMACs are compared through crypto.subtle.verify or timingSafeEqual, never
// string equality.

const subtle = () => globalThis.crypto.subtle;
// In Node, a WebCrypto HMAC is two jobs on the thread pool (import the key, then sign or
// verify): about 1 ms of a signed webhook's time on one core (BENCHMARKS.md, issue 20).
// node:crypto's is synchronous and takes microseconds. Reached through
// process.getBuiltinModule (Node 20.16+), so no bundle for another runtime imports it.
const nodeCrypto = globalThis.process?.getBuiltinModule?.('node:crypto') ?? null;
const NODE_HASH = { 'SHA-256': 'sha256', 'SHA-1': 'sha1' };
const utf8 = new TextEncoder();
const bytes = (data) => (typeof data === 'string' ? utf8.encode(data) : data);

export function base64ToBytes(text) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return null;
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) out[i] = binary.charCodeAt(i);
  return out;
}

export function bytesToBase64(data) {
  let binary = '';
  for (const b of new Uint8Array(data)) binary += String.fromCharCode(b);
  return btoa(binary);
}

export function bytesToHex(data) {
  return [...new Uint8Array(data)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function hmacKey(secret, hash) {
  return subtle().importKey('raw', bytes(secret), { name: 'HMAC', hash }, false, ['sign', 'verify']);
}

export async function hmac(secret, message, hash = 'SHA-256') {
  if (nodeCrypto) return new Uint8Array(nodeCrypto.createHmac(NODE_HASH[hash], bytes(secret)).update(bytes(message)).digest());
  return new Uint8Array(await subtle().sign('HMAC', await hmacKey(secret, hash), bytes(message)));
}

async function verifyHmac(secret, message, signatureBase64, hash) {
  const signature = base64ToBytes(signatureBase64);
  if (!secret || !signature || signature.length === 0) return false;
  if (nodeCrypto) {
    const expected = await hmac(secret, message, hash);
    return expected.length === signature.length && nodeCrypto.timingSafeEqual(expected, signature);
  }
  return subtle().verify('HMAC', await hmacKey(secret, hash), signature, bytes(message));
}

/** Shopify: `X-Shopify-Hmac-Sha256` is base64(HMAC-SHA256(app secret, raw body bytes)). */
export function verifyShopify(secret, rawBody, header) {
  return verifyHmac(secret, rawBody, header, 'SHA-256');
}

/**
 * Twilio: `X-Twilio-Signature` is base64(HMAC-SHA1(auth token, URL + each form param's name
 * and value, sorted by name)). Twilio may sign the URL with or without the default port, so
 * both spellings are tried, as its own validators do.
 */
export async function verifyTwilio(authToken, url, params, header) {
  // A repeated parameter contributes each distinct value, in sorted order.
  const suffix = Object.keys(params)
    .sort()
    .map((name) => {
      const values = Array.isArray(params[name]) ? [...new Set(params[name])].sort() : [params[name]];
      return values.map((value) => name + value).join('');
    })
    .join('');
  for (const candidate of urlSpellings(url)) {
    if (await verifyHmac(authToken, candidate + suffix, header, 'SHA-1')) return true;
  }
  return false;
}

/**
 * Twilio JSON webhooks: the URL carries `bodySHA256=<hex sha256 of the body>` and the
 * signature covers the URL alone; the body must then hash to that value.
 */
export async function verifyTwilioJson(authToken, url, rawBody, header) {
  const claimed = new URL(url).searchParams.get('bodySHA256');
  if (!claimed) return false;
  const actual = bytesToHex(await subtle().digest('SHA-256', bytes(rawBody)));
  if (actual !== claimed.toLowerCase()) return false;
  return verifyTwilio(authToken, url, {}, header);
}

function urlSpellings(url) {
  const parsed = new URL(url);
  const defaultPort = parsed.protocol === 'https:' ? '443' : parsed.protocol === 'http:' ? '80' : '';
  const spellings = [url];
  if (!/^[a-z]+:\/\/[^/]*:\d+/i.test(url) && defaultPort) {
    // Insert the default port explicitly, keeping credentials and everything else as given.
    spellings.push(url.replace(/^([a-z]+:\/\/(?:[^@/]*@)?[^/:?#]+)/i, `$1:${defaultPort}`));
  } else if (parsed.port === '' && defaultPort) {
    spellings.push(url.replace(new RegExp(`:${defaultPort}(?=[/?#]|$)`), ''));
  }
  return spellings;
}

/**
 * SendGrid event webhook: ECDSA P-256 / SHA-256 over UTF-8(timestamp + raw body); the header
 * holds a base64 DER signature, the merchant's verification key is base64 SPKI.
 */
export async function verifySendgrid(publicKeyBase64, rawBody, signatureHeader, timestampHeader) {
  const spki = base64ToBytes(publicKeyBase64 ?? '');
  const der = base64ToBytes(signatureHeader ?? '');
  if (!spki || !der || !timestampHeader) return false;
  const signature = derToP1363(der, 32);
  if (!signature) return false;
  let key;
  try {
    key = await subtle().importKey('spki', spki, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
  } catch {
    return false;
  }
  const body = bytes(rawBody);
  const message = new Uint8Array(utf8.encode(timestampHeader).length + body.length);
  message.set(utf8.encode(timestampHeader), 0);
  message.set(body, message.length - body.length);
  return subtle().verify({ name: 'ECDSA', hash: 'SHA-256' }, key, signature, message);
}

/** WebCrypto wants ECDSA signatures as r‖s (IEEE P1363); SendGrid sends ASN.1 DER. */
function derToP1363(der, size) {
  // SEQUENCE { INTEGER r, INTEGER s }, short-form lengths (P-256 signatures are < 128 bytes).
  if (der[0] !== 0x30 || der[1] !== der.length - 2) return null;
  const out = new Uint8Array(size * 2);
  let at = 2;
  for (const offset of [0, size]) {
    if (der[at] !== 0x02) return null;
    const length = der[at + 1];
    let value = der.subarray(at + 2, at + 2 + length);
    if (value.length !== length) return null;
    while (value.length > size && value[0] === 0) value = value.subarray(1);
    if (value.length > size) return null;
    out.set(value, offset + size - value.length);
    at += 2 + length;
  }
  return at === der.length ? out : null;
}
