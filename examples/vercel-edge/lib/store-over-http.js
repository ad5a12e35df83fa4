// The Rekindle store, reached over HTTP. An Edge Function cannot open a TCP connection, so none
// of the stores Rekindle ships (SQLite, Redis through ioredis, Postgres) can run there; this file
// lets the engine run at the edge while the store runs in a Node.js function of the same project.
// Each store call is one POST; each is atomic in the store behind it (Redis runs every commit,
// claim and outcome as one Lua script), so the compare-and-set and the leases hold as they do
// in-process. The price: a round trip per call (three for a Shopify checkout webhook: resolve,
// load, commit; seven for a tick that sends one message).

/**
 * The edge side: a RekindleStore (the contract in rekindle's server.d.ts) whose every call is a
 * POST to `url` with the bearer `secret`. Any method name is forwarded, so the contract can grow
 * without this file changing; the other side refuses what its store does not have.
 */
export function storeOverHttp({ url, secret }) {
  if (!url || !secret) throw new TypeError('storeOverHttp: url and secret are required');
  const call = async (method, args) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ method, args }),
    });
    // Any failure throws: the handler answers 503 and the provider retries; nothing was half-stored.
    if (response.status !== 200) throw new Error(`store ${method}: HTTP ${response.status}`);
    return (await response.json()).result;
  };
  const close = async () => {}; // the connection is the Node function's to keep
  return new Proxy({}, {
    // Not a promise (`then`), and nothing for symbols: the rest are store calls.
    get: (_, method) => (method === 'close' ? close : method === 'then' || typeof method === 'symbol' ? undefined : (...args) => call(method, args)),
  });
}

/**
 * The Node side: a fetch-shape handler serving a store to storeOverHttp. `openStore()` gives the
 * store (or a promise of it); it is called on the first request, and again after a failed open.
 */
export function storeEndpoint(openStore, secret) {
  let opening;
  const opened = () => {
    opening ??= Promise.resolve(openStore()).catch((error) => {
      opening = undefined;
      throw error;
    });
    return opening;
  };
  return async (request) => {
    if (!secret) throw new TypeError('storeEndpoint: a secret is required');
    if (!(await sameSecret(secret, (request.headers.get('authorization') ?? '').replace(/^Bearer /, '')))) {
      return Response.json({ error: 'unauthorized' }, { status: 401 });
    }
    const { method, args } = await request.json();
    const store = await opened();
    // Only the store's own methods (never close, never what every object inherits).
    if (typeof method !== 'string' || method === 'close' || !Object.hasOwn(store, method) || typeof store[method] !== 'function' || !Array.isArray(args)) {
      return Response.json({ error: 'no such store method' }, { status: 400 });
    }
    return Response.json({ result: (await store[method](...args)) ?? null });
  };
}

/** Constant time: compares HMACs of both under a throwaway key, never the strings themselves. */
async function sameSecret(expected, given) {
  if (!given) return false;
  const key = await crypto.subtle.importKey('raw', crypto.getRandomValues(new Uint8Array(32)), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = async (text) => new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(text)));
  const [a, b] = await Promise.all([mac(expected), mac(given)]);
  let diff = 0;
  for (let i = 0; i < a.length; i += 1) diff |= a[i] ^ b[i];
  return diff === 0;
}
