// The demo's stand-in for Shopify and Twilio: their webhooks as they would send them, signed
// with the demo's secrets, so the Rekindle handler checks them exactly as in production.
import { createHmac } from 'node:crypto';

export const SECRETS = {
  salt: 'demo-salt',
  shopify: 'demo-shopify-secret',
  twilioAuthToken: 'demo-twilio-token',
  tick: 'demo-tick-secret',
};

const price = (minor) => (minor / 100).toFixed(2);

/** A Shopify checkout (checkouts/create) as of `at`, for `shopper` and their `cart`. */
export function checkoutPayload(shopper, { at, shopUrl }) {
  const { cart } = shopper;
  return JSON.stringify({
    token: cart.token,
    cart_token: `cart-${cart.token}`,
    email: shopper.email,
    phone: shopper.phone,
    sms_marketing_phone: shopper.smsConsent ? shopper.phone : null,
    buyer_accepts_marketing: true,
    buyer_accepts_sms_marketing: Boolean(shopper.smsConsent),
    created_at: at,
    updated_at: at,
    currency: 'USD',
    customer_locale: 'en-US',
    completed_at: null,
    line_items: cart.items.map((i) => ({ title: i.title, variant_title: i.variant ?? null, quantity: i.quantity, price: price(i.unitPrice), product_id: i.productId })),
    shipping_lines: cart.shippingMinor === undefined ? [] : [{ price: price(cart.shippingMinor) }],
    total_tax: null,
    abandoned_checkout_url: `${shopUrl}/checkout/${cart.token}`,
    shipping_address: { country_code: shopper.country ?? 'US', province_code: shopper.province, first_name: shopper.firstName },
    customer: { id: shopper.customerId, email: shopper.email, phone: shopper.phone, first_name: shopper.firstName },
  });
}

/** A Shopify order (orders/create); `sameCheckout: false` is a purchase on another device. */
export function orderPayload(shopper, { at, orderId, sameCheckout = true, cart = shopper.cart }) {
  const total = cart.items.reduce((sum, i) => sum + i.unitPrice * i.quantity, 0) + (cart.shippingMinor ?? 0);
  return JSON.stringify({
    id: orderId,
    ...(sameCheckout ? { checkout_token: cart.token, cart_token: `cart-${cart.token}` } : {}),
    email: shopper.email,
    created_at: at,
    processed_at: at,
    currency: 'USD',
    total_price: price(total),
    customer: sameCheckout ? { id: shopper.customerId, email: shopper.email } : { email: shopper.email },
  });
}

let webhookCount = 0;

export function postShopify(base, topic, body) {
  webhookCount += 1;
  return fetch(`${base}/webhooks/shopify`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': topic,
      'x-shopify-hmac-sha256': createHmac('sha256', SECRETS.shopify).update(body, 'utf8').digest('base64'),
      'x-shopify-webhook-id': `demo-wh-${webhookCount}`,
    },
    body,
  });
}

/** An inbound SMS, signed as Twilio signs it: over the public URL (the handler's publicUrl, `base`) and the sorted form. */
export function postTwilioInbound(base, { from, body }) {
  const path = '/webhooks/twilio/inbound';
  const params = { MessageSid: `SM${String(++webhookCount).padStart(32, '0')}`, AccountSid: 'AC_demo', From: from, To: '+15005550006', Body: body };
  const data = base + path + Object.keys(params).sort().map((k) => k + params[k]).join('');
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': createHmac('sha1', SECRETS.twilioAuthToken).update(data, 'utf8').digest('base64') },
    body: new URLSearchParams(params).toString(),
  });
}
