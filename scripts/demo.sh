#!/usr/bin/env bash
# Rekindle's main job: build the engine package and play out a sample abandonment.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node scripts/build.mjs --quiet 2>/dev/null
node examples/demo/plan.mjs
