// The capture core every storefront entry shares (page script, ESM module, Web Pixel). It
// stamps and queues raw observations, loads the engine when asked, and hands it each batch.
// It decides nothing: the storefront session in Rust (src/storefront/capture.rs) folds the batch,
// decides whether the shopper stalled and why, and builds any beacon, already redacted.
//
// Until the engine is loaded (it loads lazily), or if it never loads, observations wait in
// sessionStorage: with no engine, nothing is sent (the consent and redaction rules live in
// the engine, and a JS copy of them would drift).

const STATE = 'rekindle:session';
const PENDING = 'rekindle:pending';
const ID = 'rekindle:id';
const NO_ID = '-'; // the tab's note that local storage held no id
const MAX_PENDING = 500;
const BATCH_MS = 50; // bursts of events (a page's first scan) become one engine call

// Storage answers plainly on a page and with promises in the Web Pixel sandbox: these keep
// the page's reads synchronous (a leave must read inside pagehide) and await the sandbox's.
const isPromise = (value) => typeof value?.then === 'function';
const all = (values) => (values.some(isPromise) ? Promise.all(values) : values);
const then = (value, next) => (isPromise(value) ? value.then(next) : next(value));

const randomId = () =>
  crypto.randomUUID?.() ?? [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');

/**
 * @param {object} host
 * @param {object} host.settings        the engine's capture settings (src/storefront/session.rs `Settings`)
 * @param {{ get(key: string): any, set(key: string, value: string): void }} host.session  per-tab storage
 * @param {{ get(key: string): any, set(key: string, value: string): void }} host.local    lasting storage
 * @param {{ add(body: string): unknown, flush(): unknown }} host.outbox
 * @param {() => Promise<Function>} host.loadEngine  resolves to the engine's `captureStep`
 * @param {(consent: { analytics: boolean, personalData: boolean }) => void} [host.onConsent]
 */
export function createCapture({ settings, session, local, outbox, loadEngine, onConsent }) {
  let engine; // undefined: not loaded yet; null: could not load
  let state = null;
  let anonymousId;
  let pending = [];
  let batchTimer;
  let recheckTimer;

  // What earlier pages stored, read once: when the engine starts (idle time) or when the
  // shopper leaves first. Page storage answers at once, so a leave reads it synchronously; the
  // Web Pixel sandbox's answers with promises. The id lasts in local storage once a beacon has
  // carried it; the tab keeps a copy of what it found there (or that there was none, NO_ID:
  // no id is stored before a beacon, as before), so only a tab's first page opens local storage.
  let restored;
  const restore = () => {
    if (!restored) {
      const apply = ([saved, waiting, id]) => {
        state = saved || null;
        try {
          pending = [...JSON.parse(waiting || '[]'), ...pending];
        } catch {
          // unreadable: those observations are lost, the session goes on
        }
        anonymousId = (id !== NO_ID && id) || randomId();
      };
      const fromTab = all([session.get(STATE), session.get(PENDING), session.get(ID)]);
      const withId = ([saved, waiting, id]) =>
        id ? [saved, waiting, id] : then(local.get(ID), (lasting) => (session.set(ID, lasting || NO_ID), [saved, waiting, lasting]));
      restored = Promise.resolve(then(then(fromTab, withId), apply));
    }
    return restored;
  };

  // Whether sessionStorage may hold observations that wait (an earlier page's, until restored
  // and stepped; or this page's, when it left without an engine).
  let waitingStored = true;
  const keepWaiting = () => {
    session.set(PENDING, JSON.stringify(pending));
    waitingStored = true;
  };

  /** `observation`: `{ kind, ...fields }`, handed on as the engine's `{ [kind]: fields }`. */
  function observe({ kind, ...fields }, at = Date.now()) {
    pending.push([at, { [kind]: fields }]);
    if (pending.length > MAX_PENDING) pending.splice(0, pending.length - MAX_PENDING);
    // Before the engine is loaded a timer would wake the page to find nothing to step into:
    // start() steps what waited once it is.
    if (!engine) return;
    clearTimeout(batchTimer);
    batchTimer = setTimeout(step, BATCH_MS);
  }

  /** Hand what is pending to the engine; false when there is no engine to hand it to. */
  function step() {
    clearTimeout(batchTimer);
    if (!engine || anonymousId === undefined) return false;
    const batch = pending;
    pending = [];
    let out;
    try {
      out = engine(state, settings, batch, Date.now(), anonymousId);
    } catch (error) {
      // A trapped engine was re-instantiated by the loader; the batch waits for the next step.
      pending = [...batch, ...pending];
      console.warn('[rekindle]', error);
      return false;
    }
    // Written only when changed: each write hands the whole value to the browser process.
    if (out.state !== state) session.set(STATE, out.state);
    state = out.state;
    if (waitingStored) session.set(PENDING, '[]');
    waitingStored = false;
    for (const problem of out.rejected) console.warn(`[rekindle] observation dropped at ${problem.path}: ${problem.message}`);
    onConsent?.(out.consent);
    clearTimeout(recheckTimer);
    if (out.recheckInMs !== undefined) recheckTimer = setTimeout(step, out.recheckInMs + BATCH_MS);
    if (out.beacon) {
      local.set(ID, anonymousId);
      session.set(ID, anonymousId);
      outbox.add(out.beacon);
    }
    return true;
  }

  return {
    observe,
    /** The page is hidden or going away: decide now, synchronously, and keep what must wait. */
    leave(observation) {
      restore();
      observe(observation);
      if (!step()) keepWaiting();
      outbox.flush();
    },
    /** Load the engine (call it off the critical path) and catch up on what waited. */
    async start() {
      await restore();
      try {
        engine = await loadEngine();
      } catch (error) {
        engine = null;
        keepWaiting();
        console.warn('[rekindle] engine unavailable, nothing is sent from this page:', error);
        return;
      }
      // Instantiating the wasm and the first catch-up step are separate tasks, so neither
      // becomes a long task on a slow phone (measured: together they reached 56–80 ms on a
      // loaded machine).
      await new Promise((resolve) => (globalThis.requestIdleCallback ?? setTimeout)(resolve));
      step();
    },
  };
}
