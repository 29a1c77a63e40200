// Size budgets: a size is deterministic, so it can be asserted (speed is measured in bench/,
// never asserted). Workers Free allows 3 MB gzip; every kilobyte also costs cold start.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { gzipSync, brotliCompressSync } from "node:zlib";
import { withWorker, OPEN } from "../harness.mjs";

// What the build reaches with about 1.4 KB to spare (338,546 B on 2026-12-03). Each step's cost
// is in its commit; the largest were issue 17's surge objects (+37 KB) and serde-derived object
// protocols (issue 16: simplicity over ~16 KB). Cold start: docs/performance.md.
const BUDGET_GZIP_BYTES = 332 * 1024;

test(`build/index_bg.wasm stays under ${BUDGET_GZIP_BYTES / 1024} KiB gzip`, () => {
  const wasm = readFileSync("build/index_bg.wasm");
  const gzip = gzipSync(wasm).length;
  console.log(`index_bg.wasm: ${wasm.length} bytes raw, ${gzip} bytes gzip (budget ${BUDGET_GZIP_BYTES})`);
  assert.ok(gzip < BUDGET_GZIP_BYTES, `${gzip} bytes gzip is over the ${BUDGET_GZIP_BYTES}-byte budget`);
});

// The first view of the form fits the first round trip: at most 14 KB of HTML and CSS as the
// edge sends them (gzip level 6 here; Cloudflare's brotli is smaller still), plus at most
// 5 KB of our JavaScript. Measured from the pages the built worker serves, with what they link.
test("first view of the form: HTML+CSS at most 14 KB compressed, our JS at most 5 KB", async () => {
  await withWorker({}, async (w) => {
    const get = async (path) => {
      const res = await w.fetch(path);
      assert.equal(res.status, 200, path);
      return Buffer.from(await res.arrayBuffer());
    };
    const html = await get(`/apply/${OPEN}?firstName=Ann&email=ann%40example.com`);
    const text = html.toString("utf8");
    const links = (re) => [...text.matchAll(re)].map((m) => m[1]);
    const css = await Promise.all(links(/<link rel="stylesheet" href="([^"]+)"/g).map(get));
    const js = await Promise.all(links(/<script\b[^>]*\bsrc="([^"]+)"/g).map(get));
    assert.ok(css.length >= 1 && js.length >= 1, "the form links its stylesheet and script");
    const sizes = (bufs) => ({
      raw: bufs.reduce((n, b) => n + b.length, 0),
      gzip: bufs.reduce((n, b) => n + gzipSync(b, { level: 6 }).length, 0),
      brotli: bufs.reduce((n, b) => n + brotliCompressSync(b).length, 0),
    });
    const page = sizes([html, ...css]);
    const script = sizes(js);
    const embed = sizes([await get("/embed.js")]);
    console.log(
      `form, first view: HTML+CSS ${page.raw} B raw, ${page.gzip} B gzip, ${page.brotli} B brotli (budget 14336); ` +
        `JS ${script.raw} B raw, ${script.gzip} B gzip, ${script.brotli} B brotli (budget 5120); ` +
        `embed.js for landing pages ${embed.raw} B raw, ${embed.gzip} B gzip`,
    );
    assert.ok(page.gzip <= 14 * 1024, `HTML+CSS ${page.gzip} B gzip is over 14 KB`);
    assert.ok(script.gzip <= 5 * 1024, `JS ${script.gzip} B gzip is over 5 KB`);
    assert.ok(embed.raw < 2048, `embed.js is ${embed.raw} B, over 2 KB`);
  });
});
