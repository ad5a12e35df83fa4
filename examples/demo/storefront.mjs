// The demo storefront, and the platform behind it: catalogue, cart, checkout (shipping is
// revealed on its second step) and a one-click "buy now". Its pages carry the Rekindle
// storefront embed and its consent widget; its server plays Shopify and sends Rekindle the
// signed checkouts/create, checkouts/update and orders/create webhooks a real shop would.

import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { checkoutPayload, orderPayload, postShopify } from './platform.mjs';

export const CATALOGUE = [
  { id: 'socks', title: 'Merino hiking socks', unitPrice: 1800, category: 'apparel' },
  { id: 'cap', title: 'Trail running cap', unitPrice: 2400, category: 'accessories' },
  { id: 'bottle', title: 'Insulated bottle', unitPrice: 3200, category: 'gear' },
  { id: 'jacket', title: 'Waterproof shell jacket', unitPrice: 18900, category: 'apparel' },
  { id: 'bag', title: 'Down sleeping bag', unitPrice: 24900, category: 'gear' },
];
const FREE_SHIPPING_FROM = 15000;
const SHIPPING = 895;
const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm' };
const money = (minor) => `$${(minor / 100).toFixed(2)}`;
const escape = (text) => String(text ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The cart a list of `{ id, quantity }` makes. */
export function cartOf(token, lines) {
  const items = lines.map(({ id, quantity }) => {
    const p = CATALOGUE.find((c) => c.id === id);
    return { title: p.title, quantity, unitPrice: p.unitPrice, category: p.category, productId: `gid://shopify/Product/${CATALOGUE.indexOf(p) + 1}` };
  });
  return { token, items };
}
const subtotal = (cart) => cart.items.reduce((sum, i) => sum + i.unitPrice * i.quantity, 0);
export const shippingFor = (cart) => (subtotal(cart) >= FREE_SHIPPING_FROM ? 0 : SHIPPING);

function page(title, body, rekindleUrl, idleSeconds = 20) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<link rel="icon" href="data:,"><title>${escape(title)} — Trailhead Outfitters (demo)</title>
<style>body{font:16px system-ui,sans-serif;margin:2rem auto;max-width:42rem;padding:0 1rem} label{display:block;margin:.3rem 0}
button{font:inherit;padding:.5rem 1rem} [hidden]{display:none!important} td{padding:.2rem .6rem}</style>
<script async src="/rekindle/embed.js" data-endpoint="${rekindleUrl}/beacon" data-idle-seconds="${idleSeconds}"
  data-email-consent="#accepts-email" data-text-version="demo-cart-email-v1" data-widget="#rekindle-consent"></script>
</head><body><h1>${escape(title)}</h1>${body}</body></html>`;
}

const cartMarkup = (cart, recoveryUrl) => `<table data-rekindle-cart data-token="${escape(cart.token)}" data-currency="USD" data-recovery-url="${escape(recoveryUrl)}">
${cart.items.map((i) => `<tr data-rekindle-item data-title="${escape(i.title)}" data-quantity="${i.quantity}" data-price="${money(i.unitPrice)}" data-product-id="${escape(i.productId)}"><td>${i.quantity} × ${escape(i.title)}</td><td>${money(i.unitPrice * i.quantity)}</td></tr>`).join('')}
<tr><td><b>Subtotal</b></td><td><b>${money(subtotal(cart))}</b></td></tr></table>`;

const cataloguePage = (rekindleUrl) => page('Trailhead Outfitters', `
<form method="post" action="/checkout">
<table>${CATALOGUE.map((p) => `<tr><td>${escape(p.title)}</td><td>${money(p.unitPrice)}</td><td><input name="qty-${p.id}" type="number" min="0" max="9" value="0" style="width:3rem"></td></tr>`).join('')}</table>
<h2>Contact</h2>
<label>First name <input name="firstName" value="Sam"></label>
<label>Email <input name="email" type="email" required value="sam@example.com"></label>
<label>Mobile <input name="phone" value="+15125550142"></label>
<label>State <select name="province"><option>TX</option><option>CA</option><option>NY</option></select></label>
<label><input id="accepts-email" name="acceptsEmail" type="checkbox" checked> Email me a reminder about my cart</label>
<label><input name="smsConsent" type="checkbox"> Text me about my order and offers (Reply STOP to opt out)</label>
<div id="rekindle-consent"></div>
<p><button>Check out</button></p></form>`, rekindleUrl);

const checkoutPage = (checkout, recoveryUrl, rekindleUrl, idleSeconds) => page('Checkout', `<div data-rekindle-stage="checkout"></div>${cartMarkup(checkout.cart, recoveryUrl)}
<p><button id="to-shipping" type="button">Continue to shipping</button></p>
<section id="shipping" ${checkout.cart.shippingMinor === undefined ? 'hidden' : ''}>
  <p>Shipping: <strong data-rekindle-signal="shippingCost" data-amount="${(shippingFor(checkout.cart) / 100).toFixed(2)}">${money(shippingFor(checkout.cart))}</strong></p>
  <form method="post" action="/checkout/${escape(checkout.cart.token)}/pay"><button id="pay">Pay ${money(subtotal(checkout.cart) + shippingFor(checkout.cart))}</button></form>
</section>
<script>
  document.getElementById('to-shipping').addEventListener('click', async () => {
    await fetch(location.pathname + '/shipping', { method: 'POST' });
    document.getElementById('shipping').hidden = false;
  });
</script>`, rekindleUrl, idleSeconds);

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

/**
 * The storefront's node:http listener. `clock` dates the platform's webhooks; `idleSeconds`
 * is how long a still checkout page waits before the embed reports an abandonment.
 */
export function storefrontRoutes({ dist, rekindleUrl, clock, idleSeconds = 20 }) {
  const checkouts = new Map(); // token → { shopper, cart }
  let orders = 0;
  const at = () => new Date(clock.now()).toISOString();
  const shopUrl = (req) => `http://${req.headers.host}`;

  /** Shopify's side of a checkout: create, then update once shipping is known. */
  async function sendCheckout(req, checkout, topic) {
    const shopper = { ...checkout.shopper, cart: checkout.cart };
    const response = await postShopify(rekindleUrl, topic, checkoutPayload(shopper, { at: at(), shopUrl: shopUrl(req) }));
    if (!response.ok) throw new Error(`${topic}: Rekindle answered ${response.status} ${await response.text()}`);
  }

  async function sendOrder(shopper, cart, sameCheckout) {
    orders += 1;
    const response = await postShopify(rekindleUrl, 'orders/create', orderPayload(shopper, { at: at(), orderId: String(5_000_000 + orders), sameCheckout, cart }));
    if (!response.ok) throw new Error(`orders/create: Rekindle answered ${response.status}`);
  }

  function shopperFrom(form) {
    return {
      firstName: form.get('firstName') || 'there',
      email: form.get('email'),
      phone: form.get('phone') || undefined,
      country: form.get('country') || 'US',
      province: form.get('province') || 'TX',
      customerId: form.get('customerId') || undefined,
      smsConsent: form.get('smsConsent') === 'on',
    };
  }
  const linesFrom = (form) => CATALOGUE.map((p) => ({ id: p.id, quantity: Number(form.get(`qty-${p.id}`) || 0) })).filter((l) => l.quantity > 0);

  const html = (res, status, body) => res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(body);
  const redirect = (res, location) => res.writeHead(303, { location }).end();

  return async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const path = url.pathname;
    try {
      if (req.method === 'GET' && path === '/') return html(res, 200, cataloguePage(rekindleUrl));
      if (req.method === 'GET' && path.startsWith('/rekindle/')) {
        const name = path.slice('/rekindle/'.length);
        if (!/^[\w.-]+$/.test(name)) return res.writeHead(400).end();
        const body = await readFile(new URL(`storefront/${name}`, dist));
        return res.writeHead(200, { 'content-type': TYPES[extname(name)] ?? 'application/octet-stream' }).end(body);
      }
      if (req.method === 'POST' && path === '/checkout') {
        const form = await readForm(req);
        const lines = linesFrom(form);
        if (lines.length === 0) return html(res, 400, page('Your cart is empty', '<p><a href="/">Back to the shop</a></p>', rekindleUrl));
        const token = form.get('token') || `chk_${Math.random().toString(36).slice(2, 10)}`;
        const checkout = { shopper: shopperFrom(form), cart: cartOf(token, lines) };
        checkouts.set(token, checkout);
        await sendCheckout(req, checkout, 'checkouts/create');
        return redirect(res, `/checkout/${token}`);
      }
      if (req.method === 'POST' && path === '/buy-now') {
        // Another device: a one-click purchase with no checkout token, only the customer's email.
        const form = await readForm(req);
        await sendOrder(shopperFrom(form), cartOf('', linesFrom(form)), false);
        return html(res, 200, page('Thank you', '<p>Your order is confirmed.</p>', rekindleUrl));
      }
      const match = /^\/checkout\/([\w-]+)(\/shipping|\/pay)?$/.exec(path);
      const checkout = match && checkouts.get(match[1]);
      if (!checkout) return html(res, 404, page('Not found', '<p><a href="/">Back to the shop</a></p>', rekindleUrl));
      if (req.method === 'GET' && !match[2]) return html(res, 200, checkoutPage(checkout, `${shopUrl(req)}${path}`, rekindleUrl, idleSeconds));
      if (req.method === 'POST' && match[2] === '/shipping') {
        checkout.cart.shippingMinor = shippingFor(checkout.cart);
        await sendCheckout(req, checkout, 'checkouts/update');
        return res.writeHead(204).end();
      }
      if (req.method === 'POST' && match[2] === '/pay') {
        await sendOrder(checkout.shopper, checkout.cart, true);
        checkouts.delete(match[1]);
        return html(res, 200, page('Thank you', '<p>Your order is confirmed.</p>', rekindleUrl));
      }
      return res.writeHead(405).end();
    } catch (error) {
      return html(res, 502, page('Something went wrong', `<pre>${escape(error.message)}</pre>`, rekindleUrl));
    }
  };
}
