# Shared by scripts/build, scripts/dev, scripts/test and bench/run: installs what the project
# needs on a fresh machine (idempotent; about a second once done) and builds the worker.
# Sourced, not run.

set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

WORKER_BUILD_VERSION="0.8.7"
# Cargo tools live outside the clone, one folder per version, so a fresh clone on a machine
# that has them reuses them and a version bump installs the new one beside the old.
TOOLS="${HIREFLIX_APPLY_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/hireflix-apply/tools}"
export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false

# A phase's name, with the seconds since the script started (CI logs show where time goes).
say() { printf '\033[1m== %s\033[0m (%d s)\n' "$*" "$SECONDS" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# The wasm-bindgen CLI must be exactly the version of the crate in Cargo.lock.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}
PATH="$TOOLS/worker-build-$WORKER_BUILD_VERSION/bin:$TOOLS/wasm-bindgen-cli-$(wasm_bindgen_version)/bin:$PATH"
export PATH

# Optimised less than cargo's release default (3), which costs CPU-minutes on a new machine:
# worker-build at opt-level 0 (2.1 CPU-minutes to compile, against 4.6 at 1 and 5.8 at 3; it only
# runs cargo, wasm-bindgen, wasm-opt and esbuild and edits a few files), wasm-bindgen at 1 (it
# processes the wasm, still well under a second at that level).
install_cargo_tool() { # crate version binary opt-level [extra cargo install flags]
  local crate=$1 version=$2 bin=$3 opt=$4
  shift 4
  local root="$TOOLS/$crate-$version"
  if [ ! -x "$root/bin/$bin" ]; then
    say "installing $crate $version (once per machine, a few minutes)"
    CARGO_PROFILE_RELEASE_OPT_LEVEL=$opt cargo install --quiet "$crate" --version "$version" --root "$root" "$@"
  fi
}

setup_rust() {
  command -v cargo >/dev/null || { echo "cargo is missing: install Rust with rustup first" >&2; exit 1; }
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

# The two cargo tools, compiled side by side: each is mostly one long chain of crates, so two
# chains keep both cores busy.
setup_tools() {
  setup_rust
  install_cargo_tool worker-build "$WORKER_BUILD_VERSION" worker-build 0 --locked &
  local worker_build=$!
  # Not --locked: its own lock pins a webpki-roots the registry no longer has (tried again
  # 2026-12-02: locked to 1.0.11, the index has up to 1.0.10). Without its
  # default TLS (rustls): only the headless-browser runner fetches, from a local WebDriver, and
  # the tests run in Node (2.8 CPU-minutes to compile instead of about 3.5).
  install_cargo_tool wasm-bindgen-cli "$(wasm_bindgen_version)" wasm-bindgen 1 --no-default-features &
  local failed=0
  wait $! || failed=1
  wait "$worker_build" || failed=1
  [ "$failed" = 0 ] || { echo "installing the cargo tools failed" >&2; exit 1; }
}

setup_build() {
  setup_tools
  setup_npm
}

# The npm packages alone (wrangler, graphql, ...), for the operator scripts that build nothing.
setup_npm() {
  command -v npm >/dev/null || { echo "npm is missing: install Node.js 20 or later first" >&2; exit 1; }
  # npm writes node_modules/.package-lock.json on every install: newer than the lock file means
  # the installed packages are the locked ones (a plain `npm ci` by hand counts too).
  if [ ! node_modules/.package-lock.json -nt package-lock.json ]; then
    say "installing npm packages (npm ci)"
    npm ci --no-audit --no-fund
  fi
}

setup_browser() {
  if ! command -v chromium >/dev/null; then
    say "installing Chromium (Debian package)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
}

# The esbuild npm installed for this platform (package-lock.json pins it); without it, a clear
# stop: worker-build would download one unverified.
pinned_esbuild() {
  local bin="$ROOT/node_modules/@esbuild/$(node -p 'process.platform + "-" + process.arch')/bin/esbuild"
  [ -x "$bin" ] || { echo "no npm-pinned esbuild for this platform at $bin: run npm ci (worker-build would download an unverified one)" >&2; exit 1; }
  echo "$bin"
}

# The release wasm's own target directory: its build holds no lock the test builds wait on, so
# scripts/test runs them side by side.
WORKER_TARGET="${CARGO_TARGET_DIR:-$ROOT/target}/worker"

# worker-build's own first step, with its command and environment (0.8.7, src/build/target.rs):
# scripts/test runs it while the cargo tools are still being installed, and worker-build then
# finds the wasm compiled. (Should a new worker-build compile differently, it compiles again.)
compile_worker() {
  say "compiling the worker (release wasm)"
  WASM_BINDGEN_USE_JS_SYS=1 CARGO_TARGET_DIR="$WORKER_TARGET" \
    cargo build --quiet --lib --release --target wasm32-unknown-unknown
}

# worker-build would download wasm-bindgen, wasm-opt and esbuild; hand it the pinned ones.
build_worker() {
  say "building the worker (release wasm)"
  local esbuild
  esbuild="$(pinned_esbuild)"
  CARGO_TARGET_DIR="$WORKER_TARGET" \
    WASM_BINDGEN_BIN="$(command -v wasm-bindgen)" \
    ESBUILD_BIN="$esbuild" \
    WASM_OPT_BIN="$ROOT/node_modules/binaryen/bin/wasm-opt" \
    worker-build --release
  # worker-build keeps the wasm's name section (its wasm-opt runs with --debuginfo). Names only
  # label a panic's stack trace, and this worker must not panic; binaryen writes no names
  # unless asked (-g), so this second pass drops them: 388,025 -> 333,120 bytes gzip -9,
  # which every cold start compiles. (`--strip-debug` changed no byte here: not given.)
  # The feature list is worker-build's own: --all-features would let binaryen use encodings
  # workerd cannot load yet.
  "$ROOT/node_modules/binaryen/bin/wasm-opt" build/index_bg.wasm -o build/index_bg.wasm \
    --enable-mutable-globals --enable-sign-ext --enable-nontrapping-float-to-int \
    --enable-bulk-memory --enable-multivalue --enable-reference-types --enable-exception-handling \
    --strip-producers
  # The main module (wrangler.toml `main`) imports worker-build's output beside it.
  cp src/entry.mjs build/entry.mjs
}
