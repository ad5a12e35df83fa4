// Signed links in messages: tracked recovery (/r/), one-click unsubscribe (/u/) and the
// preference centre (/p/). The engine renders `<base>/<kind>/<actionId>`; at dispatch the
// shim appends `.<signature>`, an HMAC of kind and action id, so a link cannot be forged for
// someone else's message or moved to another kind of link. The contact is found through the
// store's `action:<id>` index, so no id of the shopper's appears in the URL.
//
// The SMS link is short (/s/<token>): 16 base64url characters of an HMAC of the action id, on
// the merchant's own domain (carriers filter public shorteners), so an SMS with its link fits
// one GSM-7 segment. The store's `short:<token>` index finds the contact; the contact's own
// sends find the action (a handful of HMACs).

import { hmac } from './signatures.js';

export const LINK_KINDS = ['r', 'u', 'p'];
const SIGNATURE_CHARS = 16; // 96 bits of base64url; the engine reserves 1 + this (message.rs LINK_SIGNATURE_CHARS)

async function signature(secret, kind, actionId) {
  const mac = await hmac(secret, `${kind}:${actionId}`);
  let binary = '';
  for (const b of mac) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').slice(0, SIGNATURE_CHARS);
}

/** The action id a token carries, if its signature holds for `kind`; else null. */
export async function readLinkToken(secret, kind, token) {
  const dot = token.lastIndexOf('.');
  if (dot <= 0) return null;
  const actionId = token.slice(0, dot);
  const given = token.slice(dot + 1);
  const expected = await signature(secret, kind, actionId);
  if (given.length !== expected.length) return null;
  let diff = 0;
  for (let i = 0; i < expected.length; i += 1) diff |= given.charCodeAt(i) ^ expected.charCodeAt(i);
  return diff === 0 ? actionId : null;
}

export const SHORT_TOKEN_CHARS = 16; // the engine reserves this many (message.rs SHORT_TOKEN_CHARS)

/** The SMS link's token for an action: unforgeable without the secret, 96 bits. */
export async function shortToken(secret, actionId) {
  return (await signature(secret, 's', actionId)).slice(0, SHORT_TOKEN_CHARS);
}

/** The one of `actionIds` whose short token is `token`, or null. */
export async function actionOfShortToken(secret, actionIds, token) {
  for (const id of actionIds) {
    if ((await shortToken(secret, id)) === token) return id;
  }
  return null;
}

/** `action` with every link the engine rendered for it signed (data, headers, SMS text, email). */
export async function signLinks(secret, action) {
  const data = action.message?.data;
  if (!data) return action;
  const signed = {};
  for (const [kind, field] of [['r', 'recoveryUrl'], ['u', 'unsubscribeUrl'], ['p', 'preferencesUrl']]) {
    if (data[field]) signed[field] = `${data[field]}.${await signature(secret, kind, action.id)}`;
  }
  if (data.shortUrl) signed.shortUrl = `${data.shortUrl.slice(0, -action.id.length)}${await shortToken(secret, action.id)}`;
  const message = { ...action.message, data: { ...data, ...signed } };
  // Every rendered text gets the signed form of every link in it (the signed URL extends the
  // unsigned one, so one pass per link cannot sign twice).
  const sign = (text) => Object.keys(signed).reduce((t, field) => t.replaceAll(data[field], signed[field]), text);
  if (message.sms) message.sms = { ...message.sms, text: sign(message.sms.text) };
  if (message.email) message.email = { ...message.email, html: sign(message.email.html), text: sign(message.email.text) };
  if (message.headers) message.headers = { ...message.headers, 'List-Unsubscribe': `<${signed.unsubscribeUrl}>` };
  return { ...action, message };
}

/**
 * A recovery link that also applies a discount code: Shopify's shareable discount link,
 * `https://<shop>/discount/<code>?redirect=<path>`, which sets the code on the shopper's session
 * and then sends them on to `redirect`, a path on the same shop (the checkout's recovery path
 * with its query). The shop is the target's own host, so the link never leaves it.
 */
export function shopifyDiscountLink(target, code) {
  const url = new URL(target);
  const redirect = `${url.pathname}${url.search}${url.hash}`;
  return `${url.origin}/discount/${encodeURIComponent(code)}?redirect=${encodeURIComponent(redirect)}`;
}
