#!/usr/bin/env bash
# The README's run command: builds the web UI's browser bundle, then runs the registry in demo
# mode (SQLite file ./scope-registry.db, seeded data and personas, loopback only), the UI and the
# API on http://127.0.0.1:8080. Further arguments go to `scope-registry serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/scope-registry-target}"
scripts/build-ui.sh
exec cargo run -p scope-registry-server --locked -- serve --demo "$@"
