// Every default email, opened in real Chromium at 375 and 600 px, has no serious or critical
// axe-core violation (WCAG 2.1 A and AA rules), and lays out in one column without sideways
// scrolling on a phone (issue 17). axe-core is pinned exact in package.json.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { launchChromium } from '../../examples/demo/browser.mjs';
import { writeGallery } from './gallery.mjs';

const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
let gallery, browser;

before(async () => {
  gallery = await writeGallery();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await gallery?.remove();
});

test('the checker is live: an image without alt and grey-on-white text are serious violations', async () => {
  const page = await browser.newPage();
  await page.setContent('<!DOCTYPE html><html lang="en"><head><title>Control</title></head><body><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><p style="color:#bbb;background:#fff">Your cart</p></body></html>');
  await page.addScriptTag({ content: axeSource });
  const ids = await page.evaluate(async () => (await window.axe.run(document)).violations.filter((v) => ['serious', 'critical'].includes(v.impact)).map((v) => v.id));
  await page.close();
  assert.deepEqual(ids.sort(), ['color-contrast', 'image-alt']);
});

for (const width of [375, 600]) {
  test(`no serious or critical axe-core violation in any default email at ${width} px`, async () => {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    // Images come from a CDN that does not exist here: answer with nothing, offline.
    await page.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.fulfill({ status: 204 })));
    const problems = [];
    for (const entry of gallery.entries) {
      await page.goto(`file://${join(gallery.dir, entry.file)}`);
      await page.addScriptTag({ content: axeSource });
      const result = await page.evaluate(() => window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }));
      for (const v of result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')) {
        problems.push(`${entry.file}: ${v.id} (${v.impact}) ${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', ')}`);
      }
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflow > 0) problems.push(`${entry.file}: ${overflow} px wider than the ${width} px screen`);
    }
    await page.close();
    assert.deepEqual(problems, []);
  });
}
