#!/usr/bin/env bash
# The benchmark command (separate from the tests): native and wasm decisions per second on
# one shared stream, JS↔wasm boundary cost, wasm sizes for opt-level "z", "s" and "3", what the
# Vercel Edge example weighs, cold start in Node and workerd, each against a build of main.
# Against issue 20's floors: the Node handler against a bare node:http + SQLite server in the
# same run, a memory soak, and at the end a summary of issue 20's table (now, target, met).
# Copy the figures into BENCHMARKS.md with the date, machine and load average.
#
#   bash scripts/bench.sh            (SOAK_SECONDS=60 for a shorter soak while trying things;
#                                     OPT_LEVELS="z" skips the s and 3 builds, ~3 full builds)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Every figure the summary reads is kept from this run's output.
mkdir -p target
log=target/bench-output.txt
: > "$log"
record() { "$@" | tee -a "$log"; }
# Build chatter is kept out of the figures, but a step that fails shows why before the script stops.
quiet() { "$@" 2>target/bench-step.err || { cat target/bench-step.err >&2; echo "bench step failed: $*" >&2; exit 1; }; }
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(date -u +%F)"

# Native first: it writes the shared stream the wasm benchmark replays.
echo; echo "=== native"
record quiet cargo bench --quiet --bench decisions
echo; echo "=== native, the system allocator (the same measurement: compare the two runs' ratio)"
quiet cargo bench --quiet --bench decisions_system_allocator

echo; echo "=== simulator: journeys per second through the real engine (the shipped comparison, both worlds)"
quiet cargo bench --quiet --bench simulate

echo; echo "=== the report over 1,000,000 journeys' outcome log, natively (issue 18: under 2 s; wall, CPU and time waiting for a core)"
REPORT_ONLY=1 quiet cargo bench --quiet --bench report

echo; echo "=== opt-level comparison (each artifact built at ${OPT_LEVELS:-z s 3})"
for level in ${OPT_LEVELS:-z s 3}; do
  quiet node scripts/build.mjs --quiet --opt-level "$level"
  node benches/wasm.mjs --sizes-and-throughput | sed "s/^/[$level] /"
done

# The baseline: another revision (main unless BASELINE_REF says otherwise) built beside this
# checkout, so sizes and cold starts compare in one run, as ratios.
baseline=target/baseline
echo; echo "=== baseline: $(git rev-parse --short "${BASELINE_REF:-main}") (${BASELINE_REF:-main}) built in $baseline"
mkdir -p "$baseline"
find "$baseline" -mindepth 1 -maxdepth 1 ! -name target ! -name node_modules -exec rm -rf {} +
git archive "${BASELINE_REF:-main}" | tar -x -C "$baseline"
[ -e "$baseline/node_modules" ] || ln -s "$PWD/node_modules" "$baseline/node_modules"
(cd "$baseline" && node scripts/build.mjs --quiet 2>/dev/null) || { echo "the baseline did not build" >&2; exit 1; }

echo; echo "=== as shipped (server z, storefront z), against the baseline in the same run"
quiet node scripts/build.mjs --quiet
record node benches/wasm-weight.mjs --baseline "$baseline"
record node benches/wasm.mjs --baseline "$baseline"
echo; echo "=== storefront (headless Chromium), against the baseline's storefront build in the same runs"
record node benches/storefront.mjs --baseline "$baseline/pkg/dist/storefront"

echo; echo "=== server: Node handler on one core, SQLite and Redis (autocannon), against the floor (node:http + the same body parsed + a 2 KB row and a due row in one SQLite transaction) in the same run"
record node benches/server.mjs 10 --baseline "$baseline"

echo; echo "=== soak: the handler's RSS under a constant load of new shoppers, after warm-up (${SOAK_SECONDS:-600} s)"
record node benches/soak.mjs "${SOAK_SECONDS:-600}"

echo; echo "=== beacon flood: one address flooding (default limits, one trusted proxy) while shoppers at other addresses beacon; 429 rate and shoppers accepted"
node benches/flood.mjs 10

echo; echo "=== server: CPU ms per request in workerd (process CPU time over N requests)"
record node benches/workerd-cpu.mjs 2000

echo; echo "=== Postgres: 1 and 4 handler processes on one database, signed checkouts in, every process ticking at once (sends/s, duplicates, lost)"
node benches/postgres.mjs 2000 1,4
echo; echo "=== abuse: texts caused by hostile beacons, state left by junk beacons (SQLite, in process)"
node benches/abuse.mjs 100000

echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
node benches/summary.mjs "$log"
