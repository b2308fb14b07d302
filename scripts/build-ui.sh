#!/usr/bin/env bash
# Builds the web UI's browser bundle into $CARGO_TARGET_DIR/site/pkg, where `scope-registry
# serve` finds it (or set SCOPE_REGISTRY_UI_ASSETS_DIR): the frontend crate for wasm32 with the
# `hydrate` feature, wasm-bindgen (the version Cargo.lock pins; installed from crates.io once),
# and the stylesheet. Works offline once the crates are fetched; downloads no binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/scope-registry-target}"
export PATH="$HOME/.cargo/bin:$PATH"

version=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $version"; then
    echo "build-ui: installing wasm-bindgen-cli $version (once, a few minutes)" >&2
    cargo install wasm-bindgen-cli --version "$version"
fi
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true

cargo rustc -p scope-registry-frontend --lib --crate-type cdylib --locked \
    --target wasm32-unknown-unknown --features hydrate --profile wasm-release

out="$CARGO_TARGET_DIR/site/pkg"
mkdir -p "$out"
wasm-bindgen --target web --remove-name-section --no-typescript \
    --out-dir "$out" --out-name scope_registry_frontend \
    "$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-release/scope_registry_frontend.wasm"
cp frontend/style/main.css "$out/style.css"

wasm="$out/scope_registry_frontend_bg.wasm"
printf 'build-ui: %s (%s bytes, %s bytes gzip)\n' "$out" "$(stat -c %s "$wasm")" "$(gzip -9 -c "$wasm" | wc -c)" >&2
