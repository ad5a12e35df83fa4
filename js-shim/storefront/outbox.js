// Delivery of beacon bodies the engine built: kept in storage until sent, so a shopper who
// goes offline or closes the tab loses nothing. sendBeacon first (it survives unload), then
// fetch with keepalive; retries back off; entries expire. Event ids inside each body let the
// server drop the rare repeat (a retry of a request that did arrive).

const KEY = 'rekindle:outbox';
const CLEAR = 'rekindle:outbox-clear'; // in the tab's storage: '1' when this tab found the outbox empty and left it so
const TTL_MS = 24 * 3600e3; // a day-old abandonment is past the first recovery messages
const MAX_ENTRIES = 20;
const BACKOFF_MS = [2e3, 10e3, 60e3, 300e3];

/**
 * @param {object} host
 * @param {string} host.endpoint
 * @param {{ get(key: string): any, set(key: string, value: string): void }} host.storage
 * @param {(url: string, body: string) => boolean | Promise<boolean>} [host.sendBeacon]
 * @param {() => boolean} [host.online]
 * @param {{ get(key: string): any, set(key: string, value: string): void }} [host.tab] per-tab storage
 *   (pages): it remembers that this tab emptied the outbox, so the tab's later pages flush
 *   without opening `storage` (a page's first touch of local storage waits on the browser
 *   process: the largest part of the embed's main-thread time in a CPU profile). Entries
 *   another tab left after that are sent by that tab, or by the next tab's first page.
 */
export function createOutbox({ endpoint, storage, sendBeacon, online = () => true, tab }) {
  let entries = [];
  let timer;
  const inFlight = new Set();
  const restore = (saved) => {
    try {
      entries = [...JSON.parse(saved || '[]'), ...entries];
    } catch {
      // unreadable storage: start empty
    }
  };
  // Read on first use (a page's first storage access waits on the browser process: start.js).
  // Page storage answers at once (so a pagehide can store synchronously); the Web Pixel
  // sandbox's storage answers with a promise.
  let ready;
  const load = () => {
    if (!ready) {
      const saved = storage.get(KEY);
      ready = saved && typeof saved.then === 'function' ? saved.then(restore) : Promise.resolve(restore(saved));
    }
    return ready;
  };

  const save = () => {
    const now = Date.now();
    entries = entries.filter((e) => e.expires > now).slice(-MAX_ENTRIES);
    storage.set(KEY, JSON.stringify(entries));
  };

  async function post(body) {
    if (sendBeacon) {
      try {
        if (await sendBeacon(endpoint, body)) return true;
      } catch {
        // fall through to fetch
      }
    }
    try {
      // text/plain keeps the request "simple": no CORS preflight, same as sendBeacon's.
      const response = await fetch(endpoint, { method: 'POST', body, keepalive: true, headers: { 'content-type': 'text/plain;charset=UTF-8' } });
      return response.ok;
    } catch {
      return false;
    }
  }

  async function flush() {
    if (!ready && tab?.get(CLEAR) === '1') return; // nothing queued in this tab since it was emptied
    await load();
    clearTimeout(timer);
    const now = Date.now();
    for (const entry of entries.filter((e) => e.due <= now && !inFlight.has(e.body))) {
      if (!online()) break;
      inFlight.add(entry.body);
      const sent = await post(entry.body);
      inFlight.delete(entry.body);
      if (sent) {
        entries = entries.filter((e) => e !== entry);
      } else {
        entry.due = Date.now() + BACKOFF_MS[Math.min(entry.tries++, BACKOFF_MS.length - 1)];
      }
      save();
    }
    tab?.set(CLEAR, entries.length ? '0' : '1');
    const next = Math.min(...entries.map((e) => e.due));
    if (Number.isFinite(next)) timer = setTimeout(flush, Math.max(next - Date.now(), 1e3));
  }

  return {
    /** Store first (so it survives the page), then try to send. */
    add(body) {
      load(); // merged before this save, so it never overwrites what an earlier page stored
      entries.push({ body, expires: Date.now() + TTL_MS, tries: 0, due: 0 });
      save();
      return flush();
    },
    flush,
  };
}
