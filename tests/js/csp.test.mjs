// The storefront's reading of a Content-Security-Policy (js-shim/storefront/csp.js): whether a
// policy lets the compile worker's script run, matched as CSP Level 3 matches a worker's URL.
//
//   node --test tests/js/csp.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { policyAllows } from '../../js-shim/storefront/csp.js';

const SHOP = 'https://shop.example';
const sameOrigin = new URL('https://shop.example/cdn/rekindle/engine.js');
const blob = new URL('blob:https://shop.example/');

test('worker-src, else child-src, else script-src, else default-src decides; no such directive allows', () => {
  assert.equal(policyAllows("img-src 'self'", sameOrigin, SHOP), true);
  assert.equal(policyAllows("default-src 'none'", sameOrigin, SHOP), false);
  assert.equal(policyAllows("default-src 'none'; script-src 'self'", sameOrigin, SHOP), true);
  assert.equal(policyAllows("script-src 'self'; child-src 'none'", sameOrigin, SHOP), false);
  assert.equal(policyAllows("child-src 'none'; worker-src 'self'", sameOrigin, SHOP), true);
  assert.equal(policyAllows("worker-src 'none'; worker-src 'self'", sameOrigin, SHOP), false, 'the first of a repeated directive counts');
});

test('a blob worker needs blob: itself; * and self do not cover it', () => {
  assert.equal(policyAllows("worker-src 'self' *", blob, SHOP), false);
  assert.equal(policyAllows("worker-src 'self' blob:", blob, SHOP), true);
  assert.equal(policyAllows("script-src 'self' BLOB:", blob, SHOP), true);
});

test('host sources: scheme, wildcard host, port and path as CSP matches them', () => {
  assert.equal(policyAllows('worker-src https:', sameOrigin, SHOP), true);
  assert.equal(policyAllows('worker-src shop.example', sameOrigin, SHOP), true);
  assert.equal(policyAllows('worker-src *.example', sameOrigin, SHOP), true);
  assert.equal(policyAllows('worker-src *.shop.example', sameOrigin, SHOP), false);
  assert.equal(policyAllows('worker-src https://shop.example:8443', sameOrigin, SHOP), false);
  assert.equal(policyAllows('worker-src https://shop.example/cdn/', sameOrigin, SHOP), true);
  assert.equal(policyAllows('worker-src https://shop.example/assets/', sameOrigin, SHOP), false);
  assert.equal(policyAllows('worker-src other.example', sameOrigin, SHOP), false);
});

test('what this reading cannot be sure of refuses (the page then compiles the wasm itself)', () => {
  assert.equal(policyAllows("script-src 'self' 'strict-dynamic' 'nonce-abc'", sameOrigin, SHOP), false);
  assert.equal(policyAllows("worker-src 'nonce-abc' 'sha256-xyz'", sameOrigin, SHOP), false);
});
