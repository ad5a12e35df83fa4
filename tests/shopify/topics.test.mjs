// The topics an installed shop sends are the topics Rekindle reads: shopify.app.toml (CLI
// deployments), the list the app registers per shop through the Admin API (deployments without
// the CLI) and the ingest's own list (src/ingest/shopify.rs TOPICS) agree, and the engine's
// ingest understands every one of them but `app/uninstalled`, which the app handles itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { parse } from 'smol-toml';

const repo = new URL('../../', import.meta.url);
const shopifyApp = await import(new URL('pkg/dist/server/shopify.js', repo));
const rekindle = await import(new URL('pkg/dist/node.js', repo));
await rekindle.init();

const manifest = parse(await readFile(new URL('examples/shopify-app/shopify.app.toml', repo), 'utf8'));
const declared = manifest.webhooks.subscriptions.flatMap((s) => s.topics ?? []);
const declaredCompliance = manifest.webhooks.subscriptions.flatMap((s) => s.compliance_topics ?? []);

/** TOPICS as the Rust source spells it. */
async function ingestTopics() {
  const source = await readFile(new URL('src/ingest/shopify.rs', repo), 'utf8');
  const list = /pub const TOPICS: &\[&str\] = &\[([\s\S]*?)\];/.exec(source);
  assert.ok(list, 'src/ingest/shopify.rs declares TOPICS');
  return [...list[1].matchAll(/"([^"]+)"/g)].map((m) => m[1]);
}

const sorted = (list) => [...list].sort();

test('shopify.app.toml declares exactly what the ingest reads, plus app/uninstalled, and the compliance topics', async () => {
  const ingest = await ingestTopics();
  assert.deepEqual(sorted(declaredCompliance), sorted(shopifyApp.COMPLIANCE_TOPICS));
  assert.deepEqual(sorted([...declared, ...declaredCompliance]), sorted([...ingest, 'app/uninstalled']));
  assert.equal(new Set(declared).size, declared.length, 'no topic twice');
});

test('the app registers per shop what the toml declares (the compliance topics cannot be registered)', () => {
  assert.deepEqual(sorted(shopifyApp.SUBSCRIBED_TOPICS), sorted(declared));
});

test('every declared topic reaches the ingest, which routes all but app/uninstalled', () => {
  for (const topic of [...declared, ...declaredCompliance]) {
    let error = null;
    try {
      rekindle.ingest.shopify(topic, 'w-1', '{}', 'salt', Date.parse('2026-11-27T15:00:00Z'));
    } catch (e) {
      error = e;
    }
    if (topic === 'app/uninstalled') assert.equal(error?.path, '$.topic', 'the ingest does not read app/uninstalled: the app must');
    else assert.notEqual(error?.path, '$.topic', `${topic} is declared but the ingest does not route it`);
  }
});

test('every subscription delivers to the app\'s one webhook route over https, on the manifest\'s application URL', () => {
  for (const s of manifest.webhooks.subscriptions) assert.equal(s.uri, `${manifest.application_url}/webhooks/shopify`);
  assert.deepEqual(manifest.auth.redirect_urls, [`${manifest.application_url}/auth/callback`]);
});
