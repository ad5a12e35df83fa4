// A tiny, safe email renderer for the outbox: the engine gives personalisation data (items,
// totals, the angle, the offer, signed links); this turns it into HTML a reviewer can open.
// Every value is escaped, and only http(s) links are rendered, because cart titles and names
// come from shoppers and merchants. Wording per angle is copy, not a decision.

const escape = (text) => String(text ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const href = (url) => (/^https?:\/\//.test(url ?? '') ? escape(url) : '#');

const HEADLINES = {
  reminder: 'You left something in your cart',
  value: 'Still thinking it over? Here is what you get',
  freeShipping: 'Shipping is on us above the threshold',
  guestCheckout: 'No account needed: check out as a guest',
  trust: 'Secure checkout, real people behind the store',
  returnPolicy: 'Free returns for 30 days',
  deliveryEstimate: 'It can still arrive in time',
  urgency: 'Your cart is about to expire',
};

const OFFERS = {
  loyalty: (o) => `A ${o.percent}% thank-you for coming back`,
  percentOff: (o) => `${o.percent}% off this cart`,
  freeShipping: () => 'Free shipping on this cart',
  expeditedShipping: () => 'Free express shipping on this cart',
  gift: () => 'A gift with this order',
};

/** `coupons`: couponRequestId → the code the merchant minted for it. */
export function renderEmail(message, coupons = new Map()) {
  const d = message.data;
  const rows = d.items.map((i) => `<tr><td>${escape(i.quantity)} × ${escape(i.title)}</td><td style="text-align:right">${escape(i.price)}</td></tr>`).join('');
  const offer = d.incentive
    ? `<p style="background:#fff4d6;padding:8px"><b>${escape(OFFERS[d.incentive.kind]?.(d.incentive) ?? d.incentive.kind)}</b>${coupons.has(d.incentive.couponRequestId) ? `: code <code>${escape(coupons.get(d.incentive.couponRequestId))}</code>` : ''}</p>`
    : '';
  return `<div style="font-family:sans-serif;max-width:480px">
<h2>${escape(HEADLINES[message.angle] ?? HEADLINES.reminder)}</h2>
<p>Hi ${escape(d.firstName)},</p>
<table style="width:100%">${rows}<tr><td><b>Subtotal</b></td><td style="text-align:right"><b>${escape(d.subtotal)}</b></td></tr>${d.shipping ? `<tr><td>Shipping</td><td style="text-align:right">${escape(d.shipping)}</td></tr>` : ''}</table>
${d.deliveryEstimate ? `<p>${escape(d.deliveryEstimate)}</p>` : ''}${offer}
<p><a href="${href(d.recoveryUrl)}" style="background:#222;color:#fff;padding:8px 16px;text-decoration:none">Return to your cart</a></p>
<p style="font-size:12px;color:#666"><a href="${href(d.preferencesUrl)}">Preferences</a> · <a href="${href(d.unsubscribeUrl)}">Unsubscribe</a></p>
</div>`;
}
