// The few pages a shopper sees: plain HTML forms that work without JavaScript, naming no
// one (no address is shown: the link itself is the credential).

const STYLE = 'body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}button{font:inherit;padding:.5rem 1rem}';

/**
 * Headers for every page: no framing (the forms stop messages: a framed page can be
 * clickjacked), no script at all, the one inline style by its hash (base64 SHA-256 of STYLE;
 * tests/server/hostile-http.test.mjs recomputes it), forms post only here, and no Referer: the
 * URL carries the link's token.
 */
export const PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'sha256-dgi6I/FxN+soslGiV5hUreLGDGCG1c07wIsL1po1tqY='; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

const page = (title, body) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${title}</title>
<style>${STYLE}</style>
</head><body><h1>${title}</h1>${body}</body></html>`;

/** GET of an unsubscribe link: a confirmation, never the unsubscribe itself (mail scanners follow links). */
export const unsubscribeForm = (action) => page('Unsubscribe', `
<p>Stop cart reminder emails from this store?</p>
<form method="post" action="${action}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`);

export const unsubscribed = () => page('You are unsubscribed', '<p>You will get no more cart reminder emails from this store.</p>');

export const preferencesForm = (action) => page('Message preferences', `
<form method="post" action="${action}">
<p>Cart reminders from this store may reach you by:</p>
<p><label><input type="checkbox" name="email" value="on" checked> Email</label></p>
<p><label><input type="checkbox" name="sms" value="on" checked> Text message</label></p>
<p><button type="submit">Save</button></p>
</form>
<p>Untick a box to stop that kind of reminder. Opting back in happens at checkout or by replying START to a text.</p>`);

export const preferencesSaved = (stopped) => page('Preferences saved', stopped.length
  ? `<p>No more cart reminders by ${stopped.map((c) => (c === 'sms' ? 'text message' : 'email')).join(' or ')}.</p>`
  : '<p>Nothing changed.</p>');

export const notFound = () => page('Link not valid', '<p>This link is not valid or has expired.</p>');
