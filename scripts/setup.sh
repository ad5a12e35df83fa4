#!/usr/bin/env bash
# Installs what Rekindle's build and tests need on a fresh Debian machine, and nothing when
# it is all there already (each step checks first). Safe to run any number of times.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[setup] %s\n' "$*"; }

[ "${REKINDLE_SKIP_SETUP:-}" = 1 ] && { say "skipped (REKINDLE_SKIP_SETUP=1)"; exit 0; }

# Debian and Ubuntu are what this script knows how to provision (apt). Anywhere else, stop at
# once with the list to install by hand, rather than fail halfway through.
if ! { [ -r /etc/os-release ] && grep -qiE '^(ID|ID_LIKE)=.*(debian|ubuntu)' /etc/os-release && command -v apt-get >/dev/null 2>&1; }; then
  say "this setup script provisions Debian or Ubuntu only (apt-get). On this system, install by hand:"
  say "  Rust via rustup, then: rustup target add wasm32-unknown-unknown; cargo install wasm-bindgen-cli --version <the =version pinned in Cargo.toml>"
  say "  Node 20+ with npm, then: npm ci"
  say "  Chromium (on PATH as chromium), a font with Japanese glyphs, SpamAssassin, redis-server, PostgreSQL 15+ server binaries (initdb, postgres)"
  say "then run the tests again with REKINDLE_SKIP_SETUP=1 (this script then checks nothing)."
  exit 1
fi

# Rust (rustup) and Node 20+ are the two prerequisites the README names: say so plainly.
command -v rustup >/dev/null 2>&1 || { say "Rust is missing: install it with rustup (https://rustup.rs), then run this again"; exit 1; }
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
[ "$node_major" -ge 20 ] || { say "Node 20 or newer with npm is needed (found: $(node --version 2>/dev/null || echo none))"; exit 1; }

# The wasm target for rustc.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# wasm-bindgen-cli must match the wasm-bindgen crate pinned in Cargo.toml exactly.
want=$(sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  say "installing wasm-bindgen-cli $want (found: ${have:-none}); takes about 2 minutes"
  cargo install wasm-bindgen-cli --version "$want"
fi

# Chromium for browser tests, redis-server for the Redis store tests.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
# SpamAssassin (offline rules) scores every default email of the template pack (tests/messages/).
command -v spamassassin >/dev/null 2>&1 || missing+=(spamassassin)
# A font with Japanese glyphs: the gallery's non-Latin sample cart (scripts/preview.mjs
# screenshots, the axe-core check) otherwise renders as empty boxes. WenQuanYi Micro Hei: 5 MB.
command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=ja 2>/dev/null)" ] || missing+=(fonts-wqy-microhei)
# PostgreSQL for the Postgres store tests and benchmark (Debian keeps initdb off the PATH).
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# npm tooling (esbuild, binaryen's wasm-opt, miniflare, playwright-core), exactly as locked.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dev dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi
