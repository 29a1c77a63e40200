// The wasm size budget: a size is deterministic, so it can be asserted (speed is measured in
// bench/, never asserted). Workers Free allows 3 MB gzip; every kilobyte also costs cold start.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const BUDGET_GZIP_BYTES = 250 * 1024;

test("build/index_bg.wasm stays under 250 KB gzip", () => {
  const wasm = readFileSync("build/index_bg.wasm");
  const gzip = gzipSync(wasm).length;
  console.log(`index_bg.wasm: ${wasm.length} bytes raw, ${gzip} bytes gzip (budget ${BUDGET_GZIP_BYTES})`);
  assert.ok(gzip < BUDGET_GZIP_BYTES, `${gzip} bytes gzip is over the ${BUDGET_GZIP_BYTES}-byte budget`);
});
