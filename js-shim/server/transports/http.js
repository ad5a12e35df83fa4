// One HTTP attempt against a provider, classified the way every transport needs it:
// accepted; transient (429, 5xx, timeout, network: worth retrying); or permanent (any other
// 4xx: the request itself is wrong, and retrying would only repeat the refusal).
//
// A transient failure may also be `unknown`: the provider may have read the request and acted
// on it before the answer was lost (a timeout or reset after the connection opened, a 500,
// 502 or 504 from the provider or a gateway in front of it). Retrying such a send blindly
// duplicates the message, so the runtime reconciles or records it instead (see "Unknown
// outcomes" in js-shim/server/README.md). Known not to have been acted on: no connection was
// made (refused, no route, DNS), a 429 (rate limited before any work), a 503 (RFC 9110
// §15.6.4: the server is not handling requests).

export const DEFAULT_TIMEOUT_MS = 10_000;

// Errors (Node's and undici's codes) raised before any byte of the request left this host.
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
// Answers after which the provider may or may not have acted on the request.
const AMBIGUOUS_STATUS = new Set([500, 502, 504]);

/** @returns {Promise<{ok: true, status, headers, body} | {ok: false, permanent: boolean, code: string, detail: string, retryAfterMs?: number}>} */
export async function attempt(fetchImpl, url, init, { timeoutMs = DEFAULT_TIMEOUT_MS, provider }) {
  let response;
  try {
    response = await fetchImpl(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const timedOut = error?.name === 'TimeoutError' || error?.name === 'AbortError';
    const unsent = NOT_CONNECTED.has(error?.cause?.code ?? error?.code);
    return { ok: false, permanent: false, unknown: !unsent, code: `${provider}:${timedOut ? 'timeout' : 'network'}`, detail: String(error?.message ?? error) };
  }
  const body = await response.text();
  if (response.ok) return { ok: true, status: response.status, headers: response.headers, body };
  const transient = response.status === 429 || response.status >= 500;
  return {
    ok: false,
    permanent: !transient,
    unknown: AMBIGUOUS_STATUS.has(response.status),
    code: `${provider}:${response.status}`,
    detail: body.slice(0, 500),
    retryAfterMs: retryAfter(response.headers.get('retry-after')),
  };
}

/** Retry-After is either seconds or an HTTP date. */
function retryAfter(value) {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

export function basicAuth(user, password) {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return `Basic ${btoa(binary)}`;
}
