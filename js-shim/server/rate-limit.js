// Fixed-window counting per key (an address, a shopper). In memory, so per process or per
// isolate: it blunts a flood from one client; it is not a global quota. With N processes (or
// isolates) behind a balancer a client gets up to N times each limit, and a fixed window lets
// twice the limit through across a window's edge.

/** When the map is full, drop the windows that are over; if none are, start afresh (bounded memory under a key flood). */
function makeRoom(windows, maxKeys, now, windowMs) {
  if (windows.size < maxKeys) return;
  for (const [key, w] of windows) if (now - w.start >= windowMs) windows.delete(key);
  if (windows.size >= maxKeys) windows.clear();
}

export function rateLimiter({ limit, windowMs, maxKeys = 50_000 }) {
  const windows = new Map(); // key -> { start, count }
  return {
    /** True if `key` may make one more request at `now`. */
    take(key, now) {
      let w = windows.get(key);
      if (!w || now - w.start >= windowMs) {
        makeRoom(windows, maxKeys, now, windowMs);
        w = { start: now, count: 0 };
        windows.set(key, w);
      }
      w.count += 1;
      return w.count <= limit;
    },
    /** True if `key` has used up its window at `now` (counting nothing): for limits that count only failures. */
    spent(key, now) {
      const w = windows.get(key);
      return Boolean(w) && now - w.start < windowMs && w.count >= limit;
    },
  };
}

/**
 * How many distinct members (shoppers) one key (an address) may bring in per window: what
 * bounds the state one address creates, since a shopper id is the client's to choose.
 */
export function distinctLimiter({ limit, windowMs, maxKeys = 10_000 }) {
  const windows = new Map(); // key -> { start, members }
  return {
    /** True if `member` is already counted for `key` in this window, or fits in it. */
    admit(key, member, now) {
      let w = windows.get(key);
      if (!w || now - w.start >= windowMs) {
        makeRoom(windows, maxKeys, now, windowMs);
        w = { start: now, members: new Set() };
        windows.set(key, w);
      }
      if (w.members.has(member)) return true;
      if (w.members.size >= limit) return false;
      w.members.add(member);
      return true;
    },
  };
}
