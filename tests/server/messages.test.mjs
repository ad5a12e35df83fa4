// Rekindle's own messages through the providers (issue 17): with no provider template mapped,
// SendGrid and Postmark send the rendered subject, HTML and text with every link signed; a
// French shopper gets French; an email the content audit withholds (no postal address) is not
// sent and the ledger says why; a coupon code is printed and is the one the platform mints.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fakePostmark, fakeSendgrid, fakeTwilio } from './fake-providers.mjs';
import { SENDGRID_KEY, TWILIO, abandonedCheckout, postShopify, server, startServer, testPolicy, tick } from './harness.mjs';

const T0 = Date.parse('2026-11-27T15:00:00Z');
let twilio, sendgrid, postmark;

before(async () => {
  twilio = await fakeTwilio(TWILIO);
  sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
  postmark = await fakePostmark({ serverToken: 'pm-token' });
});

after(async () => {
  await twilio.close();
  await sendgrid.close();
  await postmark.close();
});

async function firstEmail({ transport, policy = testPolicy(), locale }) {
  const clock = { now: T0 };
  const app = await startServer({
    store: server.memoryStore(),
    clock,
    twilio,
    sendgrid,
    policy,
    transports: { sms: server.twilioTransport({ ...TWILIO, baseUrl: twilio.url }), email: transport },
  });
  let body = await abandonedCheckout({ at: '2026-11-27T14:59:00Z' });
  if (locale) body = JSON.stringify({ ...JSON.parse(body), customer_locale: locale });
  assert.equal((await postShopify(app.url, 'checkouts/create', body)).status, 200);
  clock.now = T0 + 5 * 60_000;
  await tick(app.url);
  return app;
}

test('SendGrid sends the rendered email (text/plain first) with every link signed', async () => {
  const transport = server.sendgridTransport({ apiKey: SENDGRID_KEY, from: { email: 'shop@example.com', name: 'Acme Outdoor' }, baseUrl: sendgrid.url });
  const app = await firstEmail({ transport });
  try {
    const { mail } = sendgrid.mails.at(-1);
    assert.equal(mail.template_id, undefined);
    assert.equal(mail.subject, 'You left something in your cart');
    assert.deepEqual(mail.content.map((c) => c.type), ['text/plain', 'text/html']);
    const [text, html] = mail.content.map((c) => c.value);
    const unsubscribe = mail.headers['List-Unsubscribe'].slice(1, -1);
    assert.match(unsubscribe, /\/u\/j_[0-9a-f]{16}\.email-1\.email\.0\.[A-Za-z0-9_-]{16}$/);
    assert.ok(html.includes(`href="${unsubscribe}"`) && text.includes(unsubscribe), 'the body links the signed unsubscribe URL of the header');
    const recovery = /href="([^"]+\/r\/[^"]+)"/.exec(html)[1];
    assert.match(recovery, /\.[A-Za-z0-9_-]{16}$/, 'the call to action is signed');
    assert.ok(html.includes('1 Main St, Springfield, IL 62701, USA'), 'the postal address (CAN-SPAM)');
    const response = await fetch(app.url + new URL(recovery).pathname, { redirect: 'manual' });
    assert.equal(response.status, 302, 'the signed link in the rendered HTML works');
  } finally {
    await app.close();
  }
});

test('Postmark sends the rendered email to /email, in the shopper\'s language', async () => {
  const transport = server.postmarkTransport({ serverToken: 'pm-token', from: 'shop@example.com', baseUrl: postmark.url });
  const app = await firstEmail({ transport, locale: 'fr-FR' });
  try {
    const { email } = postmark.emails.at(-1);
    assert.equal(email.Subject, 'Tu as oublié quelque chose'); // the default voice is friendly: tu
    assert.ok(email.HtmlBody.includes('<html lang="fr-FR">') && email.TextBody.includes('Se désabonner'), email.TextBody);
    assert.equal(email.TemplateAlias, undefined);
  } finally {
    await app.close();
  }
});

test('an email the content audit withholds is not sent, and the ledger and explanation say why', async () => {
  const transport = server.sendgridTransport({ apiKey: SENDGRID_KEY, from: { email: 'shop@example.com' }, baseUrl: sendgrid.url });
  const before = sendgrid.mails.length;
  const decisions = [];
  const policy = { ...testPolicy(), brand: {} };
  const clock = { now: T0 };
  const app = await startServer({
    store: server.memoryStore(), clock, twilio, sendgrid, policy,
    transports: { sms: server.twilioTransport({ ...TWILIO, baseUrl: twilio.url }), email: transport },
    onDecision: (d) => decisions.push(d),
  });
  try {
    await postShopify(app.url, 'checkouts/create', await abandonedCheckout({ at: '2026-11-27T14:59:00Z' }));
    clock.now = T0 + 5 * 60_000;
    await tick(app.url);
    assert.equal(sendgrid.mails.length, before, 'nothing reached SendGrid');
    const reasons = decisions.flatMap((d) => d.decision.explanation.reasons);
    assert.ok(reasons.some((r) => r.code === 'emailWithheld' && r.detail.includes('missingPostalAddress')), JSON.stringify(reasons));
    const send = decisions.flatMap((d) => d.decision.actions).find((a) => a.type === 'send');
    assert.equal((await app.store.ledger(send.id)).detail, 'sendgrid:noContent');
  } finally {
    await app.close();
  }
});
