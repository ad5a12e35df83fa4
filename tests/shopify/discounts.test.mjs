// The default Shopify `onCouponRequest` against the fake Admin API (tests/shopify/fake-admin.mjs),
// which validates every operation against Shopify's published Admin schema: the code's terms,
// one code per coupon request however often it is asked for, and Shopify's throttling.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeAdmin } from './fake-admin.mjs';
import { adminFromToken, throttleWaitMs } from '../../js-shim/server/shopify/admin.js';
import { giftFact, policyWithGift, policyWithoutGift, shopifyCoupons } from '../../js-shim/server/shopify/discounts.js';

const SHOP = 'acme.myshopify.com';
const OTHER = 'other.myshopify.com';
const GIFT_VARIANT = 'gid://shopify/ProductVariant/44012345678';
const EVERYTHING = 'gid://shopify/Collection/300000000001'; // the shop's collection of every product
// A variant of a product with several (so its name carries the variant's), and one of a product not on the online store.
const MUG_VARIANT = 'gid://shopify/ProductVariant/44012345679';
const HIDDEN_VARIANT = 'gid://shopify/ProductVariant/44012345680';
const clock = { now: Date.parse('2026-11-27T15:00:00Z') };
let fake;

before(async () => {
  fake = await startFakeAdmin({
    now: () => clock.now,
    shops: {
      [SHOP]: { token: 'shpat_acme', customers: [{ id: 'gid://shopify/Customer/7001', email: 'ada@example.com', phone: '+15555550100' }], variants: [
        { id: GIFT_VARIANT, price: '18.50' },
        { id: MUG_VARIANT, price: '12.00', title: 'Forest green', product: { title: 'Enamel camp mug', onlineStoreUrl: 'https://acme.example/products/enamel-camp-mug' } },
        { id: HIDDEN_VARIANT, price: '9.00', product: { title: 'Sticker pack', onlineStoreUrl: null } },
      ], collections: [EVERYTHING] },
      [OTHER]: { token: 'shpat_other' },
    },
  });
});
after(() => fake?.close());

/** An Admin client whose waits move the fake's clock instead of the test's. */
function admin(token = 'shpat_acme', waits = []) {
  return adminFromToken({
    shop: SHOP, accessToken: token, baseUrl: fake.url,
    sleep: async (ms) => { waits.push(ms); clock.now += ms; },
  });
}

const request = (journey, kind, percent) => ({
  type: 'requestCoupon', id: `${journey}.coupon`, journeyId: journey,
  code: `CART-${journey.slice(-8).toUpperCase()}`,
  offer: { kind, ...(percent ? { percent } : {}), couponRequestId: `${journey}.coupon`, expiresAt: '2026-12-01T15:00:00Z' },
});

test('a percentage offer becomes a single-use code for that customer only, from now until the journey expires, combining with nothing', async () => {
  const mint = shopifyCoupons({ admin: admin(), now: () => clock.now });
  const r = request('j_percent0001', 'percentOff', 10);
  const result = await mint(r, { to: 'ada@example.com', channel: 'email' });
  assert.equal(result.created, true);
  assert.match(result.id, /^gid:\/\/shopify\/DiscountCodeNode\/\d+$/);
  const created = fake.shops[SHOP].created.filter((c) => c.input.code === r.code);
  assert.equal(created.length, 1);
  assert.equal(created[0].kind, 'DiscountCodeBasic');
  assert.deepEqual(created[0].input, {
    title: `Rekindle cart recovery ${r.code}`,
    code: r.code,
    startsAt: new Date(clock.now).toISOString(),
    endsAt: '2026-12-01T15:00:00Z',
    usageLimit: 1,
    appliesOncePerCustomer: true,
    combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: false },
    context: { customers: { add: ['gid://shopify/Customer/7001'] } },
    customerGets: { value: { percentage: 0.1 }, items: { all: true } },
  });
});

test('free shipping is its own mutation; a shopper the shop has no customer for gets a code open to all buyers, still single use', async () => {
  const mint = shopifyCoupons({ admin: admin(), now: () => clock.now });
  const r = request('j_freeship001', 'freeShipping');
  await mint(r, { to: 'guest@example.com', channel: 'email' });
  const [created] = fake.shops[SHOP].created.filter((c) => c.input.code === r.code);
  assert.equal(created.kind, 'DiscountCodeFreeShipping');
  assert.deepEqual(created.input.context, { all: 'ALL' });
  assert.deepEqual(created.input.destination, { all: true });
  assert.equal(created.input.usageLimit, 1);
  assert.equal(created.input.appliesOncePerCustomer, true);
});

test('asked again for the same coupon request (a retry, another process, a later message) no second code is minted: Shopify\'s TAKEN is read back as ours', async () => {
  const r = request('j_retry000001', 'percentOff', 10);
  const first = await shopifyCoupons({ admin: admin(), now: () => clock.now })(r, { to: 'ada@example.com' });
  const before = fake.shops[SHOP].requests.length;
  // A fresh minter has no memory: it is another process, or this one after a restart.
  const again = await shopifyCoupons({ admin: admin(), now: () => clock.now })(r, { to: 'ada@example.com' });
  assert.equal(again.created, false);
  assert.equal(again.id, first.id);
  assert.equal(fake.shops[SHOP].created.filter((c) => c.input.code === r.code).length, 1);
  const calls = fake.shops[SHOP].requests.slice(before).map((q) => q.field);
  assert.deepEqual(calls, ['customerByIdentifier', 'discountCodeBasicCreate', 'codeDiscountNodeByCode']);
  // The same minter asked again answers from memory, with no call at all.
  const mint = shopifyCoupons({ admin: admin(), now: () => clock.now });
  await mint(r, { to: 'ada@example.com' });
  const count = fake.shops[SHOP].requests.length;
  await mint(r, { to: 'ada@example.com' });
  assert.equal(fake.shops[SHOP].requests.length, count);
});

test('a code the merchant already uses for a discount of their own is a clash, refused as permanent, never taken over', async () => {
  const r = request('j_clash000001', 'percentOff', 10);
  await shopifyCoupons({ admin: admin(), now: () => clock.now, title: () => 'Merchant summer sale' })(r, {});
  await assert.rejects(shopifyCoupons({ admin: admin(), now: () => clock.now })(r, {}), (e) => e.code === 'CODE_CLASH' && e.permanent === true);
});

test('THROTTLED: the call waits what the cost bucket needs at its restore rate (throttleStatus), then succeeds', async () => {
  fake.drain(SHOP, 4); // a mutation costs 10: 6 points short at 100 a second is 60 ms
  const waits = [];
  const r = request('j_throttle001', 'percentOff', 10);
  const result = await shopifyCoupons({ admin: admin('shpat_acme', waits), now: () => clock.now })(r, {});
  assert.equal(result.created, true);
  assert.deepEqual(waits, [60]);
});

test('HTTP 429: the call waits the Retry-After Shopify sent', async () => {
  fake.rateLimit(SHOP, 2);
  const waits = [];
  const result = await shopifyCoupons({ admin: admin('shpat_acme', waits), now: () => clock.now })(request('j_retryafter1', 'freeShipping'), {});
  assert.equal(result.created, true);
  assert.deepEqual(waits, [2000]);
});

test('a throttle longer than the inline limit is handed back with its wait, for a later tick', () => {
  const body = { errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED' } }], extensions: { cost: { requestedQueryCost: 752, actualQueryCost: null, throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 666, restoreRate: 50 } } } };
  assert.equal(throttleWaitMs(200, null, body), 1720); // Shopify's own example: 86 points at 50 a second
  assert.equal(throttleWaitMs(200, null, { data: {} }), null);
  assert.equal(throttleWaitMs(429, '1.5', null), 1500);
});

test('a token that is not the shop\'s is refused as permanent; a shop sees only its own customers', async () => {
  await assert.rejects(shopifyCoupons({ admin: admin('shpat_wrong'), now: () => clock.now })(request('j_badtoken01', 'percentOff', 10), {}), (e) => e.code === 'HTTP_401' && e.permanent);
  const r = request('j_othershop1', 'percentOff', 10);
  await shopifyCoupons({ admin: admin('shpat_other'), now: () => clock.now })(r, { to: 'ada@example.com' });
  const [created] = fake.shops[OTHER].created;
  assert.deepEqual(created.input.context, { all: 'ALL' }, 'Ada is a customer of the other shop, not this one');
});

test('the fake validates against Shopify\'s schema: an input field Shopify does not have is refused before anything runs', async () => {
  const client = admin();
  await assert.rejects(
    client.request('mutation($d: DiscountCodeBasicInput!) { discountCodeBasicCreate(basicCodeDiscount: $d) { userErrors { field } } }', { d: { code: 'X', percentOff: 10 } }),
    (e) => e.code === 'GRAPHQL' && /percentOff/.test(e.message) && e.permanent,
  );
  await assert.rejects(client.request('{ shop { nonsense } }'), (e) => e.code === 'GRAPHQL' && /nonsense/.test(e.message));
});

test('an offer whose journey has expired mints nothing; a gift without the shop\'s gift variant is refused as permanent, asking Shopify nothing', async () => {
  const expired = request('j_expired001', 'percentOff', 10);
  expired.offer.expiresAt = new Date(clock.now - 1000).toISOString();
  await assert.rejects(shopifyCoupons({ admin: admin(), now: () => clock.now })(expired, {}), (e) => e.code === 'OFFER_EXPIRED' && e.permanent);
  const before = fake.shops[SHOP].requests.length;
  await assert.rejects(shopifyCoupons({ admin: admin(), now: () => clock.now })(request('j_gift000001', 'gift'), {}), (e) => e.code === 'GIFT_NOT_CONFIGURED' && e.permanent);
  assert.equal(fake.shops[SHOP].requests.length, before);
});

const GIFT = { variantId: GIFT_VARIANT, collectionId: EVERYTHING, minimumSubtotal: '250.00' };

test('a gift is Shopify\'s buy X get Y: spend the minimum on the qualifying collection, get one unit of the variant free, once per order, single use, for that customer', async () => {
  const r = request('j_gift000002', 'gift');
  const result = await shopifyCoupons({ admin: admin(), now: () => clock.now, gift: GIFT })(r, { to: 'ada@example.com' });
  assert.equal(result.created, true);
  const [created] = fake.shops[SHOP].created.filter((c) => c.input.code === r.code);
  assert.equal(created.kind, 'DiscountCodeBxgy');
  assert.deepEqual({ value: created.input.customerBuys.value, items: created.input.customerBuys.items }, { value: { amount: '250.00' }, items: { collections: { add: [EVERYTHING] } } }); // (with Shopify's defaults: one-time purchases only)
  assert.deepEqual(created.input.customerGets, { value: { discountOnQuantity: { quantity: '1', effect: { percentage: 1 } } }, items: { products: { productVariantsToAdd: [GIFT_VARIANT] } } });
  assert.equal(created.input.usesPerOrderLimit, 1);
  assert.deepEqual(created.input.context, { customers: { add: ['gid://shopify/Customer/7001'] } });
  assert.equal(created.input.usageLimit, 1);
  assert.deepEqual(created.input.combinesWith, { orderDiscounts: false, productDiscounts: false, shippingDiscounts: false });
  // Asked again by a fresh minter (another process): TAKEN, read back as ours, nothing minted twice.
  const again = await shopifyCoupons({ admin: admin(), now: () => clock.now, gift: GIFT })(r, { to: 'ada@example.com' });
  assert.deepEqual([again.created, again.id], [false, result.id]);
  assert.equal(fake.shops[SHOP].created.filter((c) => c.input.code === r.code).length, 1);
});

test('a gift variant or collection the shop no longer has is refused as permanent; a gift setting that cannot work is refused when the hook is made', async () => {
  const gone = { ...GIFT, variantId: 'gid://shopify/ProductVariant/1' };
  await assert.rejects(shopifyCoupons({ admin: admin(), now: () => clock.now, gift: gone })(request('j_gift000003', 'gift'), {}), (e) => e.code === 'USER_ERRORS' && e.permanent && e.userErrors[0].field.includes('productVariantsToAdd'));
  const noCollection = { ...GIFT, collectionId: 'gid://shopify/Collection/9' };
  await assert.rejects(shopifyCoupons({ admin: admin(), now: () => clock.now, gift: noCollection })(request('j_gift000004', 'gift'), {}), (e) => e.code === 'USER_ERRORS' && e.permanent);
  assert.throws(() => shopifyCoupons({ admin: admin(), gift: { ...GIFT, variantId: '44012345678' } }), (e) => e.code === 'INVALID_FIELD' && e.path === 'gift.variantId');
  assert.throws(() => shopifyCoupons({ admin: admin(), gift: { ...GIFT, collectionId: undefined } }), (e) => e.code === 'INVALID_FIELD' && e.path === 'gift.collectionId');
  assert.throws(() => shopifyCoupons({ admin: admin(), gift: { ...GIFT, minimumSubtotal: 250 } }), (e) => e.code === 'INVALID_FIELD' && e.path === 'gift.minimumSubtotal');
});

test('without a gift variant the policy has no gift rung, and says so in its version; a policy without one is left as it is', () => {
  const policy = { version: 'p-1', incentives: { ladder: [{ kind: 'gift', minCartMinor: 25000, costMinor: 1500 }, { kind: 'percentOff', percent: 10 }], cooldownDays: 30 } };
  assert.deepEqual(policyWithoutGift(policy), { version: 'p-1+no-gift', incentives: { ladder: [{ kind: 'percentOff', percent: 10 }], cooldownDays: 30 } });
  assert.deepEqual(policyWithoutGift(JSON.stringify(policy)).incentives.ladder, [{ kind: 'percentOff', percent: 10 }]);
  const none = { version: 'p-2', incentives: { ladder: [{ kind: 'freeShipping' }] } };
  assert.equal(policyWithoutGift(none), none);
  assert.equal(policyWithoutGift('{not json'), '{not json');
});

test('the gift is named as Shopify names it, with its product page (the variant chosen) to add it to the cart; a merchant\'s own name asks Shopify nothing', async () => {
  const gift = (variantId, more = {}) => ({ variantId, collectionId: EVERYTHING, minimumSubtotal: '250.00', ...more });
  const asked = () => fake.shops[SHOP].requests.filter((r) => r.field === 'productVariant').length;
  const before = asked();
  assert.deepEqual(await giftFact({ admin: admin(), gift: gift(MUG_VARIANT) }), { title: 'Enamel camp mug (Forest green)', url: 'https://acme.example/products/enamel-camp-mug?variant=44012345679' });
  assert.deepEqual(await giftFact({ admin: admin(), gift: gift(HIDDEN_VARIANT) }), { title: 'Sticker pack' }, 'not on the online store: no page to link');
  assert.equal(await giftFact({ admin: admin(), gift: gift('gid://shopify/ProductVariant/1') }), null, 'a variant the shop does not have');
  assert.equal(asked(), before + 3);
  assert.deepEqual(await giftFact({ admin: admin(), gift: gift(MUG_VARIANT, { title: ' A camp mug ', url: 'https://acme.example/pages/gift' }) }), { title: 'A camp mug', url: 'https://acme.example/pages/gift' });
  assert.equal(asked(), before + 3, 'the merchant\'s own name: no Admin call');
  await assert.rejects(giftFact({ admin: admin(), gift: gift(MUG_VARIANT, { title: '' }) }), (e) => e.code === 'INVALID_FIELD' && e.path === 'gift.title');
  await assert.rejects(giftFact({ admin: admin(), gift: gift(MUG_VARIANT, { title: 'Mug', url: 'http://acme.example/x' }) }), (e) => e.code === 'INVALID_FIELD' && e.path === 'gift.url');
  const policy = { version: 'p-1', facts: { returnWindowDays: 30 } };
  assert.deepEqual(policyWithGift(policy, { title: 'Mug' }), { version: 'p-1', facts: { returnWindowDays: 30, gift: { title: 'Mug' } } });
  const own = { version: 'p-1', facts: { gift: { title: 'Their words' } } };
  assert.equal(policyWithGift(own, { title: 'Mug' }), own, 'a policy that states its gift keeps it');
});
