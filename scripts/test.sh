#!/usr/bin/env bash
# Every test, at every layer: native Rust, the same suites through wasm under Node, the JS
# loader against the built package, storefront capture in Chromium, and the packaging test
# in five runtimes.
# Installs what it needs first (scripts/setup.sh), then builds pkg/dist from source.
set -euo pipefail
cd "$(dirname "$0")/.."

# First, and before any install: the repository stands alone (no tracked file reads a path
# outside it). Needs only git and node.
node scripts/check-self-contained.mjs

bash scripts/setup.sh

step() { printf '\n=== %s\n' "$*"; }

step "build the npm package (pkg/dist) from source"
node scripts/build.mjs --quiet

step "Rust, native"
cargo test --quiet
cargo check --quiet --benches  # the benchmark must keep compiling

step "Rust, through wasm under Node (wasm-bindgen-test)"
CARGO_TARGET_DIR=target/wasm-test cargo test --target wasm32-unknown-unknown --features wasm

step "JS loader against the built package (node:test)"
node --test tests/js/

step "storefront capture in headless Chromium against a local test shop and collector (node:test)"
node --test tests/storefront/
step "server runtime: handler, stores, signatures, fake providers (node:test)"
node --test tests/server/

step "Shopify app: two shops at once against a fake Shopify (both install paths, subscriptions, sends, uninstall), topics (node:test)"
node --test tests/shopify/

step "operator console: sign-in, CSRF, roles, hostile strings, axe-core, keyboard, screenshots in headless Chromium (node:test)"
node --test tests/console/

step "messages: every default email through SpamAssassin and axe-core in Chromium, screenshots (node:test)"
node --test tests/messages/

step "examples: each platform's example app, installed from the packed package and run in its own runtime (node:test)"
node --test tests/examples/

step "the demo: the cast's scripted run (exit code = every outcome), then the dashboard in headless Chromium (node:test)"
node examples/demo/main.mjs --scripted | sed -n '/^outcomes:/,$p'  # the timelines: bash scripts/demo.sh --scripted
node --test tests/demo/

step "packaging: npm pack, install, import from Node ESM/CJS, workerd, Deno, Chromium"
node tests/packaging/run.mjs

printf '\nall test layers passed\n'
