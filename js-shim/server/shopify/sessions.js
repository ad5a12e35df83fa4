// Where offline tokens live: a Shopify `SessionStorage` (the interface every
// @shopify/shopify-app-session-storage-* package implements), wrapped so that the access token
// is encrypted before it reaches the storage and decrypted after it leaves. AES-GCM through
// WebCrypto (Node 20, Workers and Deno alike), a 256-bit key from the environment, a fresh
// 96-bit IV per token, and the session id as additional data: a ciphertext copied into another
// shop's row does not decrypt there.

import { Session } from '@shopify/shopify-api';
import { base64ToBytes, bytesToBase64 } from '../signatures.js';
import { RekindleConfigError } from '../settings.js';

const PREFIX = 'aesgcm:v1:';
const utf8 = new TextEncoder();

/** The AES-GCM key from its base64 text (32 bytes), or a RekindleConfigError. */
export async function tokenKey(base64, path = 'tokenKey') {
  const raw = typeof base64 === 'string' ? base64ToBytes(base64.trim()) : null;
  if (!raw || raw.length !== 32) {
    throw new RekindleConfigError('INVALID_TOKEN_KEY', path, 'must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`)');
  }
  return crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

export async function encryptToken(key, sessionId, token) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: utf8.encode(sessionId) }, key, utf8.encode(token)));
  const out = new Uint8Array(iv.length + sealed.length);
  out.set(iv);
  out.set(sealed, iv.length);
  return PREFIX + bytesToBase64(out);
}

/** The token, or null when it is not ours to read (another key, another session's row, tampered). */
export async function decryptToken(key, sessionId, stored) {
  if (typeof stored !== 'string' || !stored.startsWith(PREFIX)) return null;
  const all = base64ToBytes(stored.slice(PREFIX.length));
  if (!all || all.length < 12 + 16) return null;
  try {
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: all.slice(0, 12), additionalData: utf8.encode(sessionId) }, key, all.slice(12));
    return new TextDecoder().decode(plain);
  } catch {
    return null;
  }
}

/**
 * `inner`, a SessionStorage, seen through encryption: what it stores holds ciphertext only.
 * A session whose token does not decrypt is treated as absent (the shop installs again).
 */
export function encryptedSessions(inner, key) {
  const seal = async (session) => new Session({ ...session.toObject(), accessToken: await encryptToken(key, session.id, session.accessToken ?? '') });
  const open = async (session) => {
    if (!session) return undefined;
    const token = await decryptToken(key, session.id, session.accessToken);
    return token === null ? undefined : new Session({ ...session.toObject(), accessToken: token });
  };
  return {
    storeSession: async (session) => inner.storeSession(await seal(session)),
    loadSession: async (id) => open(await inner.loadSession(id)),
    deleteSession: (id) => inner.deleteSession(id),
    deleteSessions: (ids) => inner.deleteSessions(ids),
    findSessionsByShop: async (shop) => (await Promise.all((await inner.findSessionsByShop(shop)).map(open))).filter(Boolean),
    /** Shops with a stored session, when the storage can list them (ours can; KV cannot). */
    shops: inner.shops ? () => inner.shops() : undefined,
    inner,
  };
}

/**
 * A SessionStorage on better-sqlite3 (the SQLite binding Rekindle's own store uses), for Node.
 * Shopify's @shopify/shopify-app-session-storage-sqlite has no release for @shopify/shopify-api
 * 13 (the newest API library that runs on Node 20: its 7.x and 8.x need 14/15, which need
 * Node 22) and would add a second native SQLite module (node-sqlite3) beside better-sqlite3;
 * this is the same table shape, the Session's own property array as JSON.
 * `Database`: the better-sqlite3 constructor; `path`: the file (may be Rekindle's store file).
 */
export function sqliteSessionStorage(Database, path) {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('secure_delete = ON'); // an uninstalled shop's token leaves no copy in free pages
  db.exec('CREATE TABLE IF NOT EXISTS shopify_sessions (id TEXT PRIMARY KEY, shop TEXT NOT NULL, session TEXT NOT NULL); CREATE INDEX IF NOT EXISTS shopify_sessions_by_shop ON shopify_sessions (shop);');
  const q = {
    put: db.prepare('INSERT INTO shopify_sessions (id, shop, session) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET shop = excluded.shop, session = excluded.session'),
    get: db.prepare('SELECT session FROM shopify_sessions WHERE id = ?'),
    del: db.prepare('DELETE FROM shopify_sessions WHERE id = ?'),
    byShop: db.prepare('SELECT session FROM shopify_sessions WHERE shop = ?'),
    shops: db.prepare('SELECT DISTINCT shop FROM shopify_sessions ORDER BY shop'),
  };
  const revive = (row) => (row ? Session.fromPropertyArray(JSON.parse(row.session), true) : undefined);
  return {
    async storeSession(session) {
      q.put.run(session.id, session.shop, JSON.stringify(session.toPropertyArray(true)));
      return true;
    },
    loadSession: async (id) => revive(q.get.get(id)),
    async deleteSession(id) {
      q.del.run(id);
      return true;
    },
    async deleteSessions(ids) {
      db.transaction(() => ids.forEach((id) => q.del.run(id)))();
      return true;
    },
    findSessionsByShop: async (shop) => q.byShop.all(shop).map(revive),
    shops: async () => q.shops.all().map((r) => r.shop),
    /** Rows as stored (tests check that no plaintext token is in the file). */
    raw: () => db.prepare('SELECT id, shop, session FROM shopify_sessions').all(),
    close: async () => db.close(),
  };
}
