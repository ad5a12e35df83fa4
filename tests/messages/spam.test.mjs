// Every default email passes a real spam filter: Debian's SpamAssassin with its offline rules
// (`-L`: no DNS or network tests), each email sent as a mail client receives it (MIME
// multipart/alternative, text then HTML, the RFC 8058 headers), scoring under 2.0 (issue 17).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeGallery } from './gallery.mjs';

let gallery;
before(async () => {
  gallery = await writeGallery();
});
after(() => gallery?.remove());

const MAX_SCORE = 2.0;

const encodeWord = (text) => (/^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text).toString('base64')}?=`);
const base64Lines = (text) => Buffer.from(text).toString('base64').replace(/.{76}/g, '$&\n');

/** One email as it leaves SendGrid or Postmark (which add Date and Message-ID), `i` its number. */
function mime(entry, i) {
  const boundary = `rk-${i}-alternative`;
  return [
    `From MAILER-DAEMON Thu Dec  3 09:00:00 2026`,
    `From: Trailhead <shop@trailhead.example>`,
    `To: Ada Lovelace <ada@example.net>`,
    `Subject: ${encodeWord(entry.subject)}`,
    `Date: Thu, 03 Dec 2026 09:00:${String(i % 60).padStart(2, '0')} +0000`,
    `Message-ID: <${i}.preview@trailhead.example>`,
    `List-Unsubscribe: ${entry.listUnsubscribe}`,
    'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(entry.text),
    `--${boundary}`,
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(entry.html),
    `--${boundary}--`,
    '',
  ].join('\n');
}

test('every default email in every locale scores under 2.0 in SpamAssassin (offline rules)', () => {
  const mbox = gallery.entries.map(mime).join('\n');
  // One run over an mbox: SpamAssassin's start-up (its rules) dominates, not the messages.
  const run = spawnSync('spamassassin', ['-L', '-t', '--mbox'], { input: mbox, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(run.status, 0, run.stderr);
  const statuses = [...run.stdout.matchAll(/^X-Spam-Status: (Yes|No), score=(-?[\d.]+) required=[\d.]+ tests=([\s\S]*?) autolearn/gm)]
    .map((m) => ({ score: Number(m[2]), tests: m[3].replace(/\s+/g, ' ').trim() }));
  assert.equal(statuses.length, gallery.entries.length, 'one verdict per email');
  const over = statuses.map((s, i) => ({ ...s, file: gallery.entries[i].file })).filter((s) => s.score >= MAX_SCORE);
  assert.deepEqual(over, [], 'emails at or over the limit');
  const worst = Math.max(...statuses.map((s) => s.score));
  console.log(`spamassassin: ${statuses.length} emails, highest score ${worst}; rules hit: ${[...new Set(statuses.flatMap((s) => s.tests.split(',')))].join(' ')}`);
});
