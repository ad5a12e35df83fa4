// `node scripts/preview.mjs DIR`: the gallery with a screenshot of each email at 375 and 600 px
// taken in real Chromium (issue 17). A few emails, not all 208, to keep the test short: the
// script takes the others the same way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../../examples/demo/browser.mjs';
import { previewWithScreenshots, screenshotFile, WIDTHS } from '../../scripts/preview.mjs';

const MATCH = 'offer.percentOff.de.'; // the 4 sample carts of one key in one locale
let dir, result, browser;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rekindle-shots-'));
  result = await previewWithScreenshots({ dir, match: MATCH });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from the IHDR chunk, which a PNG must start with. */
function pngSize(bytes) {
  assert.ok(bytes.subarray(0, 8).equals(PNG_SIGNATURE), 'PNG signature');
  assert.equal(bytes.toString('latin1', 12, 16), 'IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Distinct colours, counted by Chromium decoding the PNG into a canvas. */
async function distinctColours(bytes) {
  const page = await browser.newPage();
  try {
    return await page.evaluate(async (src) => {
      const img = new Image();
      img.src = src;
      await img.decode();
      const canvas = Object.assign(document.createElement('canvas'), { width: img.width, height: img.height });
      const ctx = canvas.getContext('2d');
      ctx.drawImage(img, 0, 0);
      const data = new Uint32Array(ctx.getImageData(0, 0, img.width, img.height).data.buffer);
      return new Set(data).size;
    }, `data:image/png;base64,${bytes.toString('base64')}`);
  } finally {
    await page.close();
  }
}

// A rendered email has text, a button, borders and anti-aliasing: hundreds of colours. A blank
// or failed page has one or two.
const MIN_COLOURS = 50;

test('the blank check is live: a screenshot of an empty page has too few colours', async () => {
  const page = await browser.newPage({ viewport: { width: 375, height: 900 } });
  const bytes = await page.screenshot({ fullPage: true });
  await page.close();
  assert.equal(pngSize(bytes).width, 375);
  assert.ok((await distinctColours(bytes)) < MIN_COLOURS);
});

test('each chosen email has a PNG at 375 and 600 px, that wide, and not blank', async () => {
  assert.equal(result.shot.length, 4);
  assert.equal(result.entries.length, 208, 'the gallery still lists every message');
  for (const entry of result.shot) {
    for (const width of WIDTHS) {
      const file = screenshotFile(entry.file, width);
      const bytes = await readFile(join(dir, file));
      const size = pngSize(bytes);
      assert.equal(size.width, width, file);
      assert.ok(size.height >= 400, `${file} is ${size.height} px tall`);
      const colours = await distinctColours(bytes);
      assert.ok(colours >= MIN_COLOURS, `${file} has only ${colours} colours`);
    }
  }
});

test('index.html links each screenshot next to its live frames, and only the ones taken', async () => {
  const html = await readFile(join(dir, 'index.html'), 'utf8');
  for (const entry of result.shot) {
    const row = html.slice(html.indexOf(`src="${entry.file}"`));
    for (const width of WIDTHS) {
      const png = screenshotFile(entry.file, width);
      assert.ok(row.slice(0, row.indexOf('</div></div>')).includes(`<a href="${png}"><img src="${png}"`), `${png} in its row`);
    }
  }
  assert.equal(html.match(/<img src="screenshots\//g).length, result.shot.length * WIDTHS.length);
});
