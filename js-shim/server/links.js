// Signed links in messages: tracked recovery (/r/), one-click unsubscribe (/u/) and the
// preference centre (/p/). The engine renders `<base>/<kind>/<actionId>`; at dispatch the
// shim appends `.<signature>`, an HMAC of kind and action id, so a link cannot be forged for
// someone else's message or moved to another kind of link. The contact is found through the
// store's `action:<id>` index, so no id of the shopper's appears in the URL.

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

/** `action` with every link the engine rendered for it signed (data, headers, SMS text). */
export async function signLinks(secret, action) {
  const data = action.message?.data;
  if (!data) return action;
  const signed = {};
  for (const [kind, field] of [['r', 'recoveryUrl'], ['u', 'unsubscribeUrl'], ['p', 'preferencesUrl']]) {
    if (data[field]) signed[field] = `${data[field]}.${await signature(secret, kind, action.id)}`;
  }
  const message = { ...action.message, data: { ...data, ...signed } };
  if (message.sms) message.sms = { ...message.sms, text: message.sms.text.replace(data.recoveryUrl, signed.recoveryUrl) };
  if (message.headers) message.headers = { ...message.headers, 'List-Unsubscribe': `<${signed.unsubscribeUrl}>` };
  return { ...action, message };
}
