#!/usr/bin/env bash
# The test command: everything CI checks, cheapest first. Builds once, in a target directory
# shared with later runs (outside the clone, so a fresh clone reuses it).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/scope-registry-target}"
export INSTA_UPDATE=no # a snapshot that changed fails the run; review it with `cargo insta review`

step() { printf '\n==> %s\n' "$*"; }

step "rustfmt"
cargo fmt --all --check

step "clippy (-D warnings), the browser bundle's code included"
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo clippy -p scope-registry-frontend --target wasm32-unknown-unknown --features hydrate --locked -- -D warnings

step "scope-lint library for wasm32-unknown-unknown"
cargo build -p scope-lint --lib --no-default-features --target wasm32-unknown-unknown --locked

step "web UI browser bundle (frontend for wasm32 + wasm-bindgen; scripts/build-ui.sh)"
scripts/build-ui.sh

step "fuzz targets type-check (running them: scope-lint/fuzz/README.md)"
cargo check --manifest-path scope-lint/fuzz/Cargo.toml --locked

step "Prometheus alert rules (ops/prometheus)"
promtool check rules ops/prometheus/alerts.yml
promtool test rules ops/prometheus/alerts.test.yml

step "node packages of the test suite's OpenID provider (tests/oidc) and browser tests (tests/browser: axe-core)"
npm ci --prefix tests/oidc --no-audit --no-fund --loglevel=error
npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error

step "build (the black-box tests run the binaries)"
cargo build --workspace --locked

step "tests (SQLite, and PostgreSQL on a throwaway cluster)"
scripts/with-postgres.sh cargo test --workspace --locked --no-fail-fast
