// Fills the theme app extension's assets/ (extensions/rekindle-embed/assets/) with the storefront
// embed from the installed `rekindle` package: embed.js (what the app embed block loads),
// engine.js (which embed.js fetches from beside itself after the page has loaded) and
// rekindle_bg.wasm (the storefront engine, which engine.js fetches from beside itself). They are
// copied byte for byte, never edited, so the storefront runs exactly the package's build; the
// folder is generated, not committed. Run before `shopify app deploy` (`npm run deploy` does).
//
// Shopify CLI's rules for a theme app extension's assets: files directly in assets/, each a
// .js, .css, .json, .jpg, .jpeg, .png, .svg or .wasm, 10 MB in all with the rest of the extension.
//
//   npm run build:extensions -- [--from <folder holding embed.js, engine.js, rekindle_bg.wasm>]
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the block needs, as the package names them. */
export const EMBED_ASSETS = Object.freeze(['embed.js', 'engine.js', 'rekindle_bg.wasm']);

/** The extension's assets folder, beside this script's app. */
export const ASSETS_DIR = fileURLToPath(new URL('../extensions/rekindle-embed/assets/', import.meta.url));

/** The installed package's storefront build (`rekindle/embed` resolves into it). */
export function packageStorefront() {
  // createRequire rather than import.meta.resolve, which Node 20 before 20.6 lacks.
  return dirname(createRequire(import.meta.url).resolve('rekindle/embed'));
}

/** Replaces `to` with exactly the embed's files from `from`. Returns the paths written. */
export function buildExtensions({ from = packageStorefront(), to = ASSETS_DIR } = {}) {
  rmSync(to, { recursive: true, force: true }); // nothing stale from an older package stays
  mkdirSync(to, { recursive: true });
  return EMBED_ASSETS.map((name) => {
    copyFileSync(join(from, name), join(to, name));
    return join(to, name);
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--from');
  const written = buildExtensions(at > 0 ? { from: process.argv[at + 1] } : {});
  console.log(`extensions/rekindle-embed/assets: ${written.length} files from the rekindle package`);
}
