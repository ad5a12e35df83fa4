// The Admin GraphQL calls Rekindle makes for a shop (discount codes, consent), with Shopify's
// cost-based throttling honoured: a throttled call waits as long as Shopify says the bucket
// needs and is sent again, which the official clients do not do for a `THROTTLED` answer
// (@shopify/graphql-client retries a 429 or 503 after a fixed interval, and never a 200 whose
// errors say THROTTLED). Any client with the official `request(query, { variables })` shape can
// be wrapped (`adminFromClient`); `adminFromToken` is a plain fetch for a shop and its token.
//
// Shopify's throttled answer (docs: GraphQL Admin API rate limits):
//   { "errors": [{ "message": "Throttled", "extensions": { "code": "THROTTLED" } }],
//     "extensions": { "cost": { "requestedQueryCost": 10, "actualQueryCost": null,
//       "throttleStatus": { "maximumAvailable": 2000.0, "currentlyAvailable": 4, "restoreRate": 100.0 } } } }
// The wait is what the request costs beyond what is available, at the restore rate. A 429
// carries `Retry-After` (seconds) instead.

/** The Admin API version whose schema the tests validate against (tests/shopify/admin-schema/). */
export const ADMIN_API_VERSION = '2026-10';

/** A failed Admin call: `code` is stable, `permanent` says whether a retry can help. No personal data. */
export class ShopifyAdminError extends Error {
  constructor(code, message, { permanent = false, retryAfterMs, userErrors } = {}) {
    super(message);
    this.name = 'ShopifyAdminError';
    this.code = code;
    this.permanent = permanent;
    if (retryAfterMs !== undefined) this.retryAfterMs = retryAfterMs;
    if (userErrors) this.userErrors = userErrors;
  }
}

/**
 * `{ request(query, variables) → data }` over `send(query, variables) → { status, retryAfter,
 * body }`. Throttled calls are sent again after Shopify's wait, up to `maxAttempts` in all and
 * never waiting longer than `maxWaitMs` at once (a longer wait is handed back to the caller as
 * a retryable error with `retryAfterMs`, for the runtime's later tick).
 */
export function throttled(send, { sleep = (ms) => new Promise((r) => setTimeout(r, ms)), maxAttempts = 4, maxWaitMs = 10_000 } = {}) {
  return {
    async request(query, variables = {}) {
      for (let attempt = 1; ; attempt += 1) {
        const { status, retryAfter, body } = await send(query, variables);
        const wait = throttleWaitMs(status, retryAfter, body);
        if (wait === null) return answer(status, body);
        if (attempt >= maxAttempts || wait > maxWaitMs) {
          throw new ShopifyAdminError('THROTTLED', `Shopify throttled the call; retry in ${wait} ms`, { retryAfterMs: wait });
        }
        await sleep(wait);
      }
    },
  };
}

/** How long Shopify asks us to wait, or null when the answer is not a throttle. */
export function throttleWaitMs(status, retryAfter, body) {
  if (status === 429) {
    const seconds = Number(retryAfter);
    return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds * 1000) : 1000;
  }
  const throttledError = body?.errors?.some?.((e) => e?.extensions?.code === 'THROTTLED');
  if (!throttledError) return null;
  const cost = body.extensions?.cost;
  const s = cost?.throttleStatus;
  if (!s || !(s.restoreRate > 0)) return 1000;
  const missing = Math.max(0, (cost.requestedQueryCost ?? 0) - s.currentlyAvailable);
  return Math.ceil((missing / s.restoreRate) * 1000);
}

function answer(status, body) {
  if (status === 401 || status === 403) throw new ShopifyAdminError(`HTTP_${status}`, 'the shop refused the access token', { permanent: true });
  if (status === 402 || status === 404 || status === 423) throw new ShopifyAdminError(`HTTP_${status}`, 'the shop is unavailable (frozen, locked or gone)', { permanent: true });
  if (status >= 500) throw new ShopifyAdminError(`HTTP_${status}`, `Shopify answered ${status}`);
  if (status >= 400) throw new ShopifyAdminError(`HTTP_${status}`, `Shopify answered ${status}`, { permanent: true });
  if (Array.isArray(body?.errors) && body.errors.length > 0) {
    // A query Shopify cannot run (a field or argument it does not have) fails the same way on retry.
    const codes = body.errors.map((e) => e?.extensions?.code).filter(Boolean);
    throw new ShopifyAdminError('GRAPHQL', `Shopify refused the query: ${body.errors.map((e) => e?.message).join('; ')}`, { permanent: !codes.includes('INTERNAL_SERVER_ERROR') });
  }
  if (!body?.data) throw new ShopifyAdminError('NO_DATA', 'Shopify answered without data');
  return body.data;
}

/** A fetch-based Admin client for one shop and its offline token. */
export function adminFromToken({ shop, accessToken, apiVersion = ADMIN_API_VERSION, baseUrl = `https://${shop}`, fetch: fetchImpl = globalThis.fetch, timeoutMs = 10_000, ...options }) {
  if (!accessToken) throw new TypeError('adminFromToken: accessToken is required');
  const url = `${baseUrl.replace(/\/$/, '')}/admin/api/${apiVersion}/graphql.json`;
  return throttled(async (query, variables) => {
    let response;
    try {
      response = await fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-shopify-access-token': accessToken },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new ShopifyAdminError('NETWORK', `the Admin API could not be reached (${error?.name ?? 'error'})`);
    }
    let body = null;
    try {
      body = await response.json();
    } catch {
      // not JSON (a proxy's page): the status says what happened
    }
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
  }, options);
}

/**
 * An official client (`@shopify/shopify-api`'s `new shopify.clients.Graphql({ session })`, or
 * `@shopify/admin-api-client`) with Shopify's throttle waits added: its `request` resolves to
 * `{ data, errors, extensions }`, with `errors.networkStatusCode` for an HTTP failure.
 */
export function adminFromClient(client, options) {
  return throttled(async (query, variables) => {
    const result = await client.request(query, { variables });
    const status = result?.errors?.networkStatusCode ?? 200;
    const retryAfter = result?.errors?.response?.headers?.get?.('retry-after') ?? null;
    const graphQLErrors = result?.errors?.graphQLErrors ?? (Array.isArray(result?.errors) ? result.errors : undefined);
    return { status, retryAfter, body: { data: result?.data, errors: graphQLErrors, extensions: result?.extensions } };
  }, options);
}

/**
 * `@shopify/shopify-api`'s own GraphqlClient (`new shopify.clients.Graphql({ session })`), which
 * throws where the lower client answers: `GraphqlQueryError` for a 200 with errors (THROTTLED
 * among them, the response's `extensions.cost` in its body) and `HttpThrottlingError` for a 429
 * (`Retry-After` parsed). Both are turned back into the answer Shopify gave, so the waits are
 * the same as every other Admin call's. Matched by name: the app may bundle its own copy.
 */
export function adminFromLibraryClient(client, options) {
  return throttled(async (query, variables) => {
    try {
      const result = await client.request(query, { variables });
      return { status: 200, retryAfter: null, body: { data: result?.data, extensions: result?.extensions } };
    } catch (error) {
      const name = error?.constructor?.name;
      if (name === 'HttpThrottlingError') return { status: 429, retryAfter: error.response?.retryAfter ?? null, body: null };
      if (name === 'GraphqlQueryError') {
        const body = error.body ?? {};
        return { status: 200, retryAfter: null, body: { data: body.data, errors: body.errors?.graphQLErrors ?? [{ message: error.message }], extensions: body.extensions } };
      }
      throw error;
    }
  }, options);
}

/** The shop's customer reached at `address` (an email, or an E.164 phone number), or null. */
export async function customerIdByAddress(admin, address) {
  if (!address) return null;
  const identifier = address.includes('@') ? { emailAddress: address } : { phoneNumber: address };
  const data = await admin.request(CUSTOMER_BY_IDENTIFIER, { identifier });
  return data.customerByIdentifier?.id ?? null;
}

const CUSTOMER_BY_IDENTIFIER = `query RekindleCustomer($identifier: CustomerIdentifierInput!) {
  customerByIdentifier(identifier: $identifier) { id }
}`;
