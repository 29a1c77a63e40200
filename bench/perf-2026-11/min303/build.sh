#!/usr/bin/env bash
# Same tools as hireflix-apply's scripts/lib.sh. Usage: build.sh [outdir] [cargo features]
set -euo pipefail
cd "$(dirname "$0")"
P="$(cd ../../.. && pwd)"  # the project: its node_modules has the pinned esbuild and wasm-opt
export PATH="$HOME/.cache/hireflix-apply/tools/worker-build-0.8.7/bin:$HOME/.cache/hireflix-apply/tools/wasm-bindgen-cli-0.2.130/bin:$PATH"
out=${1:-build}
shift || true
WASM_BINDGEN_BIN="$(command -v wasm-bindgen)" ESBUILD_BIN="$P/node_modules/@esbuild/linux-x64/bin/esbuild" \
  WASM_OPT_BIN="$P/node_modules/binaryen/bin/wasm-opt" worker-build --release "$@"
if [ "$out" != build ]; then rm -rf "$out"; mkdir -p "$out"; cp -r build "$out/"; cp wrangler.toml "$out/"; fi
