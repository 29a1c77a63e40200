#!/usr/bin/env bash
# Builds build/entry.mjs, build/index.js and build/index_bg.wasm as the project's scripts/lib.sh
# does (its pinned worker-build, wasm-bindgen, esbuild and wasm-opt; names stripped after).
set -euo pipefail
cd "$(dirname "$0")"
P=${PROJECT_NODE_MODULES_FROM:-/work/wt/rpc}  # a project checkout with node_modules installed
export PATH="$HOME/.cache/hireflix-apply/tools/worker-build-0.8.7/bin:$HOME/.cache/hireflix-apply/tools/wasm-bindgen-cli-0.2.130/bin:$PATH"
WASM_BINDGEN_BIN="$(command -v wasm-bindgen)" ESBUILD_BIN="$P/node_modules/@esbuild/linux-x64/bin/esbuild" \
  WASM_OPT_BIN="$P/node_modules/binaryen/bin/wasm-opt" worker-build --release
"$P/node_modules/binaryen/bin/wasm-opt" build/index_bg.wasm -o build/index_bg.wasm \
  --enable-mutable-globals --enable-sign-ext --enable-nontrapping-float-to-int \
  --enable-bulk-memory --enable-multivalue --enable-reference-types --enable-exception-handling \
  --strip-debug --strip-producers
cp entry.mjs entry-jsdo.mjs build/
