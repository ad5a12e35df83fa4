// The loader every runtime entry shares: idempotent init, typed errors, trap recovery.
// It decides nothing; the engine in Rust does (docs/architecture.md, principle 1).

/** An engine error: a broken contract, with a stable `code` and the JSON `path` of the bad field. */
export class RekindleError extends Error {
  constructor(code, message, { path, problems, cause } = {}) {
    super(message, cause ? { cause } : undefined);
    this.name = 'RekindleError';
    this.code = code;
    if (path !== undefined) this.path = path;
    this.problems = problems ?? [{ code, path: path ?? '$', message }];
  }
}

/**
 * One wasm instance behind its glue: an idempotent, concurrent-safe `init`, and `call`, which
 * turns the engine's errors into RekindleErrors and, after a trap, drops the corrupt instance.
 */
function instance(glue, loadWasm) {
  let ready; // the one init in flight or done: concurrent callers share it
  const self = {
    initialised: false,
    generation: 0, // bumped on every re-instantiation; stale handles are rebuilt
    /** Idempotent and safe to call concurrently. `source` overrides where the wasm comes from. */
    init(source) {
      if (!ready) {
        ready = Promise.resolve(source)
          .then((given) => (given !== undefined ? given : loadWasm()))
          .then(instantiate)
          .then(() => {
            self.initialised = true;
          });
        ready.catch(() => {
          ready = undefined; // a failed load may be retried
        });
      }
      return ready;
    },
    call(fn) {
      if (!self.initialised) {
        throw new RekindleError('NOT_INITIALIZED', 'call and await init() before using the engine');
      }
      try {
        return fn();
      } catch (error) {
        throw translate(error);
      }
    },
  };

  // A compiled module or bytes is instantiated here, not by the glue's async init: that one
  // asks `typeof Response` first, and in Node that global's first read loads its fetch
  // implementation (undici), 80-170 ms of a cold start on this project's machine for nothing
  // the engine uses (BENCHMARKS.md, issue 20). Responses and URLs (browsers) still stream.
  async function instantiate(source) {
    if (source instanceof WebAssembly.Module) return glue.initSync({ module: source });
    if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
      return glue.initSync({ module: await WebAssembly.compile(source) });
    }
    return glue.default({ module_or_path: source });
  }

  function translate(error) {
    if (error instanceof WebAssembly.RuntimeError) {
      // The instance is corrupt after a trap: drop it and start a fresh one.
      glue.__wbg_reset_state();
      self.generation += 1;
      return new RekindleError(
        'ENGINE_TRAPPED',
        'the engine trapped and was re-instantiated; this call had no effect and may be retried',
        { cause: error },
      );
    }
    if (error && error.name === 'RekindleError' && typeof error.code === 'string') {
      return new RekindleError(error.code, error.message, { path: error.path, problems: error.problems });
    }
    return error;
  }
  return self;
}

/**
 * Wire a wasm-bindgen glue module to a way of getting its wasm.
 * `loadWasm()` returns whatever the glue's init accepts for this runtime: a compiled
 * `WebAssembly.Module` (workerd, Vercel Edge), bytes (Node, Deno) or a `Response` (browser).
 * `report`, for the server build: `reportModule(glue, loadWasm)`, the report module's own wasm
 * (the report, the console's views, playbook validation), loaded on the first call of one of
 * those, never by a decision (BENCHMARKS.md, issue 20).
 */
export function createRekindle(glue, loadWasm, report) {
  const engineWasm = instance(glue, loadWasm);
  const { init } = engineWasm;
  const call = (fn) => engineWasm.call(fn);
  // Engines re-bind after a trap re-instantiated the wasm.
  const generationNow = () => engineWasm.generation;

  const text = (value) => (typeof value === 'string' ? value : JSON.stringify(value));
  const optionalText = (value) => (value === undefined || value === null ? undefined : text(value));
  const millis = (now) => (now instanceof Date ? now.getTime() : now);
  const encoder = new TextEncoder();
  const utf8 = (body) => (typeof body === 'string' ? encoder.encode(body) : body);

  /** As many as the engine keeps (RECENT_CONTACTS in src/wasm.rs). */
  const RECENT_CONTACTS = 4096;

  /** A playbook validated once; decisions pay only for their own state and event. */
  class Engine {
    #policy;
    #handle;
    #generation = -1;
    // contactId -> { state, ticket }: the last state the engine returned for each contact,
    // in least-recently-used order. Handing that very string back lets the engine use the
    // copy it kept parsed (src/recent_states.rs) instead of parsing it again.
    #recent = new Map();

    constructor(policy) {
      this.#policy = policy === undefined ? call(() => glue.defaultPolicy()) : text(policy);
      this.#bound();
    }

    #bound() {
      const generation = generationNow();
      if (this.#generation !== generation) {
        const policy = this.#policy;
        this.#handle = call(() => new glue.Engine(policy));
        this.#generation = generation;
        this.#recent.clear(); // a new instance keeps nothing

      }
      return this.#handle;
    }

    get policyVersion() {
      return call(() => this.#bound().policyVersion);
    }

    /** How long after abandonment a journey's figures are final (its lines may be rolled up). */
    get settledAfterMs() {
      return call(() => this.#bound().settledAfterMs);
    }

    /** How long a sent message's record is kept for "why this message" (the policy's longest retention). */
    get messagesKeptForMs() {
      return call(() => this.#bound().messagesKeptForMs);
    }

    get smsSegmentLimit() {
      return call(() => this.#bound().smsSegmentLimit);
    }

    /** SMS segments of `body` as carriers count them (server build only). */
    smsSegments(body) {
      return JSON.parse(call(() => glue.smsSegments(body)));
    }

    /**
     * Apply one event to one contact's stored state.
     * @returns {{ state: string, actions: object[], explanation: { reasons: object[], summary: string }, outcomes: object[] }}
     * `outcomes`: lines for the outcome log (no personal data), for the host to append.
     */
    decide(contactId, state, event, now) {
      const handle = this.#bound();
      const body = text(event);
      const at = millis(now);
      const known = state == null ? undefined : this.#recent.get(contactId);
      let result;
      if (known !== undefined && known.state === state) {
        result = call(() => handle.decideRecent(contactId, known.ticket, body, at));
      }
      result ??= call(() => handle.decide(contactId, state ?? undefined, body, at));
      const [next, output, ticket] = result;
      this.#remember(contactId, next, ticket);
      const { actions, explanation, outcomes = [] } = JSON.parse(output);
      return { state: next, actions, explanation, outcomes };
    }

    #remember(contactId, state, ticket) {
      this.#recent.delete(contactId);
      this.#recent.set(contactId, { state, ticket });
      if (this.#recent.size > RECENT_CONTACTS) this.#recent.delete(this.#recent.keys().next().value);
    }
  }

  const api = {
    init,
    RekindleError,
    Engine: glue.Engine ? Engine : undefined,
    version: () => call(() => glue.version()),
    build: () => call(() => glue.build()),
    debugTrap: () => call(() => glue.debugTrap()),
  };
  if (glue.captureStep) {
    // The storefront build only: the server build leaves the page's signals to it (issue 20).
    // Both answer JSON text: the wasm then carries serde_json's serializer alone (issue 20).
    api.summariseSignals = (observations, thresholds) =>
      JSON.parse(call(() => glue.summariseSignals(text(observations), thresholds === undefined ? undefined : text(thresholds))));
    /** Storefront: fold page observations into the session and say what to send now. */
    api.captureStep = (state, settings, observations, now, anonymousId) =>
      JSON.parse(call(() => glue.captureStep(state ?? undefined, text(settings), text(observations), now, anonymousId)));
  }
  if (glue.ingestShopify) {
    // Provider payloads → routed engine events (src/ingest). Bodies stay raw text so Rust
    // reads Shopify's 64-bit ids exactly.
    // Each answers JSON text, parsed here (src/wasm.rs `to_js`). Shopify's and the beacon's
    // body: its bytes (a handler hands over what it read and verified), or a string.
    const ingested = (answer) => JSON.parse(call(answer));
    api.ingest = {
      shopify: (topic, webhookId, body, salt, now) =>
        ingested(() => glue.ingestShopify(topic, webhookId, utf8(body), salt, millis(now))),
      // `sent`: what the ledger found for the provider message ids a first call listed in
      // `wanted` (`{ [id]: { contactId, actionId } }`); omitted on the first call.
      twilio: (kind, params, query, salt, now, sent) =>
        ingested(() => glue.ingestTwilio(kind, text(params), text(query), salt, millis(now), optionalText(sent))),
      sendgrid: (body, sent) => ingested(() => glue.ingestSendgrid(body, optionalText(sent))),
      postmark: (body, now, sent) => ingested(() => glue.ingestPostmark(body, millis(now), optionalText(sent))),
      beacon: (body, salt) => ingested(() => glue.ingestBeacon(utf8(body), salt)),
    };
    // The operator console (issue 19): the hashed index key a search by email, phone, order or
    // checkout resolves (the shopper view it then shows is the report module's, below).
    api.lookupKey = (by, value, salt, region) => call(() => glue.lookupKey(by, String(value), salt, region ?? undefined));
    api.recoveryUrl = (state, actionId) => call(() => glue.recoveryUrl(state, actionId));
    api.sentActionIds = (state) => call(() => glue.sentActionIds(state));
    api.discountCode = (state, actionId) => call(() => glue.discountCode(state, actionId));
  }
  if (glue.defaultPolicy) api.defaultPolicy = () => JSON.parse(call(() => glue.defaultPolicy()));
  if (report) Object.assign(api, report({ text, millis }));
  return api;
}

/**
 * The report's own wasm, for createRekindle. Its own export, so a bundle that never names it
 * (the storefront's) leaves the report's loader out.
 */
export function reportModule(glue, loadWasm) {
  return (helpers) => reportApi(glue, loadWasm, helpers);
}

/**
 * What only operators run, through the report module's own wasm: the merchant's report
 * (src/measurement), the console's shopper view and funnel, a playbook's validation. Async,
 * because the first call loads that module; a decision never does. `initReport(source)` loads
 * it ahead of time, or from a source the caller brings (`rekindle/slim`; Vercel Edge, whose
 * function does not ship it: examples/vercel-edge serves the report from a Node.js function).
 */
function reportApi(glue, loadWasm, { text, millis }) {
  const wasm = instance(glue, loadWasm);
  const opts = (options) => (options === undefined ? undefined : text(options));
  const run = async (fn) => {
    await wasm.init();
    return wasm.call(fn);
  };
  return {
    initReport: (source) => wasm.init(source),
    // Over an outcome log `{ outcomes, rollups }`: the lift with its intervals, experiments, one
    // dimension's roll-up, every roll-up as CSV, the daily roll-ups, one send's record.
    report: async (log, options) => JSON.parse(await run(() => glue.report(text(log), opts(options)))),
    rollup: async (log, dimension, options) => JSON.parse(await run(() => glue.rollup(text(log), dimension, opts(options)))),
    reportCsv: (log, options) => run(() => glue.reportCsv(text(log), opts(options))),
    compactOutcomes: async (log, before, keepMessagesFrom) =>
      JSON.parse(await run(() => glue.compactOutcomes(text(log), millis(before), keepMessagesFrom == null ? undefined : millis(keepMessagesFrom)))),
    messageRecord: async (log, actionId) => JSON.parse(await run(() => glue.messageRecord(text(log), String(actionId)))),
    // The operator's side (issue 19): a playbook validated and normalised (defaults filled in)
    // as the operator API publishes it, a stored state as the console shows it, the funnel.
    validatePolicy: async (policy) => JSON.parse(await run(() => glue.validatePolicy(text(policy)))),
    shopperView: async (state) => JSON.parse(await run(() => glue.shopperView(state))),
    /** The recovery funnel over contacts' stored state strings. */
    funnel: async (states) => JSON.parse(await run(() => glue.funnel(JSON.stringify(states)))),
  };
}
