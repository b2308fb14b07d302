#!/usr/bin/env bash
# The catalog read-path benchmark (issue 4, item 8; see bench/catalog/README.md): the registry's
# GET /api/v1/catalog against nginx serving the same bytes as a static file with the same ETag,
# 200s and 304s, with wrk, in one run. Prints requests per second for each and the ratios; the
# goal is the registry at 0.8x nginx or better on both.
#
#   bench/catalog/run.sh
#   SCOPES=10000 THREADS=2 CONNECTIONS=64 DURATION=15s bench/catalog/run.sh   # the defaults
#   REGISTRY_LOG=info bench/catalog/run.sh    # with the registry's per-request log lines
#   SKIP_BUILD=1 bench/catalog/run.sh         # use the release binary already built
#   WAIT_IDLE=600 bench/catalog/run.sh        # on a shared machine: wait for idle CPUs before each run
#
# Needs: a Rust toolchain, wrk, nginx, curl, python3 (Debian: apt-get install wrk nginx-light).
# Everything runs on 127.0.0.1 from a temp dir that is removed on exit; the wrk outputs and a
# summary are kept in bench/out/catalog/ (git-ignored).
set -euo pipefail

SCOPES="${SCOPES:-10000}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-64}"
DURATION="${DURATION:-15s}"
WARMUP="${WARMUP:-3s}"
# The registry's log filter: `warn` drops the per-request `info` line, as `access_log off` does
# for nginx; warnings, errors and security events are still logged.
REGISTRY_LOG="${REGISTRY_LOG:-warn}"
# Seconds to wait, before each run, for other processes to leave the CPUs idle (0: do not wait).
WAIT_IDLE="${WAIT_IDLE:-0}"
# A run during which other processes used more than this percentage of the CPUs is taken again,
# up to ATTEMPTS times in all; if the last attempt is disturbed too, the run is invalid.
MAX_OTHER="${MAX_OTHER:-10}"
ATTEMPTS="${ATTEMPTS:-3}"
# actix-web starts one worker per CPU (std::thread::available_parallelism); nginx gets as many.
WORKERS="${WORKERS:-$(nproc)}"

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="$ROOT/bench/out/catalog"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/scope-registry-target}"
BIN="$CARGO_TARGET_DIR/release/scope-registry"

say() { printf '\n== %s\n' "$*"; }
die() {
  printf 'run.sh: %s\n' "$*" >&2
  exit 1
}

for tool in wrk nginx curl python3; do
  command -v "$tool" >/dev/null || die "$tool is missing (Debian: apt-get install -y wrk nginx-light curl python3)"
done

LOAD_AT_START="$(cut -d' ' -f1-3 /proc/loadavg)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/scope-registry-catalog-bench.XXXXXX")"
REGISTRY_PID=""
NGINX_PID=""
cleanup() {
  local pid
  for pid in "$NGINX_PID" "$REGISTRY_PID"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for() {
  local url="$1" what="$2" log="$3" i
  for i in $(seq 1 100); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then
      return 0
    fi
    sleep 0.2
  done
  tail -n 20 "$log" >&2 || true
  die "$what did not start"
}

# --- build -----------------------------------------------------------------------------------
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  say "building the registry (release)"
  (cd "$ROOT" && cargo build --release -p scope-registry-server --locked)
fi
[ -x "$BIN" ] || die "$BIN is missing: build it (cargo build --release -p scope-registry-server)"
mkdir -p "$OUT" "$WORK/www" "$WORK/tmp"

# --- the registry, seeded --------------------------------------------------------------------
RPORT="$(free_port)"
DB="sqlite://$WORK/registry.db"
say "starting the registry (demo mode, SQLite, $WORKERS workers, RUST_LOG=$REGISTRY_LOG) on 127.0.0.1:$RPORT"
RUST_LOG="$REGISTRY_LOG" "$BIN" serve --demo --database "$DB" --bind "127.0.0.1:$RPORT" \
  >"$WORK/registry.log" 2>&1 &
REGISTRY_PID=$!
wait_for "http://127.0.0.1:$RPORT/healthz" "the registry" "$WORK/registry.log"
REGISTRY="http://127.0.0.1:$RPORT/api/v1/catalog"

for persona in alice bob carol dave; do
  export "${persona^^}=$("$BIN" demo-token "$persona" --database "$DB")"
done

say "seeding $SCOPES scopes through change requests"
python3 "$HERE/seed.py" "http://127.0.0.1:$RPORT" "$SCOPES"

# The catalog as an authorization server reads it: Bob's token (scope-registry:catalog:read).
AUTH="Authorization: Bearer $BOB"
curl -fsS -D "$WORK/registry-200.headers" -o "$WORK/www/catalog.json" -H "$AUTH" "$REGISTRY"
header() { grep -i "^$1:" "$2" | head -n1 | cut -d' ' -f2- | tr -d '\r'; }
ETAG="$(header etag "$WORK/registry-200.headers")"
VERSION="$(header catalog-version "$WORK/registry-200.headers")"
SIGNATURE="$(header catalog-signature "$WORK/registry-200.headers")"
BYTES="$(stat -c %s "$WORK/www/catalog.json")"
COUNT="$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["scopes"]))' "$WORK/www/catalog.json")"
[[ "$ETAG" =~ ^\"[A-Za-z0-9_-]+\"$ ]] || die "unexpected ETag: $ETAG"
[ "$COUNT" = "$SCOPES" ] || die "the catalog has $COUNT scopes, not $SCOPES"
[ "$(header content-length "$WORK/registry-200.headers")" = "$BYTES" ] || die "body and Content-Length differ"
printf 'catalog: version %s, %s scopes, %s bytes, ETag %s\n' "$VERSION" "$COUNT" "$BYTES" "$ETAG"

# --- nginx, same bytes and ETag --------------------------------------------------------------
NPORT="$(free_port)"
# nginx's workers drop root's privileges (to nobody or www-data): they may read the file.
chmod 711 "$WORK"
chmod 755 "$WORK/www"
chmod 644 "$WORK/www/catalog.json"
sed -e "s|@WORKERS@|$WORKERS|g" -e "s|@DIR@|$WORK|g" -e "s|@PORT@|$NPORT|g" \
  -e "s|@ETAG@|${ETAG//\"/}|g" -e "s|@VERSION@|$VERSION|g" -e "s|@SIGNATURE@|$SIGNATURE|g" \
  "$HERE/nginx.conf.template" >"$WORK/nginx.conf"
say "starting nginx $(nginx -v 2>&1 | sed 's/.*\///') ($WORKERS workers, access_log off, sendfile on) on 127.0.0.1:$NPORT"
nginx -t -q -p "$WORK" -c "$WORK/nginx.conf" -e "$WORK/nginx-error.log" || die "nginx refused $WORK/nginx.conf"
nginx -p "$WORK" -c "$WORK/nginx.conf" -e "$WORK/nginx-error.log" -g 'daemon off;' \
  >"$WORK/nginx.out" 2>&1 &
NGINX_PID=$!
NGINX="http://127.0.0.1:$NPORT/api/v1/catalog"
wait_for "$NGINX" "nginx" "$WORK/nginx-error.log"

# --- check both answer as intended -----------------------------------------------------------
say "checking both servers answer alike"
status_of() { rm -f "$WORK/body"; curl -sS -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' -H "$AUTH" "$@"; }
check() {
  local name="$1" url="$2" want="$3" got
  shift 3
  got="$(status_of "$@" "$url")"
  [ "$got" = "$want" ] || die "$name answered $got, not $want ($*)"
  [ "$(header etag "$WORK/headers")" = "$ETAG" ] || die "$name: ETag $(header etag "$WORK/headers"), not $ETAG"
  [ "$(header catalog-version "$WORK/headers")" = "$VERSION" ] || die "$name: wrong Catalog-Version"
  [ "$(header cache-control "$WORK/headers")" = "no-cache" ] || die "$name: wrong Cache-Control"
  if [ "$want" = 200 ]; then
    cmp -s "$WORK/body" "$WORK/www/catalog.json" || die "$name: 200 body differs from the catalog"
    [ "$(header catalog-signature "$WORK/headers")" = "$SIGNATURE" ] || die "$name: wrong Catalog-Signature"
    [ -z "$(header content-encoding "$WORK/headers")" ] || die "$name: compressed"
  else
    [ ! -s "$WORK/body" ] || die "$name: 304 with a body"
    [ -z "$(header catalog-signature "$WORK/headers")" ] || die "$name: Catalog-Signature on a 304"
  fi
  printf '  %-8s %-44s -> %s\n' "$name" "${*:-(no If-None-Match)}" "$got"
}
for target in registry nginx; do
  url="$REGISTRY"
  [ "$target" = nginx ] && url="$NGINX"
  check "$target" "$url" 200
  check "$target" "$url" 304 -H "If-None-Match: $ETAG"
  check "$target" "$url" 304 -H "If-None-Match: \"other\", $ETAG"
  check "$target" "$url" 304 -H "If-None-Match: *"
  check "$target" "$url" 200 -H 'If-None-Match: "other"'
  check "$target" "$url" 200 -H "If-None-Match: W/$ETAG"
  cp "$WORK/headers" "$OUT/$target-200.headers"
  status_of -H "If-None-Match: $ETAG" "$url" >/dev/null
  cp "$WORK/headers" "$OUT/$target-304.headers"
done

# --- measure ---------------------------------------------------------------------------------
registry_count() { # requests the registry has answered on the catalog route with status $1
  curl -fsS "http://127.0.0.1:$RPORT/metrics" |
    awk -v s="$1" '/^scope_registry_http_requests_total\{/ && /route="\/api\/v1\/catalog"/ && $0 ~ "status=\"" s "\"" { n += $NF } END { print n + 0 }'
}

# Sets RPS to the requests/s of one wrk run; the wrk output goes to $OUT/wrk-<label>.txt. A run is
# invalid (the script fails at the end) if wrk reports non-2xx/3xx responses or socket errors,
# if its responses were not the expected size (a 200 instead of a 304, say), if the registry
# counted fewer responses of the expected status, or if other processes took more than MAX_OTHER
# percent of the CPUs meanwhile (after ATTEMPTS tries).
INVALID=()
to_bytes() { # "13.12GB" -> bytes
  python3 -c '
import re, sys
m = re.fullmatch(r"([0-9.]+)([KMGT]?B)", sys.argv[1])
print(int(float(m[1]) * {"B": 1, "KB": 2**10, "MB": 2**20, "GB": 2**30, "TB": 2**40}[m[2]]))' "$1"
}
# Percent of all CPUs busy during one second, while both servers are idle: anything above a few
# percent is another process (a build, say) that will take CPU from the run.
idle_busy() {
  python3 -c '
import time
def snap():
    f = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return sum(f), f[3] + f[4]
t0, i0 = snap(); time.sleep(1); t1, i1 = snap()
print(round(100 * (1 - (i1 - i0) / max(t1 - t0, 1))))'
}
BUSY=()
OTHER=()
server_pids() { # the registry, nginx's master and its workers
  printf '%s,%s,%s' "$REGISTRY_PID" "$NGINX_PID" "$(pgrep -P "$NGINX_PID" | paste -sd, -)"
}
# Waits (up to WAIT_IDLE seconds) for the CPUs to be idle; records how busy they were.
await_idle() {
  local label="$1" busy waited=0
  busy="$(idle_busy)"
  while [ "$busy" -gt 10 ] && [ "$waited" -lt "$WAIT_IDLE" ]; do
    [ "$waited" -gt 0 ] || printf '  waiting up to %ss for the CPUs to be idle (%s%% busy)\n' "$WAIT_IDLE" "$busy" >&2
    sleep 4
    waited=$((waited + 5))
    busy="$(idle_busy)"
  done
  BUSY+=("$label $busy%")
  if [ "$busy" -gt 10 ]; then
    printf '  warning: the CPUs were %s%% busy before %s with both servers idle: another process is running\n' "$busy" "$label" >&2
  fi
}

# One measurement, taken again (up to ATTEMPTS times in all) while other processes disturb it.
measure() {
  local label="$1" url="$2" status="$3" file rps requests read per before after other attempt=1
  shift 3
  file="$OUT/wrk-$label.txt"
  while :; do
    await_idle "$label"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -H "$AUTH" "$@" "$url" >/dev/null
    [ "$label" = "${label#registry-[23]}" ] || before="$(registry_count "$status")"
    other="$(python3 "$HERE/wrk_run.py" "$file" "$(server_pids)" -- \
      wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "$AUTH" "$@" "$url")"
    [ "$label" = "${label#registry-[23]}" ] || after="$(registry_count "$status")"
    rps="$(awk '/^Requests\/sec:/ { print $2 }' "$file")"
    if [ "$other" -le "$MAX_OTHER" ] || [ "$attempt" -ge "$ATTEMPTS" ]; then
      break
    fi
    printf '  %-16s %10s requests/s, but other processes used %s%% of the CPUs meanwhile: again\n' \
      "$label" "$rps" "$other" >&2
    attempt=$((attempt + 1))
  done
  OTHER+=("$label $other%")
  if [ "$other" -gt "$MAX_OTHER" ]; then
    INVALID+=("$label: other processes used $other% of the CPUs during the run")
  fi
  requests="$(awk '/ requests in / { print $1 }' "$file")"
  read="$(awk '/ requests in / { print $(NF - 1) }' "$file")"
  if grep -qE 'Non-2xx or 3xx responses|Socket errors' "$file"; then
    INVALID+=("$label: $(grep -E 'Non-2xx or 3xx responses|Socket errors' "$file" | tr -s ' ' | tr '\n' ' ')")
  fi
  per=$(($(to_bytes "$read") / requests))
  if [ "$status" = 200 ] && { [ "$per" -lt $((BYTES * 97 / 100)) ] || [ "$per" -gt $((BYTES * 103 / 100 + 2048)) ]; }; then
    INVALID+=("$label: $per bytes a response, not about $BYTES")
  fi
  if [ "$status" = 304 ] && [ "$per" -gt 2048 ]; then
    INVALID+=("$label: $per bytes a response: not 304s")
  fi
  if [ -n "${before:-}" ] && [ $((after - before)) -lt "$requests" ]; then
    INVALID+=("$label: the registry counted $((after - before)) ${status}s for $requests requests")
  fi
  printf '  %-16s %10s requests/s  (%s requests, %s read, latency %s)\n' "$label" "$rps" "$requests" "$read" \
    "$(awk '/^    Latency/ { print "avg " $2 ", max " $4 }' "$file")"
  RPS="$rps"
}

say "wrk -t$THREADS -c$CONNECTIONS -d$DURATION (each after a $WARMUP warm-up), Authorization: Bearer on every request"
measure registry-200 "$REGISTRY" 200
R200="$RPS"
measure nginx-200 "$NGINX" 200
N200="$RPS"
measure registry-304 "$REGISTRY" 304 -H "If-None-Match: $ETAG"
R304="$RPS"
measure nginx-304 "$NGINX" 304 -H "If-None-Match: $ETAG"
N304="$RPS"
# For scale, not part of the goal: the registry's /healthz, through the same middleware with the
# same request headers, but without a token to verify or a catalog to look up.
measure registry-healthz "http://127.0.0.1:$RPORT/healthz" any -H "If-None-Match: $ETAG"
HEALTHZ="$RPS"

# --- report ----------------------------------------------------------------------------------
ratio() { python3 -c 'import sys; print(f"{float(sys.argv[1]) / float(sys.argv[2]):.2f}")' "$1" "$2"; }
verdict() { python3 -c 'import sys; print("meets the goal" if float(sys.argv[1]) >= 0.8 else "BELOW the 0.8x goal")' "$1"; }
RATIO200="$(ratio "$R200" "$N200")"
RATIO304="$(ratio "$R304" "$N304")"
{
  printf '\ncatalog: %s scopes, %s bytes (canonical JSON, uncompressed), version %s\n' "$COUNT" "$BYTES" "$VERSION"
  printf 'machine: %s CPUs (%s), %s, load average at start: %s\n' "$(nproc)" \
    "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" "$(uname -sr)" "$LOAD_AT_START"
  printf 'wrk -t%s -c%s -d%s; registry %s workers, RUST_LOG=%s; nginx %s workers\n' \
    "$THREADS" "$CONNECTIONS" "$DURATION" "$WORKERS" "$REGISTRY_LOG" "$WORKERS"
  printf 'CPU busy in the second before each run (servers idle): %s\n' "$(IFS=,; echo "${BUSY[*]}" | sed 's/,/, /g')"
  printf 'CPU used by other processes during each run: %s\n\n' "$(IFS=,; echo "${OTHER[*]}" | sed 's/,/, /g')"
  printf '%-22s %14s %14s %10s\n' "" "registry req/s" "nginx req/s" "ratio"
  printf '%-22s %14s %14s %9sx  %s\n' "200 (full catalog)" "$R200" "$N200" "$RATIO200" "$(verdict "$RATIO200")"
  printf '%-22s %14s %14s %9sx  %s\n' "304 (If-None-Match)" "$R304" "$N304" "$RATIO304" "$(verdict "$RATIO304")"
  printf '\nfor scale: the registry'"'"'s /healthz (same middleware and headers, no token to verify): %s req/s\n' "$HEALTHZ"
} | tee "$OUT/summary.txt"

if [ "${#INVALID[@]}" -gt 0 ]; then
  printf '\nINVALID runs:\n' >&2
  printf '  %s\n' "${INVALID[@]}" >&2
  exit 1
fi
