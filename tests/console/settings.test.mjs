// The console's start-up checks: a deployment that could not sign anyone in safely is refused
// at once, with the option's path (as every RekindleConfigError), and a password is never
// accepted where its hash belongs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { server } from '../server/harness.mjs';

const SECRET = 'console-secret-of-at-least-32-characters!';
const hash = await server.hashPassword('a-password', { iterations: 1000 });
const user = { name: 'ada', role: 'viewer', passwordHash: hash };
const handlerWith = (consoleOption, secrets = { salt: 's', console: SECRET }) =>
  server.createHandler({ store: server.memoryStore(), secrets, publicUrl: 'https://r.test', beacon: false, console: consoleOption });
const refused = (fn, code, path) => assert.throws(fn, (e) => e.name === 'RekindleConfigError' && e.code === code && e.path === path, `${code} at ${path}`);

test('bad console options are refused at start-up with their path', () => {
  const ok = { users: [user], timeZone: 'America/Chicago' };
  refused(() => server.operatorConsole({ ...ok, users: [] }), 'INVALID_OPTION', 'console.users');
  refused(() => server.operatorConsole({ ...ok, users: [{ ...user, passwordHash: 'a-password' }] }), 'INVALID_OPTION', 'console.users[0].passwordHash');
  refused(() => server.operatorConsole({ ...ok, users: [{ ...user, role: 'admin' }] }), 'INVALID_OPTION', 'console.users[0].role');
  refused(() => server.operatorConsole({ ...ok, users: [user, user] }), 'INVALID_OPTION', 'console.users[1].name');
  refused(() => server.operatorConsole({ ...ok, timeZone: undefined }), 'INVALID_OPTION', 'console.timeZone');
  refused(() => server.operatorConsole({ ...ok, timeZone: 'Mars/Olympus' }), 'INVALID_OPTION', 'console.timeZone');
  refused(() => server.operatorConsole({ ...ok, currency: 'dollars' }), 'INVALID_OPTION', 'console.currency');
  refused(() => server.operatorConsole({ ...ok, sessionTtlMs: 30 * 24 * 3_600_000 }), 'INVALID_OPTION', 'console.sessionTtlMs');
  refused(() => server.operatorConsole({ ...ok, signIn: { perName: { limit: 0, windowMs: 1000 } } }), 'INVALID_OPTION', 'console.signIn.perName');
  refused(() => handlerWith(server.operatorConsole(ok), { salt: 's' }), 'MISSING_SECRET', 'secrets.console');
  refused(() => handlerWith(server.operatorConsole(ok), { salt: 's', console: 'short' }), 'INVALID_OPTION', 'secrets.console');
  refused(() => handlerWith(ok), 'INVALID_OPTION', 'console');
  assert.equal(typeof handlerWith(server.operatorConsole(ok)), 'function');
});

test('without a console there are no /console routes', async () => {
  const handler = server.createHandler({ store: server.memoryStore(), secrets: { salt: 's' }, publicUrl: 'https://r.test', beacon: false });
  assert.equal((await handler(new Request('https://r.test/console/sign-in'))).status, 404);
  assert.equal(handler.owns('/console/overview'), false);
  const withConsole = handlerWith(server.operatorConsole({ users: [user], timeZone: 'UTC' }));
  assert.equal(withConsole.owns('/console/overview'), true);
  assert.equal((await withConsole(new Request('https://r.test/console/sign-in'))).status, 200);
});

test('hashPassword: a salted PBKDF2-SHA256 hash, different every time, that only its password opens', async () => {
  const again = await server.hashPassword('a-password', { iterations: 1000 });
  assert.match(hash, /^pbkdf2-sha256\$1000\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]{44}$/);
  assert.notEqual(again, hash, 'a fresh salt each time');
  assert.match(await server.hashPassword('x'), /^pbkdf2-sha256\$100000\$/, 'the default is the most Workers accept');
  const handler = handlerWith(server.operatorConsole({ users: [{ ...user, passwordHash: again }], timeZone: 'UTC' }));
  const form = await handler(new Request('https://r.test/console/sign-in'));
  const nonce = form.headers.get('set-cookie').split(';')[0];
  const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())[1];
  const post = (password) => handler(new Request('https://r.test/console/sign-in', { method: 'POST', headers: { cookie: nonce, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf, name: 'ada', password }) }));
  assert.equal((await post('A-password')).status, 401);
  assert.equal((await post('a-password')).status, 303);
});

test('a session ends at its expiry, by the handler\'s clock; a user removed from the settings is signed out', async () => {
  const clock = { now: Date.parse('2026-11-27T15:00:00Z') };
  const make = (users) => server.createHandler({ store: server.memoryStore(), secrets: { salt: 's', console: SECRET }, publicUrl: 'https://r.test', beacon: false, now: () => clock.now,
    console: server.operatorConsole({ users, timeZone: 'UTC', sessionTtlMs: 3_600_000 }) });
  const handler = make([user]);
  const form = await handler(new Request('https://r.test/console/sign-in'));
  const nonce = form.headers.get('set-cookie').split(';')[0];
  const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())[1];
  const signed = await handler(new Request('https://r.test/console/sign-in', { method: 'POST', headers: { cookie: nonce, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf, name: 'ada', password: 'a-password' }) }));
  const session = signed.headers.getSetCookie().find((c) => c.startsWith('rekindle-console='));
  assert.match(session, /Max-Age=3600;/);
  const cookie = session.split(';')[0];
  const get = (h) => h(new Request('https://r.test/console/overview', { headers: { cookie } }));
  clock.now += 3_600_000 - 1;
  assert.equal((await get(handler)).status, 200, 'a moment before its end');
  clock.now += 1;
  assert.equal((await get(handler)).status, 303, 'at its end: back to sign-in');
  clock.now -= 60_000;
  const without = make([{ ...user, name: 'bea' }]);
  assert.equal((await get(without)).status, 303, 'the same signed cookie, but ada is no longer a user');
});
