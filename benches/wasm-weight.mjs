// What the package weighs where bytes are the bill: each wasm and each storefront script, raw
// and gzipped, and the Vercel Edge example's whole function (its route bundled as Vercel
// bundles an edge function, plus the wasm it imports) against the Hobby plan's 1 MB gzipped.
// Bytes are deterministic for a given build: tests/js/size-budget.test.mjs guards them with
// the budgets in tests/js/size-budgets.json, from the same figures.
//
//   node benches/wasm-weight.mjs [--baseline <another checkout, built>]

import { readFileSync, mkdirSync, symlinkSync, rmSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Vercel Edge, Hobby: 1 MB gzipped for the whole function (FACTS.md). Taken as 10^6 bytes,
 * the stricter reading. */
export const VERCEL_HOBBY_LIMIT = 1_000_000;

const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;

/** The files a page or a server loads, relative to a build's pkg/dist. */
export const FILES = {
  'server wasm': 'rekindle_bg.wasm',
  // The report's own module (issue 20): loaded by GET /report and the roll-up, never by an edge request.
  'report wasm': 'report_bg.wasm',
  'storefront wasm': 'storefront/rekindle_bg.wasm',
  // The Web Pixel's own engine (issue 20): the storefront's plus Shopify's pixel events.
  'web pixel wasm': 'storefront/pixel_bg.wasm',
  'storefront embed.js (eager <script>)': 'storefront/embed.js',
  'storefront capture.js (eager ESM)': 'storefront/capture.js',
  'storefront engine.js (lazy)': 'storefront/engine.js',
};

/**
 * The Vercel Edge example's route bundled with `dist`'s package: `edge-light` first among the
 * export conditions, as Next.js bundles an edge function; the `.wasm?module` imports are
 * separate files of the same function.
 */
async function vercelFunction(dist) {
  // A node_modules holding only this build's package, so the bundle resolves `rekindle` there.
  const modules = join(root, 'target', 'weight', String(process.pid), 'node_modules');
  rmSync(dirname(modules), { recursive: true, force: true });
  mkdirSync(modules, { recursive: true });
  symlinkSync(dirname(resolve(dist)), join(modules, 'rekindle'));
  const wasm = new Set();
  try {
    const { outputFiles } = await esbuild.build({
      absWorkingDir: join(root, 'examples', 'vercel-edge'),
      entryPoints: ['app/api/rekindle/[...path]/route.js'],
      nodePaths: [modules],
      bundle: true,
      minify: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      conditions: ['edge-light', 'worker', 'browser'],
      logLevel: 'silent',
      plugins: [{
        name: 'wasm-module',
        setup(build) {
          build.onResolve({ filter: /\.wasm\?module$/ }, (args) => {
            wasm.add(join(args.resolveDir, args.path.replace(/\?module$/, '')));
            return { path: args.path, external: true };
          });
        },
      }],
    });
    const js = gzip(outputFiles[0].contents);
    const wasmGzip = [...wasm].reduce((sum, file) => sum + gzip(readFileSync(file)), 0);
    return { jsGzip: js, wasmGzip, gzip: js + wasmGzip, shareOfHobbyLimit: (js + wasmGzip) / VERCEL_HOBBY_LIMIT };
  } finally {
    rmSync(dirname(modules), { recursive: true, force: true });
  }
}

/** Every figure for one build: `{ files: { name: { raw, gzip } }, vercelEdge: {...} }`. */
export async function weigh(dist = join(root, 'pkg', 'dist')) {
  const files = {};
  for (const [name, file] of Object.entries(FILES)) {
    if (!existsSync(join(dist, file))) continue; // a baseline built before the file existed
    const bytes = readFileSync(join(dist, file));
    files[name] = { raw: bytes.length, gzip: gzip(bytes) };
  }
  return { files, vercelEdge: await vercelFunction(dist) };
}

function print(label, w, base) {
  const ratio = (now, before) => (before ? ` (${(now / before).toFixed(2)}×)` : '');
  console.log(`\n${label}\nfile                                        raw bytes   gzip -9 bytes`);
  for (const [name, { raw, gzip: gz }] of Object.entries(w.files)) {
    const b = base?.files[name];
    console.log(`${name.padEnd(40)} ${String(raw).padStart(11)} ${String(gz).padStart(15)}${ratio(gz, b?.gzip)}`);
  }
  const v = w.vercelEdge;
  const pct = (x) => `${(100 * x).toFixed(1)}%`;
  console.log(`Vercel Edge example, whole function gzipped: ${v.gzip} bytes (JS ${v.jsGzip}, wasm ${v.wasmGzip}): ` +
    `${pct(v.shareOfHobbyLimit)} of the Hobby plan's 1 MB (${pct(v.gzip / 2 ** 20)} of 1 MiB)` +
    `${base ? `; baseline ${pct(base.vercelEdge.shareOfHobbyLimit)} (${pct(base.vercelEdge.gzip / 2 ** 20)})` : ''}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name) => (args.includes(name) ? resolve(args[args.indexOf(name) + 1]) : undefined);
  const dist = join(root, 'pkg', 'dist');
  const baselineDist = opt('--baseline') && join(opt('--baseline'), 'pkg', 'dist');
  if (baselineDist && !existsSync(baselineDist)) throw new Error(`no baseline build at ${baselineDist}`);
  const base = baselineDist ? await weigh(baselineDist) : undefined;
  if (base) print(`baseline (${baselineDist})`, base);
  const now = await weigh(dist);
  print(`this build (${dist})${base ? ', ratio to the baseline in brackets' : ''}`, now, base);
  console.log(`\nJSON-WEIGHT ${JSON.stringify({ now, baseline: base })}`);
}
