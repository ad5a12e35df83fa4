// The links in a message, signed at dispatch: the tracked recovery link records the click and
// redirects to the checkout; one-click unsubscribe (RFC 8058) and the preference centre stop
// channels through the engine; a forged or misplaced token leads nowhere.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fakeSendgrid, fakeTwilio } from './fake-providers.mjs';
import { SENDGRID_KEY, TWILIO, abandonedCheckout, postShopify, server, startServer, tick, vectors } from './harness.mjs';

/** The due entries that are sends: not the contact's housekeeping (expiry and retention). */
const sendsIn = (entries) => entries.filter((d) => !d.id.endsWith('.housekeeping'));

const T0 = Date.parse('2026-11-27T15:00:00Z');
const clock = { now: T0 };
let twilio, sendgrid, app, store, links, contactId;
const path = (url) => new URL(url).pathname;

before(async () => {
  twilio = await fakeTwilio(TWILIO);
  sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
  store = server.memoryStore();
  app = await startServer({ store, clock, twilio, sendgrid });
  await postShopify(app.url, 'checkouts/create', await abandonedCheckout({ at: '2026-11-27T14:59:00Z' }));
  clock.now = T0 + 5 * 60_000;
  await tick(app.url);
  const { mail } = sendgrid.mails[0];
  links = { ...mail.personalizations[0].dynamic_template_data, header: mail.headers['List-Unsubscribe'] };
  contactId = mail.custom_args.rekindle_contact;
});

after(async () => {
  await app.close();
  await twilio.close();
  await sendgrid.close();
});

const state = async () => JSON.parse((await store.load(contactId)).state);

test('links leave signed: the action id plus a signature, the same in the List-Unsubscribe header', () => {
  assert.match(path(links.recoveryUrl), /^\/r\/j_[0-9a-f]{16}\.email-1\.email\.0\.[A-Za-z0-9_-]{16}$/);
  assert.equal(links.header, `<${links.unsubscribeUrl}>`);
  assert.notEqual(path(links.unsubscribeUrl).slice(3), path(links.recoveryUrl).slice(3), 'each kind has its own signature');
});

test('the recovery link records the click and redirects to the checkout', async () => {
  const response = await fetch(app.url + path(links.recoveryUrl), { redirect: 'manual' });
  assert.equal(response.status, 302);
  assert.equal(response.headers.get('location'), 'https://checkout.local/548380009/checkouts/123123123/recover?key=example-secret-token');
  const send = (await state()).journeys[0].sends.find((s) => s.step === 'email-1');
  assert.equal(send.clicked, true);
});

test('a forged signature, or a token moved to another kind of link, leads nowhere', async () => {
  const forged = path(links.recoveryUrl).replace(/\.[A-Za-z0-9_-]{16}$/, '.AAAAAAAAAAAAAAAA');
  assert.equal((await fetch(app.url + forged, { redirect: 'manual' })).status, 404);
  const moved = path(links.recoveryUrl).replace('/r/', '/u/');
  assert.equal((await fetch(app.url + moved, { method: 'POST', body: 'List-Unsubscribe=One-Click' })).status, 404);
  assert.equal((await fetch(`${app.url}/r/j_0000.email-1.email.0`, { redirect: 'manual' })).status, 404);
});

test('opening the unsubscribe link shows a form and changes nothing (mail scanners follow links)', async () => {
  const response = await fetch(app.url + path(links.unsubscribeUrl));
  assert.equal(response.status, 200);
  assert.match(await response.text(), /<form method="post"/);
  const email = (await state()).contact.consent.email;
  assert.equal(email.at(-1).status, 'granted');
});

test('one-click unsubscribe, as a mailbox provider posts it, revokes email consent', async () => {
  const { expected_one_click_request: oneClick } = JSON.parse(await readFile(new URL('unsubscribe/one_click_vectors.json', vectors), 'utf8'));
  const response = await fetch(app.url + path(links.unsubscribeUrl), { method: oneClick.method, headers: { 'content-type': oneClick.headers['Content-Type'] }, body: oneClick.body });
  assert.equal(response.status, 200);
  const email = (await state()).contact.consent.email;
  assert.deepEqual([email.at(-1).status, email.at(-1).source], ['revoked', 'unsubscribe']);
});

test('the preference centre stops the unticked channel: the pending SMS is cancelled', async () => {
  assert.equal(sendsIn(await store.dueBefore(Number.MAX_SAFE_INTEGER, 10)).length, 1, 'the SMS is pending');
  const form = await fetch(app.url + path(links.preferencesUrl));
  assert.match(await form.text(), /name="sms"/);
  const response = await fetch(app.url + path(links.preferencesUrl), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=on' });
  assert.equal(response.status, 200);
  assert.match(await response.text(), /text message/);
  assert.equal((await state()).contact.consent.sms.at(-1).status, 'revoked');
  assert.deepEqual(sendsIn(await store.dueBefore(Number.MAX_SAFE_INTEGER, 10)), []);
});
