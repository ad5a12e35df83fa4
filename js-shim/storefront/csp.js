// Whether the store's Content-Security-Policy lets the compile worker start (engine.js), asked
// before starting it. A refused worker costs nothing functionally (the page compiles the wasm
// itself), but the browser logs a CSP violation, and POSTs a report where the policy asks for
// one: noise in the merchant's console and report inbox on every page.
//
// - A policy in `<meta http-equiv="Content-Security-Policy">` is in the DOM: a worker it refuses
//   is never started, so it never logs.
// - A policy sent as a header cannot be read by a page (only a second fetch of the page would
//   show it, at the cost of a request per page view). The first refusal of a visit is seen
//   through `securitypolicyviolation` (which fires after the fact) and remembered for the tab's
//   session: later pages compile on the main thread, so a visit logs one violation, not one per
//   page.
//
// Sources are matched as CSP Level 3 matches a worker's script (worker-src, else child-src, else
// script-src, else default-src); anything this reading cannot be sure of counts as a refusal,
// which only means the page compiles the wasm itself.

const REFUSED = 'rekindle:worker-refused';
const FALLBACK = ['worker-src', 'child-src', 'script-src', 'default-src'];

/** `script`: the worker's script URL (a blob: URL when the embed comes from another origin). */
export function workerAllowed(script) {
  try {
    if (sessionStorage.getItem(REFUSED)) return false;
  } catch {
    // no session storage (a sandboxed frame): the meta policies still decide
  }
  const metas = document.querySelectorAll('meta[http-equiv="content-security-policy" i]');
  return [...metas].every((meta) => policyAllows(meta.content, script, location.origin));
}

/**
 * Remember for the session a refusal of `script` by a header policy. Returns the function that
 * stops listening (engine.js calls it when the worker answered or failed).
 */
export function rememberRefusal(script) {
  const blocked = script.protocol === 'blob:' ? (uri) => uri === 'blob' || uri.startsWith('blob:') : (uri) => uri === script.href;
  const listener = (event) => {
    if (!FALLBACK.includes(event.effectiveDirective) || !blocked(event.blockedURI)) return;
    try {
      sessionStorage.setItem(REFUSED, '1');
    } catch {
      // nothing to remember it in: each page asks again
    }
  };
  document.addEventListener('securitypolicyviolation', listener);
  return () => document.removeEventListener('securitypolicyviolation', listener);
}

/** Whether one serialized policy lets `script` (a URL) run as a worker on a page at `origin`. */
export function policyAllows(policy, script, origin) {
  const directives = new Map();
  for (const part of String(policy).split(';')) {
    const [name, ...sources] = part.trim().toLowerCase().split(/\s+/);
    // The first of a repeated directive counts (CSP3 "parse a serialized CSP").
    if (name && !directives.has(name)) directives.set(name, sources);
  }
  const directive = FALLBACK.find((name) => directives.has(name));
  if (!directive) return true;
  const sources = directives.get(directive);
  // With 'strict-dynamic', script-src ignores host sources and 'self': not worth guessing.
  if (directive !== 'worker-src' && directive !== 'child-src' && sources.includes("'strict-dynamic'")) return false;
  return sources.some((source) => sourceMatches(source, script, origin));
}

function sourceMatches(source, url, origin) {
  if (url.protocol === 'blob:') return source === 'blob:'; // '*' and 'self' never match blob: (CSP3)
  if (source === '*') return url.protocol === 'https:' || url.protocol === 'http:';
  if (source === "'self'") return url.origin === origin;
  if (/^[a-z][a-z0-9+.-]*:$/.test(source)) return url.protocol === source || (source === 'http:' && url.protocol === 'https:');
  const host = /^(?:([a-z][a-z0-9+.-]*):\/\/)?(\*\.)?([a-z0-9.-]+)(?::(\d+|\*))?(\/[^?#]*)?$/.exec(source);
  if (!host) return false; // a nonce, a hash, a keyword: none of them lets a worker's URL in
  const [, scheme, wildcard, name, port, path] = host;
  if (scheme ? url.protocol !== `${scheme}:` && !(scheme === 'http' && url.protocol === 'https:') : !(url.protocol === 'https:' || url.protocol === new URL(origin).protocol)) return false;
  const hostname = url.hostname.toLowerCase();
  if (wildcard ? !hostname.endsWith(`.${name}`) : hostname !== name) return false;
  const defaultPort = { 'http:': '80', 'https:': '443' }[url.protocol];
  if (port !== '*' && (url.port || defaultPort) !== (port ?? defaultPort)) return false;
  if (!path || path === '/') return true;
  return path.endsWith('/') ? url.pathname.startsWith(path) : url.pathname === path;
}
