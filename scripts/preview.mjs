// The template gallery with screenshots: `rekindle preview DIR` writes the gallery, then each
// email is opened in headless Chromium (the system's, through playwright-core; nothing is
// downloaded) at 375 and 600 px and saved whole as DIR/screenshots/<key>.<locale>.<cart>.<width>.png,
// and index.html shows each pair next to its live frames (docs/messages.md).
//
//   node scripts/preview.mjs [DIR] [--policy FILE] [--match TEXT]
//
// --match keeps the emails whose file name contains TEXT (e.g. `reminder.fr.`): the gallery
// still lists every message, only the matching ones get screenshots.
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launchChromium } from '../examples/demo/browser.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
export const WIDTHS = [375, 600];

function parse(argv) {
  const opts = { dir: 'rekindle-preview', policy: null, match: '' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--policy' || arg === '--match') {
      if (argv[i + 1] === undefined) throw new Error(`${arg} needs a value`);
      opts[arg.slice(2)] = argv[++i];
    } else if (arg.startsWith('-')) {
      throw new Error(`unknown option ${arg}\nusage: node scripts/preview.mjs [DIR] [--policy FILE] [--match TEXT]`);
    } else {
      opts.dir = arg;
    }
  }
  return opts;
}

/** `emails/reminder.en.one.html` at 375 px → `screenshots/reminder.en.one.375.png`. */
export function screenshotFile(emailFile, width) {
  return `screenshots/${basename(emailFile, '.html')}.${width}.png`;
}

export async function previewWithScreenshots({ dir, policy = null, match = '' }) {
  dir = resolve(dir);
  const cli = ['run', '--quiet', '--bin', 'rekindle', '--', 'preview', dir, ...(policy ? ['--policy', resolve(policy)] : [])];
  execFileSync('cargo', cli, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  const entries = JSON.parse(await readFile(join(dir, 'messages.json'), 'utf8'));
  const chosen = entries.filter((e) => e.file.includes(match));
  await mkdir(join(dir, 'screenshots'), { recursive: true });
  const browser = await launchChromium();
  try {
    for (const width of WIDTHS) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      // Product images and the logo point at the sample merchant's CDN, which does not exist:
      // answer with nothing, so the shot shows the alt text and layout, offline.
      await page.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.fulfill({ status: 204 })));
      for (const entry of chosen) {
        await page.goto(pathToFileURL(join(dir, entry.file)).href);
        await page.screenshot({ path: join(dir, screenshotFile(entry.file, width)), fullPage: true });
      }
      await page.close();
    }
  } finally {
    await browser.close();
  }
  await linkScreenshots(dir, chosen);
  return { dir, entries, shot: chosen };
}

// The gallery row of each email ends with its 600 px frame (src/messages/preview.rs): the
// screenshots go right after it, each linked to the full-size image.
async function linkScreenshots(dir, chosen) {
  const index = join(dir, 'index.html');
  let html = await readFile(index, 'utf8');
  html = html.replace('</style>', '.shot{flex:none;display:flex;flex-direction:column;gap:8px}.shot img{width:188px;border:1px solid #9ca3af}</style>');
  for (const entry of chosen) {
    const frame = `src="${entry.file}"></iframe></div>`;
    const at = html.indexOf(frame);
    if (at < 0) throw new Error(`index.html has no frame for ${entry.file}`);
    const links = WIDTHS.map((w) => {
      const png = screenshotFile(entry.file, w);
      return `<a href="${png}"><img src="${png}" loading="lazy" alt="Screenshot of ${entry.key}, ${entry.locale}, ${entry.cart} at ${w} px"></a>`;
    }).join('');
    const end = at + frame.length - '</div>'.length;
    html = `${html.slice(0, end)}<div class="shot">${links}</div>${html.slice(end)}`;
  }
  await writeFile(index, html);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const opts = parse(process.argv.slice(2));
  const { dir, shot } = await previewWithScreenshots(opts);
  console.log(`${shot.length * WIDTHS.length} screenshots written to ${join(dir, 'screenshots')}`);
}
