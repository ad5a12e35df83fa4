// One HTTP attempt against a provider, classified the way every transport needs it:
// accepted; transient (429, 5xx, timeout, network: worth retrying); or permanent (any other
// 4xx: the request itself is wrong, and retrying would only repeat the refusal).

export const DEFAULT_TIMEOUT_MS = 10_000;

/** @returns {Promise<{ok: true, status, headers, body} | {ok: false, permanent: boolean, code: string, detail: string, retryAfterMs?: number}>} */
export async function attempt(fetchImpl, url, init, { timeoutMs = DEFAULT_TIMEOUT_MS, provider }) {
  let response;
  try {
    response = await fetchImpl(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const timedOut = error?.name === 'TimeoutError' || error?.name === 'AbortError';
    return { ok: false, permanent: false, code: `${provider}:${timedOut ? 'timeout' : 'network'}`, detail: String(error?.message ?? error) };
  }
  const body = await response.text();
  if (response.ok) return { ok: true, status: response.status, headers: response.headers, body };
  const transient = response.status === 429 || response.status >= 500;
  return {
    ok: false,
    permanent: !transient,
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
