// Whose fault a failure is. The sender's (bad input) is a 4xx with a stable code and a JSON
// path, never retried; ours and passing (a store or provider that is down) is a 503, which
// providers retry. Everything that parses input is pure, so whatever it throws is the input's
// fault: an exception from parsing must never escape as a 5xx, or the provider retries the
// same bytes until it gives up (Shopify removes a webhook after 48 hours of failures).

export class HttpProblem extends Error {
  constructor(status, code, message, path) {
    super(message);
    this.status = status;
    this.code = code;
    if (path) this.path = path;
  }
}

/**
 * Run a pure parse of the request (the engine's `ingest.*`). A contract error keeps its code
 * and path; anything else it throws (a value wasm-bindgen cannot hand to JS, such as an
 * integer past 2^53, or a trap on this input) is the input's too: retrying cannot change it.
 */
export function parseInput(parse, log) {
  try {
    return parse();
  } catch (error) {
    // A contract error is already the input's (code and path); not initialised is ours.
    if (error?.name === 'RekindleError' && error.code !== 'ENGINE_TRAPPED') throw error;
    // The error's own message may quote the input: only its kind is logged.
    log?.('warn', 'input refused: the engine could not take it', { kind: error?.code ?? error?.name ?? 'unknown' });
    throw new HttpProblem(400, 'UNSUPPORTED_VALUE', 'the payload holds a value the engine cannot represent (an integer past 2^53, a time out of range)', '$');
  }
}

/**
 * The store, with the store contract's own precondition checked before any store sees a
 * change: every scheduled time is epoch milliseconds. A time the engine computed from an
 * input's far-off date (year 9999 plus a delay: a year no RFC 3339 parser reads) is the
 * input's fault, refused as such, instead of a NOT NULL failure (SQLite) or a NaN stored
 * (Redis) surfacing as a 503 that is retried forever.
 */
export function guardStore(store) {
  // Each method bound once, not on every call (a request calls several): issue 20.
  const bound = new Map();
  const wrap = (name, value) => {
    if (name !== 'commit') return value.bind(store);
    return (contactId, change, ...rest) => {
      if (change?.schedule?.some((s) => !Number.isSafeInteger(s.at))) {
        throw new HttpProblem(400, 'INVALID_TIMESTAMP', 'an event time puts a send outside the times Rekindle can schedule', '$');
      }
      return value.call(store, contactId, change, ...rest);
    };
  };
  return new Proxy(store, {
    get(target, name) {
      const value = Reflect.get(target, name, target);
      if (typeof value !== 'function') return value;
      let known = bound.get(name);
      if (known?.value !== value) bound.set(name, (known = { value, fn: wrap(name, value) }));
      return known.fn;
    },
  });
}
