// The console in real workerd (Miniflare), bundled as wrangler bundles a Worker: the same pages
// from the same handler, and a password hash made with hashPassword's default (100,000
// PBKDF2 iterations, the most Workers' WebCrypto accepts) opens a session there.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { Miniflare } from 'miniflare';
import { server } from '../server/harness.mjs';

const dist = fileURLToPath(new URL('../../pkg/dist/', import.meta.url));

const WORKER = `
  import { init, defaultPolicy } from 'rekindle';
  import { createHandler, memoryStore, operatorConsole } from ${JSON.stringify(join(dist, 'server', 'index.js'))};
  let handler;
  export default {
    async fetch(request, env, ctx) {
      await init();
      // A store name and a postal address: without them the content audit withholds the emails.
      const policy = { ...defaultPolicy(), storeName: 'Kyoto Outdoor', brand: { postalAddress: '1-1 Karasuma, Kyoto 600-8001, Japan' } };
      handler ??= createHandler({
        policy,
        store: memoryStore(), secrets: { salt: 'salt', console: env.CONSOLE_SECRET }, publicUrl: 'https://rekindle.test', beacon: false,
        console: operatorConsole({ timeZone: 'Asia/Tokyo', currency: 'JPY', locale: 'ja-JP', users: [{ name: 'ken', role: 'viewer', passwordHash: env.KEN_HASH }] }),
      });
      return handler(request, env, ctx);
    },
  };`;

let mf;
after(async () => mf?.dispose());

test('workerd: sign-in with a default-strength hash, then every page, and a search', async () => {
  const { outputFiles } = await esbuild.build({
    stdin: { contents: WORKER, resolveDir: dist, loader: 'js' },
    bundle: true, write: false, format: 'esm', platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    alias: { rekindle: join(dist, 'workerd.js') },
    external: ['./rekindle_bg.wasm', './report_bg.wasm', 'cloudflare:*'],
    logLevel: 'silent',
  });
  mf = new Miniflare({
    modules: [
      { type: 'ESModule', path: join(dist, 'worker.js'), contents: outputFiles[0].text },
      { type: 'CompiledWasm', path: join(dist, 'rekindle_bg.wasm'), contents: await readFile(join(dist, 'rekindle_bg.wasm')) },
      { type: 'CompiledWasm', path: join(dist, 'report_bg.wasm'), contents: await readFile(join(dist, 'report_bg.wasm')) },
    ],
    modulesRoot: dist,
    compatibilityDate: '2026-07-01',
    bindings: { CONSOLE_SECRET: 'console-secret-of-at-least-32-characters!', KEN_HASH: await server.hashPassword('pw-ken') },
  });
  const form = await mf.dispatchFetch('https://rekindle.test/console/sign-in');
  assert.equal(form.status, 200);
  const nonce = form.headers.getSetCookie()[0].split(';')[0];
  const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())[1];
  const post = (password) => mf.dispatchFetch('https://rekindle.test/console/sign-in', { method: 'POST', redirect: 'manual', headers: { cookie: nonce, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf, name: 'ken', password }).toString() });
  assert.equal((await post('wrong')).status, 401);
  const signed = await post('pw-ken');
  assert.equal(signed.status, 303);
  const session = signed.headers.getSetCookie().find((c) => c.startsWith('rekindle-console=')).split(';')[0];
  for (const page of ['overview', 'shoppers', 'playbook', 'messages', 'messages/gallery', 'health']) {
    const r = await mf.dispatchFetch(`https://rekindle.test/console/${page}`, { headers: { cookie: session } });
    assert.equal(r.status, 200, page);
    const text = await r.text();
    if (page === 'health') assert.match(text, /Engine/);
    if (page === 'messages/gallery') assert.match(text, /data-subject/, 'the engine renders the gallery inside workerd');
    if (page === 'playbook') assert.match(text, /data-step="email-1"/, 'the live playbook as a table inside workerd');
  }
  // A search through the salted keys inside workerd: nobody is known, and it says so.
  const shoppers = await (await mf.dispatchFetch('https://rekindle.test/console/shoppers', { headers: { cookie: session } })).text();
  const token = /name="csrf" value="([^"]+)"/.exec(shoppers)[1];
  const search = await mf.dispatchFetch('https://rekindle.test/console/shoppers/lookup', { method: 'POST', headers: { cookie: session, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf: token, by: 'order', value: '#1001' }).toString() });
  assert.equal(search.status, 404);
  assert.match(await search.text(), /data-not-found/);
});
