// The theme app extension's assets (examples/shopify-app/extensions/rekindle-embed/assets/): the
// example's build step (`npm run build:extensions`, examples/shopify-app/scripts/build-extensions.mjs) fills them from
// the installed `rekindle` package, resolved through its `exports` as a merchant's project
// resolves it; the repository's build fills them from pkg/dist. Either way they are the package's
// storefront files byte for byte, they are what the block's Liquid and the embed load by name,
// and they pass Shopify CLI's checks for a theme app extension (flat assets/, supported file
// types, 10 MB in all: Shopify/cli, models/extensions/specifications/theme.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const example = join(repo, 'examples', 'shopify-app');
const storefront = join(repo, 'pkg', 'dist', 'storefront');
const EMBED_ASSETS = ['embed.js', 'engine.js', 'rekindle_bg.wasm'];
const CLI_ASSET_TYPES = /\.(jpg|jpeg|json|js|css|png|svg|wasm)$/;
const CLI_LIMIT_BYTES = 10 * 1024 * 1024;

/** Each file of `dir` equals the package build's file of that name, byte for byte. */
async function assertPackageBytes(dir) {
  assert.deepEqual((await readdir(dir)).sort(), [...EMBED_ASSETS].sort(), 'exactly the embed, its engine and its wasm');
  for (const name of EMBED_ASSETS) {
    const [copied, built] = await Promise.all([readFile(join(dir, name)), readFile(join(storefront, name))]);
    assert.ok(copied.equals(built), `${name} is the package's, byte for byte`);
  }
}

test('the example\'s build step fills assets/ from the installed rekindle package, byte for byte, leaving nothing stale', async () => {
  const project = await mkdtemp(join(tmpdir(), 'rekindle-theme-assets-'));
  try {
    // A merchant's copy of the example with `rekindle` installed (its package.json and storefront build).
    await cp(join(example, 'scripts'), join(project, 'scripts'), { recursive: true });
    await cp(join(example, 'extensions', 'rekindle-embed'), join(project, 'extensions', 'rekindle-embed'), { recursive: true, filter: (path) => !path.includes(`${join('rekindle-embed', 'assets')}`) });
    const installed = join(project, 'node_modules', 'rekindle');
    await mkdir(join(installed, 'dist'), { recursive: true });
    await cp(join(repo, 'pkg', 'package.json'), join(installed, 'package.json'));
    await cp(storefront, join(installed, 'dist', 'storefront'), { recursive: true });
    const assets = join(project, 'extensions', 'rekindle-embed', 'assets');
    await mkdir(assets, { recursive: true });
    await writeFile(join(assets, 'embed-old.js'), '// from an older release');

    const { stdout } = await promisify(execFile)(process.execPath, [join('scripts', 'build-extensions.mjs')], { cwd: project });
    assert.match(stdout, /3 files from the rekindle package/);
    await assertPackageBytes(assets);
  } finally {
    await rm(project, { recursive: true, force: true });
  }
});

test('after the repository\'s build the example\'s assets are the package build\'s, and pass Shopify CLI\'s checks for a theme extension', async () => {
  const extension = join(example, 'extensions', 'rekindle-embed');
  const assets = join(extension, 'assets');
  await assertPackageBytes(assets);
  let total = 0;
  for (const dir of await readdir(extension)) {
    const entries = await readdir(join(extension, dir), { withFileTypes: true }).catch(() => []);
    for (const entry of entries) total += (await stat(join(extension, dir, entry.name))).size;
  }
  for (const entry of await readdir(assets, { withFileTypes: true })) {
    assert.ok(entry.isFile(), `${entry.name}: assets/ holds files only`);
    assert.match(entry.name, CLI_ASSET_TYPES);
  }
  assert.ok(total <= CLI_LIMIT_BYTES, `${total} bytes: within the 10 MB a theme app extension may hold`);
});

test('the block loads the embed from assets/ by name, and the embed finds its engine and wasm there by name', async () => {
  const liquid = await readFile(join(example, 'extensions', 'rekindle-embed', 'blocks', 'rekindle.liquid'), 'utf8');
  const referenced = [...liquid.matchAll(/'([^']+)'\s*\|\s*asset_url/g)].map((m) => m[1]);
  assert.deepEqual(referenced, ['embed.js'], 'the block\'s script is the embed, served from the extension\'s assets');
  // The embed fetches engine.js from beside itself, and the engine its wasm: both are in assets/ too.
  assert.match(await readFile(join(storefront, 'embed.js'), 'utf8'), /['"]engine\.js['"]/);
  assert.ok((await readFile(join(storefront, 'engine.js'), 'utf8')).includes('rekindle_bg.wasm'));
  for (const name of [...referenced, 'engine.js', 'rekindle_bg.wasm']) assert.ok(EMBED_ASSETS.includes(name), name);
});
