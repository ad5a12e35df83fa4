// Kill the Node process mid-dispatch (SIGKILL, after SendGrid accepted a mail and before the
// process heard so), restart it on the same SQLite file: no journey is lost, and the only
// duplicate is that one mail, the window js-shim/server/README.md documents.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fakeSendgrid } from './fake-providers.mjs';
import { SENDGRID_KEY, abandonedCheckout, postShopify, removeDir, tempDir, tick } from './harness.mjs';

// Long enough that no restart on a loaded machine outlasts it; the test moves the child's clock past it.
const LEASE_MS = 60_000;
const SHOPPERS = 8;
const KILL_AFTER = 3; // the third accepted mail is in the window
const children = new Set();

function startChild(storePath, sendgridUrl) {
  const child = spawn(process.execPath, [new URL('crash-child.mjs', import.meta.url).pathname, storePath, sendgridUrl, String(LEASE_MS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      const m = /READY (\S+)/.exec(String(d));
      if (m) resolve({ child, url: m[1] });
    });
    child.on('exit', (code, signal) => reject(new Error(`child exited early (${code ?? signal})`)));
  });
}

after(() => {
  for (const child of children) child.kill('SIGKILL');
});

test('a crash between the provider accepting and the record repeats that one mail and loses nothing', async () => {
  const dir = await tempDir();
  const sendgrid = await fakeSendgrid({ apiKey: SENDGRID_KEY });
  try {
    const storePath = join(dir, 'crash.db');
    const first = await startChild(storePath, sendgrid.url);
    const emails = [];
    for (let i = 0; i < SHOPPERS; i += 1) {
      const email = `crash-${i}@example.com`;
      emails.push(email);
      const body = await abandonedCheckout({ at: new Date().toISOString(), token: `crash-${i}`, customerId: String(910000000000000000n + BigInt(i)), email, phone: `+1512555020${i}` });
      assert.equal((await postShopify(first.url, 'checkouts/create', body)).status, 200);
    }

    const died = new Promise((resolve) => first.child.once('exit', resolve));
    sendgrid.afterAccept(async (count) => {
      if (count !== KILL_AFTER) return false;
      first.child.kill('SIGKILL');
      await died;
      return true;
    });
    await assert.rejects(tick(first.url), 'the process died under its tick');
    await died;
    sendgrid.afterAccept(undefined);
    assert.equal(sendgrid.mails.length, KILL_AFTER);
    const inTheWindow = sendgrid.mails[KILL_AFTER - 1].mail.personalizations[0].to[0].email;

    const second = await startChild(storePath, sendgrid.url);
    const early = await (await tick(second.url)).json();
    assert.equal(early.sent, SHOPPERS - KILL_AFTER, 'the rest go out; the one in the window waits for its lease');
    assert.equal((await fetch(`${second.url}/__advance-clock?ms=${LEASE_MS + 1000}`, { method: 'POST' })).status, 204);
    assert.equal((await (await tick(second.url)).json()).sent, 1, 'the expired lease is taken over');
    assert.equal((await (await tick(second.url)).json()).sent, 0);

    const received = new Map();
    for (const { mail } of sendgrid.mails) {
      const to = mail.personalizations[0].to[0].email;
      received.set(to, (received.get(to) ?? 0) + 1);
    }
    assert.deepEqual([...received.keys()].sort(), [...emails].sort(), 'no journey lost');
    for (const email of emails) assert.equal(received.get(email), email === inTheWindow ? 2 : 1, email);
    second.child.kill('SIGTERM');
  } finally {
    await sendgrid.close();
    await removeDir(dir);
  }
});
