// A fake Shopify Admin GraphQL API on 127.0.0.1: `POST /admin/api/<version>/graphql.json` with
// `X-Shopify-Access-Token`. Every query and mutation is parsed with the `graphql` package,
// validated against Shopify's published Admin schema (tests/shopify/admin-schema/, version
// 2026-10, from @shopify/dev-mcp: see its README), its variables coerced to Shopify's input
// types, and executed by graphql-js against that schema with this fake's resolvers, so answers
// have exactly Shopify's shapes and only the fields asked for. Unknown fields, arguments, input
// fields or enum values fail as Shopify fails them (HTTP 200 with `errors`).
//
// Modelled beyond the schema, from Shopify's docs:
// - tokens: a missing or unknown token is 401 `{"errors":"[API] Invalid API key or access token
//   (unrecognized login or wrong password)"}`; each token belongs to one shop, whose data it sees;
// - calculated query cost: a leaky bucket per shop (Standard plan: 2,000 points, restored at 100
//   a second, on the fake's clock); a mutation costs 10, a query 1 (Shopify's requested cost for
//   these small operations); a request costing more than is available is refused with Shopify's
//   THROTTLED body and `extensions.cost.throttleStatus`; `rateLimit(shop, seconds)` makes the next
//   request a 429 with `Retry-After`, as Shopify's edge does;
// - discount codes unique per shop: creating an existing code answers the userError
//   `{ field: [<input>, "code"], code: "TAKEN", message: "Code must be unique. Please try a different code." }`;
//   a percentage outside 0..1 is VALUE_OUTSIDE_RANGE; a customer, product variant or collection id
//   that is not the shop's is INVALID; a buy X get Y code needs `customerBuys` with products or
//   collections (Shopify's docs: "The items can be either collections or products") and a
//   `customerGets` value `discountOnQuantity`;
// - product variants (`variants: [{ id, price, title?, product?: { title, onlineStoreUrl } }]`, read by
//   `productVariant(id:)`; a variant's title is "Default Title" when its product has only it) and collections (`collections: [id]`).

import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { buildSchema, execute, parse, validate, getOperationAST } from 'graphql';

const SCHEMA_FILE = new URL('./admin-schema/admin-2026-10.graphql', import.meta.url);
let schema;
/** Shopify's Admin schema, built once per process (about 2 s). */
export function adminSchema() {
  schema ??= buildSchema(readFileSync(SCHEMA_FILE, 'utf8'), { assumeValidSDL: true });
  return schema;
}

export const API_VERSION = '2026-10';
const BUCKET = { maximumAvailable: 2000, restoreRate: 100 };

/**
 * The Admin API's behaviour without a server: shops, their data and cost buckets, and
 * `answer(shop, rawBody)` → `{ status, body, headers }` for one authenticated request.
 * startFakeAdmin serves it alone; fake-shopify.mjs serves it beside OAuth and webhooks.
 * @param {{ now?: () => number }} o `now`: the fake's clock (ms), which restores the cost bucket
 */
export function adminExecutor({ now = Date.now } = {}) {
  const state = {};
  let nextId = 1000;

  /** A shop with `customers` ({ id?, email?, phone? }), `variants` ({ id, price }) and `collections` (ids); `token` is what startFakeAdmin accepts for it. */
  function addShop(shop, { token = null, customers = [], variants = [], collections = [] } = {}) {
    state[shop] = {
      shop,
      token,
      discounts: new Map(),
      variants: variants.map((v) => ({ id: v.id, price: v.price, title: v.title ?? 'Default Title', product: { title: v.product?.title ?? 'Gift', onlineStoreUrl: v.product?.onlineStoreUrl ?? null } })),
      collections: [...collections],
      customers: customers.map((c) => ({ id: c.id ?? `gid://shopify/Customer/${nextId++}`, email: c.email ?? null, phone: c.phone ?? null, email_consent: null, sms_consent: null })),
      bucket: { available: BUCKET.maximumAvailable, at: now() },
      rateLimited: null,
      requests: [],
      created: [],
    };
    return state[shop];
  }

  const shopOf = (shopOrName) => (typeof shopOrName === 'string' ? (state[shopOrName] ?? addShop(shopOrName)) : shopOrName);

  /** The 429 a rate-limited shop gets before anything is read, or null. */
  function edge(shop) {
    if (shop.rateLimited === null) return null;
    const seconds = shop.rateLimited;
    shop.rateLimited = null;
    return { status: 429, body: { errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.' }, headers: { 'retry-after': String(seconds) } };
  }

  /** Shopify's THROTTLED body when `cost` is more than the bucket holds, or null (and the cost taken). */
  function charge(shop, cost) {
    const throttleStatus = restore(shop);
    if (cost > throttleStatus.currentlyAvailable) {
      return {
        errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
        extensions: { cost: { requestedQueryCost: cost, actualQueryCost: null, throttleStatus } },
      };
    }
    shop.bucket.available -= cost;
    return null;
  }

  /**
   * The same rate limit and cost bucket for an operation another fake executes (fake-shopify's
   * webhookSubscriptionCreate): `{ status, body, headers }` when refused, else `{ cost }` for the answer's extensions.
   */
  function gate(shopOrName, cost) {
    const shop = shopOf(shopOrName);
    const limited = edge(shop);
    if (limited) return { refused: limited };
    const throttledBody = charge(shop, cost);
    if (throttledBody) return { refused: { status: 200, body: throttledBody } };
    return { cost: { requestedQueryCost: cost, actualQueryCost: cost, throttleStatus: restore(shop) } };
  }

  /** One request the caller authenticated as `shop`'s (a shop name or its state). */
  function answer(shopOrName, raw) {
    const shop = shopOf(shopOrName);
    const limited = edge(shop);
    if (limited) return limited;
    let body;
    try {
      body = JSON.parse(raw);
    } catch {
      return { status: 400, body: { errors: { query: 'Required parameter missing or invalid' } } };
    }
    return { status: 200, body: run(shop, body) };
  }

  function run(shop, { query, variables, operationName }) {
    let document;
    try {
      document = parse(String(query ?? ''));
    } catch (error) {
      return { errors: [{ message: error.message, locations: error.locations, extensions: { code: 'parseError' } }] };
    }
    const invalid = validate(adminSchema(), document);
    if (invalid.length) return { errors: invalid.map((e) => ({ message: e.message, locations: e.locations, extensions: { code: 'validationError' } })) };
    const operation = getOperationAST(document, operationName);
    const cost = operation?.operation === 'mutation' ? 10 : 1;
    const throttledBody = charge(shop, cost);
    if (throttledBody) return throttledBody;
    const result = execute({ schema: adminSchema(), document, rootValue: resolvers(shop), variableValues: variables ?? {}, operationName });
    if (result.errors) {
      // Variables that do not fit Shopify's input types are refused before anything runs.
      shop.bucket.available += cost;
      return { errors: result.errors.map((e) => ({ message: e.message, locations: e.locations, path: e.path, extensions: { code: 'argumentError' } })) };
    }
    const field = operation.selectionSet.selections[0]?.name?.value;
    shop.requests.push({ operation: operation.operation, field, variables: structuredClone(variables ?? {}) });
    return { data: result.data, extensions: { cost: { requestedQueryCost: cost, actualQueryCost: cost, throttleStatus: restore(shop) } } };
  }

  function restore(shop) {
    const t = now();
    shop.bucket.available = Math.min(BUCKET.maximumAvailable, shop.bucket.available + ((t - shop.bucket.at) / 1000) * BUCKET.restoreRate);
    shop.bucket.at = t;
    return { maximumAvailable: BUCKET.maximumAvailable, currentlyAvailable: Math.floor(shop.bucket.available), restoreRate: BUCKET.restoreRate };
  }

  function resolvers(shop) {
    const customer = (id) => shop.customers.find((c) => c.id === id);
    const createCode = (inputName, typename, input, check) => {
      const userErrors = [];
      const at = (...path) => [inputName, ...path];
      if (!input.code) userErrors.push({ field: at('code'), code: 'BLANK', message: "Code can't be blank" });
      else if (shop.discounts.has(input.code.toUpperCase())) userErrors.push({ field: at('code'), code: 'TAKEN', message: 'Code must be unique. Please try a different code.' });
      if (input.startsAt && input.endsAt && Date.parse(input.endsAt) <= Date.parse(input.startsAt)) userErrors.push({ field: at('endsAt'), code: 'END_DATE_BEFORE_START_DATE', message: 'End date must be after the start date' });
      for (const id of input.context?.customers?.add ?? []) if (!customer(id)) userErrors.push({ field: at('context', 'customers', 'add'), code: 'INVALID', message: 'Customer does not exist' });
      for (const side of ['customerGets', 'customerBuys']) {
        for (const id of input[side]?.items?.products?.productVariantsToAdd ?? []) {
          if (!shop.variants.some((v) => v.id === id)) userErrors.push({ field: at(side, 'items', 'products', 'productVariantsToAdd'), code: 'INVALID', message: 'Product variant does not exist' });
        }
        for (const id of input[side]?.items?.collections?.add ?? []) {
          if (!shop.collections.includes(id)) userErrors.push({ field: at(side, 'items', 'collections', 'add'), code: 'INVALID', message: 'Collection does not exist' });
        }
      }
      check?.(userErrors, at);
      if (userErrors.length) return { codeDiscountNode: null, userErrors };
      const node = { id: `gid://shopify/DiscountCodeNode/${nextId++}`, codeDiscount: { __typename: typename, ...input, title: input.title ?? input.code } };
      shop.discounts.set(input.code.toUpperCase(), node);
      shop.created.push({ kind: typename, input: structuredClone(input), id: node.id });
      return { codeDiscountNode: node, userErrors: [] };
    };
    const consentUpdate = (channel) => ({ input }) => {
      const found = customer(input.customerId);
      if (!found) return { customer: null, userErrors: [{ field: ['input', 'customerId'], code: 'INVALID', message: 'Customer not found' }] };
      found[`${channel}_consent`] = structuredClone(input[channel === 'email' ? 'emailMarketingConsent' : 'smsMarketingConsent']);
      return { customer: found, userErrors: [] };
    };
    return {
      discountCodeBasicCreate: ({ basicCodeDiscount: input }) =>
        createCode('basicCodeDiscount', 'DiscountCodeBasic', input, (errors, at) => {
          const percentage = input.customerGets?.value?.percentage;
          if (!input.customerGets) errors.push({ field: at('customerGets'), code: 'BLANK', message: "Customer gets can't be blank" });
          else if (percentage !== undefined && !(percentage >= 0 && percentage <= 1)) errors.push({ field: at('customerGets', 'value', 'percentage'), code: 'VALUE_OUTSIDE_RANGE', message: 'Value must be between 0.0 and 1.0' });
        }),
      discountCodeFreeShippingCreate: ({ freeShippingCodeDiscount: input }) => createCode('freeShippingCodeDiscount', 'DiscountCodeFreeShipping', input),
      discountCodeBxgyCreate: ({ bxgyCodeDiscount: input }) =>
        createCode('bxgyCodeDiscount', 'DiscountCodeBxgy', input, (errors, at) => {
          const buys = input.customerBuys?.items ?? {};
          if (!buys.products && !buys.collections) errors.push({ field: at('customerBuys', 'items'), code: 'INVALID', message: 'Customer buys items must be products or collections' });
          if (!input.customerBuys?.value) errors.push({ field: at('customerBuys', 'value'), code: 'BLANK', message: "Customer buys value can't be blank" });
          const effect = input.customerGets?.value?.discountOnQuantity?.effect;
          if (!effect) errors.push({ field: at('customerGets', 'value'), code: 'INVALID', message: 'Customer gets value must be a discount on quantity' });
          else if (effect.percentage !== undefined && !(effect.percentage > 0 && effect.percentage <= 1)) errors.push({ field: at('customerGets', 'value', 'discountOnQuantity', 'effect', 'percentage'), code: 'VALUE_OUTSIDE_RANGE', message: 'Value must be between 0.0 and 1.0' });
        }),
      productVariant: ({ id }) => shop.variants.find((v) => v.id === id) ?? null,
      codeDiscountNodeByCode: ({ code }) => shop.discounts.get(code.toUpperCase()) ?? null,
      customerByIdentifier: ({ identifier }) =>
        shop.customers.find((c) => (identifier.id && c.id === identifier.id) || (identifier.emailAddress && c.email === identifier.emailAddress.toLowerCase()) || (identifier.phoneNumber && c.phone === identifier.phoneNumber)) ?? null,
      customerEmailMarketingConsentUpdate: consentUpdate('email'),
      customerSmsMarketingConsentUpdate: consentUpdate('sms'),
    };
  }

  return {
    shops: state,
    addShop,
    answer,
    gate,
    /** The next request for `shop` is answered 429 with `Retry-After: <seconds>`. */
    rateLimit(shop, seconds) {
      state[shop].rateLimited = seconds;
    },
    /** Leave `points` in the shop's cost bucket (a busy app used the rest). */
    drain(shop, points) {
      restore(state[shop]);
      state[shop].bucket.available = points;
    },
  };
}

/**
 * The executor on its own server: `POST /admin/api/<apiVersion>/graphql.json`, each shop's token.
 * @param {object} o
 * @param {{ [shop: string]: { token: string, customers?: { id?: string, email?: string, phone?: string }[] } }} o.shops
 * @param {() => number} [o.now] the fake's clock (ms), which restores the cost bucket
 */
export async function startFakeAdmin({ shops, now = Date.now, apiVersion = API_VERSION }) {
  const admin = adminExecutor({ now });
  const byToken = new Map();
  for (const [shop, options] of Object.entries(shops)) byToken.set(options.token, admin.addShop(shop, options));
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const send = ({ status, body, headers = {} }) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const match = /^\/admin\/api\/([^/]+)\/graphql\.json$/.exec(req.url.split('?')[0]);
    if (req.method !== 'POST' || !match || match[1] !== apiVersion) return send({ status: 404, body: { errors: 'Not Found' } });
    const shop = byToken.get(req.headers['x-shopify-access-token'] ?? '');
    if (!shop) return send({ status: 401, body: { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' } });
    send(admin.answer(shop, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    shops: admin.shops,
    rateLimit: admin.rateLimit,
    drain: admin.drain,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
