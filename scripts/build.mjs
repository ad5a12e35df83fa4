// Builds the npm package in pkg/dist from the crate and js-shim/: four wasm artifacts
// (server: the decision engine; report: the merchant's report, loaded only by the report and
// the roll-up; storefront: signals only; pixel: the storefront's plus Shopify Web Pixel
// events, for the Web Pixel), each through wasm-bindgen and wasm-opt, then one
// bundle per runtime entry, plus the storefront capture scripts; then the
// Shopify app example's theme extension assets from the storefront build.
// Incremental: cargo and esbuild skip unchanged work, so running it before every test is cheap.
//
//   node scripts/build.mjs [--opt-level z|s|3] [--quiet]
//
// Both artifacts are optimised for size ("z", measured in BENCHMARKS.md): the storefront build
// is loaded by shoppers' phones, the server build by edge functions whose plans cap the gzipped
// bundle (Vercel Edge Hobby: 1 MB) and bill cold starts; "3" bought +25% decisions/s for twice
// the bytes, and a decision is not what an edge request waits on. --opt-level overrides both,
// for comparisons; each level builds in its own folder, so comparing does not rebuild.

import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, renameSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { buildExtensions } from '../examples/shopify-app/scripts/build-extensions.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const optOverride = args.includes('--opt-level') ? args[args.indexOf('--opt-level') + 1] : undefined;
const quiet = args.includes('--quiet');
const log = (...m) => quiet || console.log('[build]', ...m);
const run = (cmd, argv, env = {}) =>
  execFileSync(cmd, argv, { cwd: root, stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit', env: { ...process.env, ...env } });

export const ARTIFACTS = {
  server: { features: ['--no-default-features', '--features', 'server,wasm'], optLevel: 'z' },
  // The report over the outcome log in its own module: an edge request never loads it, and an
  // edge function need not ship it (BENCHMARKS.md, issue 20).
  report: { features: ['--no-default-features', '--features', 'report-module,wasm'], optLevel: 'z', outName: 'report' },
  // --converge: wasm-opt's passes again until the module stops shrinking: ~0.3 KB gz off the
  // wasm every shop page loads, for a second or two of build (BENCHMARKS.md, issue 20).
  storefront: { features: ['--no-default-features', '--features', 'wasm'], optLevel: 'z', wasmOpt: ['--converge'] },
  // The storefront engine with Shopify Web Pixel events read too, for the Web Pixel alone: shop
  // pages never send pixel events, and the mapping was ~3 KB gz of every page's wasm (issue 20).
  pixel: { features: ['--no-default-features', '--features', 'wasm,web-pixel'], optLevel: 'z', outName: 'pixel', wasmOpt: ['--converge'] },
};

const dist = join(root, 'pkg', 'dist');

function buildWasm(name, { features, optLevel: preferred, outName = 'rekindle', wasmOpt = [] }) {
  const optLevel = optOverride ?? preferred;
  const target = join(root, 'target');
  log(`cargo: ${name} build (opt-level ${optLevel})`);
  run('cargo', ['build', '--release', '--target', 'wasm32-unknown-unknown', '--lib', ...features], {
    CARGO_PROFILE_RELEASE_OPT_LEVEL: optLevel,
    // Each artifact and level keeps its own output dir: switching features or levels rebuilds nothing.
    CARGO_TARGET_DIR: join(target, `wasm-${name}-${optLevel}`),
  });
  const raw = join(target, `wasm-${name}-${optLevel}`, 'wasm32-unknown-unknown', 'release', 'rekindle.wasm');
  const out = join(target, 'bindgen', name);
  rmSync(out, { recursive: true, force: true });
  run('wasm-bindgen', ['--target', 'web', '--experimental-reset-state-function', '--out-name', outName, '--out-dir', out, raw]);
  const wasm = join(out, `${outName}_bg.wasm`);
  const before = statSync(wasm).size;
  run(join(root, 'node_modules', '.bin', 'wasm-opt'), [`-O${optLevel}`, ...wasmOpt, '--strip-debug', '--strip-producers', wasm, '-o', wasm]);
  log(`wasm-opt: ${name} ${before} -> ${statSync(wasm).size} bytes`);
  return out;
}

async function bundle(glueDir, entries, outDir, reportDir) {
  mkdirSync(outDir, { recursive: true });
  copyFileSync(join(glueDir, 'rekindle_bg.wasm'), join(outDir, 'rekindle_bg.wasm'));
  if (reportDir) copyFileSync(join(reportDir, 'report_bg.wasm'), join(outDir, 'report_bg.wasm'));
  const common = {
    bundle: true,
    alias: { 'rekindle-glue': join(glueDir, 'rekindle.js'), ...(reportDir && { 'rekindle-report-glue': join(reportDir, 'report.js') }) },
    // The .wasm stays a separate file next to the bundle (Workers and Vercel Edge import it).
    external: ['./rekindle_bg.wasm', './rekindle_bg.wasm?module', './report_bg.wasm', 'node:*'],
    logLevel: 'warning',
    legalComments: 'none',
  };
  for (const entry of entries) {
    await esbuild.build({
      ...common,
      entryPoints: [join(root, 'js-shim', 'entries', `${entry}.js`)],
      outfile: join(outDir, `${entry}.js`),
      format: 'esm',
      platform: entry === 'node' ? 'node' : 'neutral',
    });
  }
  if (entries.includes('node')) {
    // CommonJS for require(): same source, import.meta.url replaced by the file's own URL.
    await esbuild.build({
      ...common,
      entryPoints: [join(root, 'js-shim', 'entries', 'node.js')],
      outfile: join(outDir, 'node.cjs'),
      format: 'cjs',
      platform: 'node',
      define: { 'import.meta.url': '__rekindleUrl' },
      banner: { js: 'const __rekindleUrl = require("node:url").pathToFileURL(__filename).href;' },
    });
  }
}

/**
 * Storefront capture, minified for pages: the ESM module (`capture.js`) with the engine as a
 * lazy chunk (`engine.js`, split out so it loads after the page), the one-line `<script>`
 * embed (`embed.js`, an IIFE that imports `engine.js` from beside itself), and the Web Pixel
 * entry, which bundles the engine (a pixel runs in its own sandbox, off the page's path).
 */
async function bundleCapture(glueDir, outDir, pixelGlueDir) {
  const common = {
    bundle: true,
    minify: true,
    target: 'es2022', // private class fields (core.js) unlowered: no shared helper chunk on the eager path
    alias: { 'rekindle-glue': join(glueDir, 'rekindle.js') },
    logLevel: 'warning',
    legalComments: 'none',
  };
  const source = (path) => join(root, 'js-shim', path);
  // The engine stays a separate file the capture module imports lazily; no code splitting, so
  // no shared helper chunk lands on the eager path.
  const lazyEngine = {
    name: 'lazy-engine',
    setup(build) {
      build.onResolve({ filter: /storefront\/engine\.js$/ }, () => ({ path: './engine.js', external: true }));
    },
  };
  await esbuild.build({ ...common, entryPoints: [source('entries/capture.js')], outfile: join(outDir, 'capture.js'), format: 'esm', platform: 'browser', plugins: [lazyEngine] });
  await esbuild.build({ ...common, entryPoints: [source('storefront/engine.js')], outfile: join(outDir, 'engine.js'), format: 'esm', platform: 'browser' });
  await esbuild.build({ ...common, entryPoints: [source('entries/embed.js')], outfile: join(outDir, 'embed.js'), format: 'iife', platform: 'browser' });
  // The Web Pixel's engine is the pixel build (pixel_bg.wasm, loaded from the pixel's `wasmUrl`).
  await esbuild.build({ ...common, alias: { 'rekindle-glue': join(pixelGlueDir, 'pixel.js') }, entryPoints: [source('entries/web-pixel.js')], outfile: join(outDir, 'web-pixel.js'), format: 'esm', platform: 'neutral' });
  copyFileSync(join(pixelGlueDir, 'pixel_bg.wasm'), join(outDir, 'pixel_bg.wasm'));
}

/**
 * The server runtime (js-shim/server): runtime-neutral code that imports the engine as
 * 'rekindle' (the package's own name), so each runtime's conditions pick its wasm loader.
 */
async function bundleServer(outDir) {
  const common = {
    bundle: true,
    format: 'esm',
    external: ['rekindle', 'node:*', 'better-sqlite3', 'ioredis', 'postgres'],
    logLevel: 'warning',
    legalComments: 'none',
  };
  const server = join(root, 'js-shim', 'server');
  await esbuild.build({ ...common, entryPoints: [join(server, 'index.js')], outfile: join(outDir, 'server', 'index.js'), platform: 'neutral' });
  await esbuild.build({ ...common, entryPoints: [join(server, 'node.js')], outfile: join(outDir, 'server', 'node.js'), platform: 'node' });
  await esbuild.build({ ...common, entryPoints: [join(server, 'cloudflare.js')], outfile: join(outDir, 'server', 'cloudflare.js'), platform: 'neutral', external: [...common.external, 'cloudflare:*'] });
  // The Shopify app: Shopify's own libraries stay outside the bundle (an optional peer dependency).
  await esbuild.build({ ...common, entryPoints: [join(server, 'shopify', 'index.js')], outfile: join(outDir, 'server', 'shopify.js'), platform: 'neutral', external: [...common.external, '@shopify/*'] });
}

export async function build() {
  // Build beside pkg/dist and swap it in at the end, so a test reading pkg/dist never sees
  // a half-built package.
  const next = `${dist}.next`;
  rmSync(next, { recursive: true, force: true });
  const server = buildWasm('server', ARTIFACTS.server);
  const report = buildWasm('report', ARTIFACTS.report);
  await bundle(server, ['node', 'browser', 'deno', 'workerd', 'edge-light', 'slim'], next, report);
  await bundleServer(next);
  const storefront = buildWasm('storefront', ARTIFACTS.storefront);
  await bundle(storefront, ['storefront'], join(next, 'storefront'));
  const pixel = buildWasm('pixel', ARTIFACTS.pixel);
  await bundleCapture(storefront, join(next, 'storefront'), pixel);
  const levels = Object.fromEntries(Object.entries(ARTIFACTS).map(([k, a]) => [k, optOverride ?? a.optLevel]));
  writeFileSync(join(next, 'BUILD.json'), JSON.stringify({ optLevel: levels }, null, 2));
  rmSync(dist, { recursive: true, force: true });
  renameSync(next, dist);
  // The Shopify app's theme extension serves the storefront embed from its own assets/: filled
  // from this build, as the example's `npm run build:extensions` fills it from the installed package.
  buildExtensions({ from: join(dist, 'storefront') });
  log('pkg/dist ready');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await build();
}
