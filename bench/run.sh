#!/usr/bin/env bash
# The scope-lint benchmark, in one run (see bench/README.md):
#   (a) scope-lint: N proposals against a catalog of N scopes (every rule);
#   (b) scope-lint: the same names once each, without a catalog;
#   (b') as (b) with the catalog-context rules (SL2xx) off: exactly the rules Spectral has;
#   (c) Spectral: the same names as the scopes of an OpenAPI oauth2 flow, with
#       bench/spectral/.spectral.yaml (scope-lint's syntax and naming rules as `pattern`s);
# then the library-level benchmark (cargo bench). Prints the times and the ratio (c)/(b).
#
#   bench/run.sh              # N = 100,000
#   N=10000 bench/run.sh      # smaller
#   SKIP_CARGO_BENCH=1 bench/run.sh
set -euo pipefail

N="${N:-100000}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/bench/out"
SPECTRAL_DIR="$ROOT/bench/spectral"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/scope-registry-target}"
SCOPE_LINT="$CARGO_TARGET_DIR/release/scope-lint"
cd "$ROOT"

say() { printf '\n== %s\n' "$*"; }

# Runs a command, its standard output to $1, and prints how long it took (and, when GNU time is
# installed, the peak resident memory of its largest process); sets ELAPSED (seconds) and PEAK.
# Exit status 0 and 1 ("findings") are both success for scope-lint and Spectral; anything else
# stops the script.
ELAPSED=0
PEAK="n/a"
GNU_TIME=""
if [ -x /usr/bin/time ] && /usr/bin/time -f '%M' -o /dev/null true 2>/dev/null; then
  GNU_TIME=/usr/bin/time
fi
timed() {
  local output="$1" start end status
  shift
  local wrap=()
  if [ -n "$GNU_TIME" ]; then
    wrap=("$GNU_TIME" -f '%M' -o "$OUT/.peak-kib")
  fi
  start=$(date +%s.%N)
  set +e
  ${wrap[@]+"${wrap[@]}"} "$@" >"$output"
  status=$?
  set -e
  end=$(date +%s.%N)
  if [ "$status" -gt 1 ]; then
    echo "error: exit status $status from: $*" >&2
    exit "$status"
  fi
  ELAPSED=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }')
  if [ -n "$GNU_TIME" ]; then
    PEAK="$(awk '/^[0-9]+$/ { printf "%.0f MiB", $1 / 1024 }' "$OUT/.peak-kib")"
  fi
  echo "   ${ELAPSED} s, peak memory ${PEAK} (exit status $status)"
}

say "machine"
echo "   $(nproc) CPUs: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)"
echo "   $(rustc --version), node $(node --version)"
echo "   scope-lint at commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- scope-lint/src 2>/dev/null || echo ' (scope-lint/src modified)')"

say "building scope-lint (release)"
cargo build --release -p scope-lint

say "generating N = $N (catalog of $N scopes, $N proposals) into bench/out"
SCOPE_LINT_BENCH_N="$N" cargo bench -q -p scope-lint --bench lint_scale -- --write-dir "$OUT"
UNIQUE=$(wc -l <"$OUT/proposals-unique.txt" | tr -d ' ')

if [ ! -d "$SPECTRAL_DIR/node_modules" ]; then
  say "installing Spectral"
  if [ -f "$SPECTRAL_DIR/package-lock.json" ]; then
    (cd "$SPECTRAL_DIR" && npm ci --no-audit --no-fund)
  else
    (cd "$SPECTRAL_DIR" && npm install --no-audit --no-fund)
  fi
fi
echo "   spectral $(cd "$SPECTRAL_DIR" && npx --no-install spectral --version)"

say "(a) scope-lint check: $N proposals against the catalog of $N"
timed "$OUT/scope-lint-catalog.json" \
  "$SCOPE_LINT" check "$OUT/proposals.txt" --catalog "$OUT/catalog.json" --format json
TIME_A=$ELAPSED
PEAK_A=$PEAK

say "(b) scope-lint check: the $UNIQUE distinct names, no catalog"
timed "$OUT/scope-lint-bare.json" \
  "$SCOPE_LINT" check "$OUT/proposals-unique.txt" --format json
TIME_B=$ELAPSED
PEAK_B=$PEAK

say "(b') as (b), catalog-context rules off (SL0xx and SL1xx only, as in the Spectral ruleset)"
timed "$OUT/scope-lint-names-only.json" \
  "$SCOPE_LINT" check "$OUT/proposals-unique.txt" --format json \
  --ignore SL201,SL202,SL203,SL204,SL205,SL206,SL207,SL208,SL209
TIME_B2=$ELAPSED
PEAK_B2=$PEAK

say "(c) spectral lint: the same $UNIQUE names in an OpenAPI 3.1 oauth2 flow"
timed "$OUT/spectral.json" \
  bash -c 'cd "$1" && npx --no-install spectral lint "$2" --ruleset .spectral.yaml -f json --quiet' \
  _ "$SPECTRAL_DIR" "$OUT/openapi.json"
TIME_C=$ELAPSED
PEAK_C=$PEAK

say "what each found in the same names, (b) against (c)"
node "$SPECTRAL_DIR/compare.mjs" "$OUT/scope-lint-bare.json" "$OUT/spectral.json"
FINDINGS_A=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).length)' \
  "$OUT/scope-lint-catalog.json")

if [ "${SKIP_CARGO_BENCH:-}" = "" ]; then
  say "library level: cargo bench -p scope-lint --bench lint_scale (N = $N)"
  SCOPE_LINT_BENCH_N="$N" cargo bench -q -p scope-lint --bench lint_scale
fi

say "results (N = $N)"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }'; }
row() { printf '   %-64s %8s s  %9s\n' "$1" "$2" "$3"; }
SPECTRAL_VERSION=$(cd "$SPECTRAL_DIR" && npx --no-install spectral --version)
printf '   %-64s %10s  %9s\n' "" "time" "memory"
row "(a)  scope-lint, $N proposals against $N catalog scopes" "$TIME_A" "$PEAK_A"
echo "        ($FINDINGS_A findings)"
row "(b)  scope-lint, $UNIQUE names, no catalog" "$TIME_B" "$PEAK_B"
row "(b') scope-lint, $UNIQUE names, SL0xx and SL1xx only" "$TIME_B2" "$PEAK_B2"
row "(c)  Spectral $SPECTRAL_VERSION, the same $UNIQUE names, the same checks" "$TIME_C" "$PEAK_C"
echo "   Spectral / scope-lint: (c)/(b) = $(ratio "$TIME_C" "$TIME_B")x, (c)/(b') = $(ratio "$TIME_C" "$TIME_B2")x"
