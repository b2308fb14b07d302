#!/usr/bin/env bash
# The web UI's server-side render time (issue 5, item 7): the catalog page of a 10,000-scope
# catalog, rendered by the registry for a signed-in person, as a browser asks for it (the whole
# HTML document, before any JavaScript). Goal: under 100 ms.
#
#   bench/ui/render.sh
#   SCOPES=10000 REQUESTS=200 bench/ui/render.sh     # the defaults
#   SKIP_BUILD=1 bench/ui/render.sh                  # use the release binary already built
#   SKIP_BUILD=1 BIN=/tmp/other/scope-registry bench/ui/render.sh   # another build
#
# The catalog is filled through the public API by bench/catalog/seed.py (the same lint-clean
# 10,000 scopes as the catalog read-path benchmark), then the person signs in (demo persona Bob,
# through the sign-in form) and each page below is fetched REQUESTS times, one at a time, after
# 10 unmeasured fetches. The time is curl's: from sending the request to the last byte of the
# page, on loopback, so it holds the render plus the HTTP round trip. Needs: a Rust toolchain,
# curl, python3.
set -euo pipefail

SCOPES="${SCOPES:-10000}"
REQUESTS="${REQUESTS:-200}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="$ROOT/bench/out/ui"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/scope-registry-target}"
BIN="${BIN:-$CARGO_TARGET_DIR/release/scope-registry}" # BIN=… to measure another build

die() {
  printf 'render.sh: %s\n' "$*" >&2
  exit 1
}
for tool in curl python3; do
  command -v "$tool" >/dev/null || die "$tool is missing"
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/scope-registry-ui-bench.XXXXXX")"
REGISTRY_PID=""
cleanup() {
  if [ -n "$REGISTRY_PID" ] && kill -0 "$REGISTRY_PID" 2>/dev/null; then
    kill "$REGISTRY_PID" 2>/dev/null || true
    wait "$REGISTRY_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  (cd "$ROOT" && cargo build --release -p scope-registry-server --locked)
fi
[ -x "$BIN" ] || die "$BIN is missing: build it (cargo build --release -p scope-registry-server)"
mkdir -p "$OUT"

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
DB="sqlite://$WORK/registry.db"
RUST_LOG=warn "$BIN" serve --demo --database "$DB" --bind "127.0.0.1:$PORT" >"$WORK/registry.log" 2>&1 &
REGISTRY_PID=$!
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null && break
  sleep 0.2
done
curl -fsS -o /dev/null "$BASE/healthz" || { tail -n 20 "$WORK/registry.log" >&2; die "the registry did not start"; }

for persona in alice bob carol dave; do
  export "${persona^^}=$("$BIN" demo-token "$persona" --database "$DB")"
done
printf 'seeding %s scopes through change requests\n' "$SCOPES"
python3 "$ROOT/bench/catalog/seed.py" "$BASE" "$SCOPES" >"$WORK/seed.log"

# Signed in as Bob, the way a browser does it: the demo sign-in form, from the registry's page.
JAR="$WORK/cookies"
curl -fsS -o /dev/null -c "$JAR" -H "Origin: $BASE" --data "persona=bob&return_to=/" "$BASE/auth/demo"

# A scope in the middle of the catalog, for the scope page.
SCOPE="$(curl -fsS -H "Authorization: Bearer $BOB" "$BASE/api/v1/catalog" |
  python3 -c 'import json, sys; s = json.load(sys.stdin)["scopes"]; print(s[len(s) // 2]["name"])')"

# The latest change request (500 items, the API's limit), as its reviewers see it.
REQUEST="$(curl -fsS -H "Authorization: Bearer $BOB" "$BASE/api/v1/change-requests?status=published&limit=1" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')"

PAGES=(
  "/"                                          # the catalog's first page: every facet over all scopes
  "/?q=orders"                                 # search as you type (the server's answer to a link)
  "/?domain=shipping&status=active&classification=internal"
  "/?page=100"                                 # the last pages
  "/scopes/$SCOPE"                             # one scope: history, exports in each format
  "/change-requests/$REQUEST"                  # a request: each item's diff against the catalog
)

measure() { # prints "min median p95 max" in ms and checks the page is the real one
  local path="$1" i
  curl -fsS -b "$JAR" -o "$WORK/page.html" "$BASE$path"
  grep -q 'Signed in as' "$WORK/page.html" || die "$path: not signed in"
  grep -q 'role="alert"' "$WORK/page.html" && die "$path: the page shows a problem"
  for i in $(seq 1 10); do curl -fsS -b "$JAR" -o /dev/null "$BASE$path"; done
  for i in $(seq 1 "$REQUESTS"); do
    curl -fsS -b "$JAR" -o /dev/null -w '%{time_total}\n' "$BASE$path"
  done | python3 -c '
import sys
t = sorted(float(x) * 1000 for x in sys.stdin)
q = lambda p: t[min(len(t) - 1, int(p * len(t)))]
print(f"{t[0]:8.1f} {q(0.5):8.1f} {q(0.95):8.1f} {t[-1]:8.1f}")'
}

{
  printf 'catalog: %s scopes; %s fetches per page, one at a time; %s CPUs (%s)\n\n' "$SCOPES" "$REQUESTS" \
    "$(nproc)" "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
  printf '%-60s %8s %8s %8s %8s  %s\n' "page" "min ms" "median" "p95" "max" "bytes"
  for path in "${PAGES[@]}"; do
    figures="$(measure "$path")"
    printf '%-60s %s  %s\n' "$path" "$figures" "$(stat -c %s "$WORK/page.html")"
  done
} | tee "$OUT/summary.txt"
