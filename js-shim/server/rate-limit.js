// Fixed-window request counting per key (an IP, a shopper). In memory, so per process or
// per isolate: it blunts a flood from one client; it is not a global quota.
export function rateLimiter({ limit, windowMs, maxKeys = 50_000 }) {
  const windows = new Map(); // key -> { start, count }
  return {
    /** True if `key` may make one more request at `now`. */
    take(key, now) {
      let w = windows.get(key);
      if (!w || now - w.start >= windowMs) {
        if (windows.size >= maxKeys) windows.clear(); // bounded memory under a key flood
        w = { start: now, count: 0 };
        windows.set(key, w);
      }
      w.count += 1;
      return w.count <= limit;
    },
  };
}
