#!/usr/bin/env bash
# Rekindle's main job on one machine: builds the engine package, starts the Rekindle handler
# (SQLite embedded store, outbox transport), the demo storefront and the dashboard on
# 127.0.0.1, plays the cast of shoppers at an accelerated clock and keeps serving.
#   bash scripts/demo.sh                 watch it at --speed 600 (72 simulated hours in 7 minutes)
#   bash scripts/demo.sh --scripted      the cast on a simulated clock; exit code = every outcome happened
#   bash scripts/demo.sh --speed 3000 --port 8787
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node scripts/build.mjs --quiet 2>/dev/null
exec node examples/demo/main.mjs "$@"
