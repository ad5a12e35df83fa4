// The console's settings, checked once at start-up like the rest of the deployment's
// (settings.js): who may sign in and with which role, the merchant's time zone and currency,
// how long a session lasts and how often sign-in may be tried.

import { RekindleConfigError } from '../settings.js';
import { parseHash } from './session.js';

/**
 * What each role may do. A viewer reads every page; an operator also acts. Actions other
 * pages add (pause, support exceptions, publishing a playbook) are operator abilities too.
 */
const ABILITIES = {
  viewer: new Set(['read']),
  operator: new Set(['read', 'tick', 'act', 'publish']),
};

export const can = (role, ability) => ABILITIES[role]?.has(ability) ?? false;

const HOUR = 3_600_000;

function validZone(zone) {
  if (typeof zone !== 'string' || zone === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function limit(value, path, fallback) {
  const l = value ?? fallback;
  if (!(Number.isSafeInteger(l?.limit) && l.limit >= 1 && Number.isFinite(l?.windowMs) && l.windowMs > 0)) {
    throw new RekindleConfigError('INVALID_OPTION', path, 'must be { limit: a whole number from 1, windowMs: a positive number }');
  }
  return { limit: l.limit, windowMs: l.windowMs };
}

/** The key that signs sessions and CSRF tokens: `secrets.console`, checked with the deployment's other settings. */
export function consoleSecret(secrets) {
  const secret = secrets?.console;
  if (!secret) throw new RekindleConfigError('MISSING_SECRET', 'secrets.console', 'required with console: it signs the console\'s session cookies and CSRF tokens');
  if (typeof secret !== 'string' || secret.length < 32) throw new RekindleConfigError('INVALID_OPTION', 'secrets.console', 'must be a random string of at least 32 characters');
  return secret;
}

/**
 * Inside the Shopify admin (`console.shopify`): which app's session tokens are accepted (`apiKey`,
 * their `aud`), for which shop (`dest`), and the role a staff member signed in that way gets.
 * The tokens are signed with the app's secret: `secrets.shopify`, which the Shopify app passes.
 */
function shopifySettings(s) {
  if (s === undefined) return null;
  if (typeof s?.apiKey !== 'string' || s.apiKey === '') throw new RekindleConfigError('INVALID_OPTION', 'console.shopify.apiKey', 'required with console.shopify: the app\'s API key (the session token\'s aud)');
  if (typeof s.shop !== 'string' || !/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(s.shop)) throw new RekindleConfigError('INVALID_OPTION', 'console.shopify.shop', 'required with console.shopify: the shop\'s myshopify.com domain (the session token\'s dest)');
  const role = s.role ?? 'viewer';
  if (!Object.hasOwn(ABILITIES, role)) throw new RekindleConfigError('INVALID_OPTION', 'console.shopify.role', 'must be "viewer" or "operator": the role of the shop\'s staff in the admin');
  return { apiKey: s.apiKey, shop: s.shop, role };
}

/** The app secret that signs Shopify's session tokens, when the console accepts them. */
export function shopifySecret(secrets, shopify) {
  if (!shopify) return null;
  if (typeof secrets?.shopify !== 'string' || secrets.shopify === '') throw new RekindleConfigError('MISSING_SECRET', 'secrets.shopify', 'required with console.shopify: the app\'s secret, which signs Shopify\'s session tokens');
  return secrets.shopify;
}

/** The console's options (`operatorConsole(c)`), checked; paths name them as `console.*`. */
export function consoleSettings(c) {
  if (c === null || typeof c !== 'object') throw new RekindleConfigError('INVALID_OPTION', 'console', 'must be an object: { users, timeZone, currency?, locale?, sessionTtlMs?, signIn? }');
  if (!Array.isArray(c.users) || c.users.length === 0) throw new RekindleConfigError('INVALID_OPTION', 'console.users', 'must list at least one user: { name, role: "viewer" | "operator", passwordHash }');
  const names = new Set();
  const users = c.users.map((u, i) => {
    const at = `console.users[${i}]`;
    if (typeof u?.name !== 'string' || u.name.trim() === '' || u.name.length > 100) throw new RekindleConfigError('INVALID_OPTION', `${at}.name`, 'must be a non-empty name of at most 100 characters');
    if (names.has(u.name)) throw new RekindleConfigError('INVALID_OPTION', `${at}.name`, `${JSON.stringify(u.name)} is listed twice`);
    names.add(u.name);
    if (!Object.hasOwn(ABILITIES, u.role)) throw new RekindleConfigError('INVALID_OPTION', `${at}.role`, 'must be "viewer" or "operator"');
    if (!parseHash(u.passwordHash)) throw new RekindleConfigError('INVALID_OPTION', `${at}.passwordHash`, 'must be a hash made by hashPassword (pbkdf2-sha256$<iterations>$<salt>$<hash>), never a password');
    return { name: u.name, role: u.role, passwordHash: u.passwordHash };
  });
  if (!validZone(c.timeZone)) throw new RekindleConfigError('INVALID_OPTION', 'console.timeZone', 'required: the merchant\'s IANA time zone (e.g. America/Chicago), in which the console shows times');
  const locale = c.locale ?? 'en-US';
  const currency = c.currency ?? 'USD';
  try {
    new Intl.NumberFormat(locale, { style: 'currency', currency });
  } catch {
    throw new RekindleConfigError('INVALID_OPTION', 'console.currency', 'must be an ISO 4217 code (e.g. USD) and console.locale a BCP 47 tag (e.g. en-US)');
  }
  const sessionTtlMs = c.sessionTtlMs ?? 8 * HOUR;
  if (!(Number.isFinite(sessionTtlMs) && sessionTtlMs >= 60_000 && sessionTtlMs <= 7 * 24 * HOUR)) {
    throw new RekindleConfigError('INVALID_OPTION', 'console.sessionTtlMs', 'must be between a minute and seven days, in milliseconds');
  }
  return {
    users,
    shopify: shopifySettings(c.shopify),
    timeZone: c.timeZone,
    locale,
    currency,
    sessionTtlMs,
    signIn: {
      // Per name: guessing one operator's password. Per address: one client trying many names.
      perName: limit(c.signIn?.perName, 'console.signIn.perName', { limit: 5, windowMs: 15 * 60_000 }),
      perAddress: limit(c.signIn?.perAddress, 'console.signIn.perAddress', { limit: 20, windowMs: 15 * 60_000 }),
    },
  };
}
