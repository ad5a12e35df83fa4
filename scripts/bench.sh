#!/usr/bin/env bash
# The benchmark command (separate from the tests): native and wasm decisions per second on
# one shared stream, JS↔wasm boundary cost, wasm sizes for opt-level "s" and "z", cold start
# in Node and workerd. Copy the figures into BENCHMARKS.md with the date and machine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(date -u +%F)"

echo; echo "=== opt-level \"s\" (size only)"
node scripts/build.mjs --quiet --opt-level s 2>/dev/null
node -e '
const { readFileSync } = require("fs"); const { gzipSync } = require("zlib");
for (const f of ["pkg/dist/rekindle_bg.wasm", "pkg/dist/storefront/rekindle_bg.wasm"]) {
  const b = readFileSync(f); console.log(`${f}: ${b.length} raw, ${gzipSync(b, { level: 9 }).length} gzip -9`);
}'

echo; echo "=== opt-level \"z\" (what ships)"
node scripts/build.mjs --quiet --opt-level z 2>/dev/null
echo; echo "=== native"
cargo bench --quiet --bench decisions 2>/dev/null
echo; echo "=== wasm"
node benches/wasm.mjs

echo; echo "=== server: Node handler on one core, SQLite and Redis (autocannon)"
node benches/server.mjs 10
