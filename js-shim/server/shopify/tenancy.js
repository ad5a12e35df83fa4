// One Rekindle per shop, inside one deployment. Each installed shop gets its own handler and
// runtime (js-shim/server/handler.js, unchanged), built lazily from the deployer's options for
// that shop: its own store (one SQLite file, one Redis prefix, one Durable Object name prefix),
// its own transports, its own secrets derived from the deployment's, and its own base path
// `/shops/<shop>`, so every link in its messages leads back to it. We chose this over threading a
// shop id through the engine, the runtime and five stores: the runtime and the stores already
// scope everything they hold to themselves, so a namespace per shop gives every record, key,
// link, limit, policy and secret its shop with no change to them, and `shop/redact`'s
// `eraseAll()` empties that shop's namespace and nothing else.

import { hmac, bytesToHex } from '../signatures.js';

/** The route prefix of a shop's own Rekindle routes (links, beacon, tick, report). */
export const shopBasePath = (shop) => `/shops/${shop}`;

/** A secret of this shop's own, derived from the deployment's: one shop's link tokens and ids mean nothing to another. */
export async function shopSecret(master, shop, purpose) {
  return bytesToHex(await hmac(master, `rekindle-shop\u001f${purpose}\u001f${shop}`));
}

/**
 * Transports that refuse once the shop is no longer installed: a send due after
 * `app/uninstalled` (a contact's alarm, a tick already running) goes nowhere. Permanent, so
 * the engine hears the message failed and plans nothing further on it.
 */
export function guardTransports(transports, installed) {
  const guarded = {};
  for (const [channel, transport] of Object.entries(transports ?? {})) {
    if (!transport) continue;
    guarded[channel] = Object.assign(Object.create(Object.getPrototypeOf(transport)), transport, {
      async send(action, context) {
        if (!(await installed())) return { ok: false, permanent: true, code: 'shopify:uninstalled' };
        return transport.send(action, context);
      },
    });
  }
  return guarded;
}
