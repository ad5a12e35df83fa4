// The default `onCouponRequest` for Shopify: the journey's offer becomes a discount code in the
// shop, through the Admin GraphQL API. The code itself is the engine's (`Offer::code`: "CART-"
// and 8 characters of a hash of the coupon request id), already printed in the messages, so
// minting is idempotent by construction: Shopify keeps codes unique per shop, and asking again
// for a code that exists finds it (`TAKEN`), reads it back and checks it is this request's,
// rather than minting a second one. The runtime asks before every message that prints a code
// (js-shim/server/runtime.js, ensureCoupon), so no message promises a code Shopify lacks.
//
// What the code is, per the issue and Shopify's discount inputs (schema: tests/shopify/admin-schema/):
// one use in all (`usageLimit: 1`), once per customer, for this customer only where the shop
// knows them by the address the message goes to (`context.customers`; `customerSelection` is
// deprecated in 2026-10), from now until the journey expires, combining with nothing.
// Percentages (percentOff, loyalty) are `discountCodeBasicCreate` on the whole order;
// free and expedited shipping are `discountCodeFreeShippingCreate` (expedited is shipping at no
// charge whichever rate the shopper picks).
//
// A gift is the merchant's chosen product variant, free with an order that spends the gift's
// minimum: Shopify's own "free gift with purchase", a buy X get Y code (`discountCodeBxgyCreate`):
// the shopper buys at least `minimumSubtotal` of the items in the merchant's qualifying collection
// (`customerBuys`: products or collections only, per Shopify's docs, so "anything in the shop" is a
// collection the merchant keeps, e.g. an automated one with every product) and gets one unit of
// the variant at 100% off (`discountOnQuantity`, `usesPerOrderLimit: 1`). An amount-off-products
// code on the variant cannot say this: its minimum counts only the discounted products. The
// shopper adds the gift to the cart; the code makes it free. A shop without a gift cannot give
// one: `policyWithoutGift` keeps the engine from offering it.
//
// So the message must say what the gift is and that it goes in the cart: `giftFact` gives the
// policy's `facts.gift` (the pack's gift copy reads it). The name is the product's title in
// Shopify unless the merchant wrote their own (`gift.title`): that is the name the shopper will
// see on the product page and in the cart, and it needs no second place to keep in step. The
// link is the product's online store page with the gift variant chosen (`?variant=<n>`), where
// the theme's own add-to-cart button adds it to the cart the shopper has. Not a cart permalink
// (`/cart/<variant>:1`): Shopify's docs say it opens checkout with the link's items, a new cart
// without the shopper's; nor a `GET /cart/add?id=` link, which Shopify documents only as a POST
// (Ajax API: "POST requests to update the cart").

import { RekindleConfigError } from '../settings.js';
import { ShopifyAdminError, customerIdByAddress } from './admin.js';

const NOTHING = { orderDiscounts: false, productDiscounts: false, shippingDiscounts: false };
const MINTED_REMEMBERED = 1000;

/**
 * @param {object} o
 * @param {{ request(query: string, variables?: object): Promise<any> }} o.admin the shop's Admin
 *   GraphQL client (js-shim/server/shopify/admin.js: `adminFromToken` or `adminFromClient`)
 * @param {(request) => string} [o.title] the discount's title in the Shopify admin
 * @param {{ variantId: string, collectionId: string, minimumSubtotal: string }} [o.gift] the product
 *   variant given free, the collection whose items count toward the purchase, and the amount
 *   (shop currency, decimal) to spend on them; without it a gift offer is refused
 * @returns {(request, context?: { to?: string }) => Promise<{ id: string, code: string, created: boolean }>}
 */
export function shopifyCoupons({ admin, title = (r) => `Rekindle cart recovery ${r.code}`, gift, now = Date.now }) {
  if (!admin?.request) throw new TypeError('shopifyCoupons: admin (an Admin GraphQL client) is required');
  checkGift(gift);
  // Codes this process saw exist: a later message with the same code costs no API call.
  const minted = new Map();

  return async function onCouponRequest(request, context = {}) {
    const { code, offer } = request;
    if (minted.has(code)) return { id: minted.get(code), code, created: false };
    const expected = title(request);
    const startsAt = new Date(now()).toISOString();
    if (offer.expiresAt && Date.parse(offer.expiresAt) <= now()) {
      throw new ShopifyAdminError('OFFER_EXPIRED', 'the journey this offer belongs to has expired', { permanent: true });
    }
    if (offer.kind === 'gift' && !gift) {
      throw new ShopifyAdminError('GIFT_NOT_CONFIGURED', 'a gift offer needs the shop\'s gift (which product variant to give)', { permanent: true });
    }
    const customerId = await customerIdByAddress(admin, context.to).catch((error) => {
      // Restricting the code is a nicety; the code itself is the point. Throttles still wait.
      if (error.code === 'THROTTLED') throw error;
      return null;
    });
    const common = {
      title: expected,
      code,
      startsAt,
      ...(offer.expiresAt ? { endsAt: offer.expiresAt } : {}),
      usageLimit: 1,
      appliesOncePerCustomer: true,
      combinesWith: NOTHING,
      context: customerId ? { customers: { add: [customerId] } } : { all: 'ALL' },
    };
    let created;
    switch (offer.kind) {
      case 'percentOff':
      case 'loyalty':
        created = await mint(admin, BASIC_CREATE, 'discountCodeBasicCreate', {
          basicCodeDiscount: { ...common, customerGets: { value: { percentage: offer.percent / 100 }, items: { all: true } } },
        });
        break;
      case 'freeShipping':
      case 'expeditedShipping':
        created = await mint(admin, FREE_SHIPPING_CREATE, 'discountCodeFreeShippingCreate', {
          freeShippingCodeDiscount: { ...common, destination: { all: true } },
        });
        break;
      case 'gift':
        created = await mint(admin, BXGY_CREATE, 'discountCodeBxgyCreate', {
          bxgyCodeDiscount: {
            ...common,
            usesPerOrderLimit: 1,
            customerBuys: { value: { amount: gift.minimumSubtotal }, items: { collections: { add: [gift.collectionId] } } },
            customerGets: { value: { discountOnQuantity: { quantity: '1', effect: { percentage: 1 } } }, items: { products: { productVariantsToAdd: [gift.variantId] } } },
          },
        });
        break;
      default:
        throw new ShopifyAdminError('UNKNOWN_OFFER', `no Shopify discount for offer kind ${offer.kind}`, { permanent: true });
    }
    const result = created ?? (await readBack(admin, code, expected));
    if (minted.size >= MINTED_REMEMBERED) minted.delete(minted.keys().next().value);
    minted.set(code, result.id);
    return { ...result, code };
  };
}

/**
 * The gift as the messages name it (`facts.gift`: `{ title, url? }`): the merchant's own
 * `gift.title` and `gift.url`, else read from Shopify (the variant's product title, and its
 * online store page with the variant chosen). Null when Shopify has no such variant.
 */
export async function giftFact({ admin, gift }) {
  checkGift(gift);
  if (gift.title) return { title: gift.title.trim(), ...(gift.url ? { url: gift.url } : {}) };
  const variant = (await admin.request(GIFT_VARIANT, { id: gift.variantId })).productVariant;
  if (!variant?.product?.title) return null;
  // A product with one variant calls it "Default Title": the product's name is then the name.
  const named = variant.title && variant.title !== 'Default Title' ? `${variant.product.title} (${variant.title})` : variant.product.title;
  const page = variant.product.onlineStoreUrl ? new URL(variant.product.onlineStoreUrl) : null;
  if (page) page.searchParams.set('variant', gift.variantId.split('/').at(-1));
  return { title: named.trim().slice(0, 255), ...(page?.protocol === 'https:' ? { url: page.href } : {}) };
}

/** The policy with `facts.gift` stated (a policy that states its own keeps it). */
export function policyWithGift(policy, fact) {
  let parsed = policy;
  if (typeof policy === 'string') {
    try {
      parsed = JSON.parse(policy);
    } catch {
      return policy;
    }
  }
  if (!fact || !parsed || typeof parsed !== 'object' || parsed.facts?.gift) return policy;
  return { ...parsed, facts: { ...parsed.facts, gift: fact } };
}

const GIFT_VARIANT = `query RekindleGift($id: ID!) {
  productVariant(id: $id) {
    title
    product { title onlineStoreUrl }
  }
}`;

const VARIANT_ID = /^gid:\/\/shopify\/ProductVariant\/\d+$/;
const COLLECTION_ID = /^gid:\/\/shopify\/Collection\/\d+$/;
const DECIMAL = /^\d{1,12}(\.\d{1,4})?$/;

/** A gift setting that cannot work is a configuration error now, not a failed message later. */
function checkGift(gift) {
  if (gift === undefined || gift === null) return;
  const bad = (field, what) => new RekindleConfigError('INVALID_FIELD', `gift.${field}`, what);
  if (typeof gift.variantId !== 'string' || !VARIANT_ID.test(gift.variantId)) throw bad('variantId', 'must be a product variant id (gid://shopify/ProductVariant/<n>)');
  if (typeof gift.collectionId !== 'string' || !COLLECTION_ID.test(gift.collectionId)) throw bad('collectionId', 'must be a collection id (gid://shopify/Collection/<n>): the items whose purchase earns the gift');
  if (typeof gift.minimumSubtotal !== 'string' || !DECIMAL.test(gift.minimumSubtotal)) throw bad('minimumSubtotal', 'must be a decimal amount in the shop\'s currency, e.g. "250.00"');
  if (gift.title !== undefined && (typeof gift.title !== 'string' || !gift.title.trim() || gift.title.length > 255)) throw bad('title', 'the gift\'s name as the store shows it, 1 to 255 characters');
  if (gift.url !== undefined && (typeof gift.url !== 'string' || !/^https:\/\/[^\s"'<>\\]+$/.test(gift.url))) throw bad('url', 'must be an https URL where the shopper adds the gift to the cart');
}

/**
 * The shop's policy for the default Shopify hooks: without a gift variant the shop cannot give a
 * gift, so the ladder's gift rungs go (the next rung the cart qualifies for is offered instead,
 * rather than a message that fails when it is due). The version says so, since journeys record
 * the version they ran under. `policy`: an object or JSON text; anything else is returned as is
 * (the Engine refuses it with its own error and path).
 */
export function policyWithoutGift(policy) {
  let parsed = policy;
  if (typeof policy === 'string') {
    try {
      parsed = JSON.parse(policy);
    } catch {
      return policy;
    }
  }
  const ladder = parsed?.incentives?.ladder;
  if (!Array.isArray(ladder) || !ladder.some((rung) => rung?.kind === 'gift')) return policy;
  return {
    ...parsed,
    version: `${parsed.version}+no-gift`,
    incentives: { ...parsed.incentives, ladder: ladder.filter((rung) => rung?.kind !== 'gift') },
  };
}

/**
 * A published playbook replaces the deployment's, so `policyWithoutGift` cannot reach it: in a
 * shop with no gift, a gift rung in a playbook about to be published is refused at its path
 * (operator.js `playbookRules`), rather than dropped, so what is published is what the merchant
 * checked and compared.
 */
export function giftRungProblems(policy) {
  const ladder = policy?.incentives?.ladder ?? [];
  return ladder.flatMap((rung, i) => (rung?.kind === 'gift'
    ? [{ code: 'GIFT_NOT_CONFIGURED', path: `$.incentives.ladder[${i}]`, message: 'this shop has no gift configured (the app\'s gift setting): remove the gift rung' }]
    : []));
}

/** The new discount's `{ id, created: true }`, or null when the code already exists. */
async function mint(admin, mutation, field, variables) {
  const payload = (await admin.request(mutation, variables))[field];
  const errors = payload?.userErrors ?? [];
  if (errors.length === 0 && payload?.codeDiscountNode?.id) return { id: payload.codeDiscountNode.id, created: true };
  // "Code must be unique": a retry of this very request, or (at 40 bits, unlikely) a clash.
  if (errors.some((e) => e.code === 'TAKEN' && e.field?.at(-1) === 'code')) return null;
  throw new ShopifyAdminError('USER_ERRORS', `Shopify refused the discount: ${errors.map((e) => e.code ?? e.message).join(', ') || 'no discount returned'}`, {
    permanent: true,
    userErrors: errors.map(({ code, field: at }) => ({ code, field: at })),
  });
}

/** A code that exists already: ours if its title is the one this request gives. */
async function readBack(admin, code, expectedTitle) {
  const node = (await admin.request(BY_CODE, { code })).codeDiscountNodeByCode;
  if (!node) throw new ShopifyAdminError('CODE_VANISHED', 'Shopify said the code was taken but has no discount with it');
  if (node.codeDiscount?.title !== expectedTitle) {
    throw new ShopifyAdminError('CODE_CLASH', 'the shop has a discount of its own with this code', { permanent: true });
  }
  return { id: node.id, created: false };
}

const PAYLOAD = `codeDiscountNode { id }
    userErrors { field code message }`;

const BASIC_CREATE = `mutation RekindleBasicCode($basicCodeDiscount: DiscountCodeBasicInput!) {
  discountCodeBasicCreate(basicCodeDiscount: $basicCodeDiscount) {
    ${PAYLOAD}
  }
}`;

const FREE_SHIPPING_CREATE = `mutation RekindleFreeShippingCode($freeShippingCodeDiscount: DiscountCodeFreeShippingInput!) {
  discountCodeFreeShippingCreate(freeShippingCodeDiscount: $freeShippingCodeDiscount) {
    ${PAYLOAD}
  }
}`;

const BXGY_CREATE = `mutation RekindleGiftCode($bxgyCodeDiscount: DiscountCodeBxgyInput!) {
  discountCodeBxgyCreate(bxgyCodeDiscount: $bxgyCodeDiscount) {
    ${PAYLOAD}
  }
}`;

const BY_CODE = `query RekindleCodeByCode($code: String!) {
  codeDiscountNodeByCode(code: $code) {
    id
    codeDiscount {
      __typename
      ... on DiscountCodeBasic { title }
      ... on DiscountCodeFreeShipping { title }
      ... on DiscountCodeBxgy { title }
    }
  }
}`;
