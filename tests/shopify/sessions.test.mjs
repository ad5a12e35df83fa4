// Offline tokens at rest: what the storage holds is AES-GCM ciphertext bound to its session id,
// so a row copied into another shop's session, a tampered row or another key reads as no
// session (the shop installs again) rather than as someone else's token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { Session } from '@shopify/shopify-api';

const shopifyApp = await import(new URL('../../pkg/dist/server/shopify.js', import.meta.url));
const offline = (shop, accessToken) => new Session({ id: `offline_${shop}`, shop, state: '', isOnline: false, scope: 'read_orders', accessToken });

test('a stored token is ciphertext and comes back as the token', async () => {
  const inner = shopifyApp.sqliteSessionStorage(Database, ':memory:');
  const sessions = shopifyApp.encryptedSessions(inner, await shopifyApp.tokenKey(randomBytes(32).toString('base64')));
  await sessions.storeSession(offline('a.myshopify.com', 'shpat_secret_a'));
  assert.ok(!JSON.stringify(inner.raw()).includes('shpat_secret_a'));
  assert.equal((await sessions.loadSession('offline_a.myshopify.com')).accessToken, 'shpat_secret_a');
  assert.deepEqual((await sessions.findSessionsByShop('a.myshopify.com')).map((s) => s.accessToken), ['shpat_secret_a']);
  assert.deepEqual(await sessions.shops(), ['a.myshopify.com']);
  await inner.close();
});

test('ciphertext moved to another shop\'s session, tampered, or read under another key is no session', async () => {
  const inner = shopifyApp.sqliteSessionStorage(Database, ':memory:');
  const key = await shopifyApp.tokenKey(randomBytes(32).toString('base64'));
  const sessions = shopifyApp.encryptedSessions(inner, key);
  await sessions.storeSession(offline('a.myshopify.com', 'shpat_secret_a'));
  const sealedA = (await inner.loadSession('offline_a.myshopify.com')).accessToken;
  await inner.storeSession(offline('b.myshopify.com', sealedA)); // an attacker with write access to the table
  assert.equal(await sessions.loadSession('offline_b.myshopify.com'), undefined);
  await inner.storeSession(offline('a.myshopify.com', `${sealedA.slice(0, -4)}AAAA`));
  assert.equal(await sessions.loadSession('offline_a.myshopify.com'), undefined);
  await sessions.storeSession(offline('a.myshopify.com', 'shpat_secret_a'));
  const otherKey = shopifyApp.encryptedSessions(inner, await shopifyApp.tokenKey(randomBytes(32).toString('base64')));
  assert.equal(await otherKey.loadSession('offline_a.myshopify.com'), undefined);
  await inner.close();
});

test('a token key that is not 32 bytes of base64 is refused with a stable code and path', async () => {
  for (const bad of [undefined, '', 'short', randomBytes(16).toString('base64'), 'not base64 at all!']) {
    await assert.rejects(shopifyApp.tokenKey(bad), (error) => error.code === 'INVALID_TOKEN_KEY' && error.path === 'tokenKey');
  }
});
