// Static assets in workerd: fingerprinted URLs, a year's immutable cache for them (public/_headers,
// which Miniflare applies as Workers static assets do), scripts only where they are used.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { sharedWorker, OPEN, UNKNOWN } from "../harness.mjs";

const YEAR_IMMUTABLE = "public, max-age=31536000, immutable";

const w = sharedWorker();

/** The version build.rs derives from the files' content, computed here from the files as they are now. */
function contentVersion() {
  const hash = createHash("sha256");
  for (const path of ["public/style.css", "public/apply.js"]) {
    hash.update(path);
    hash.update(Buffer.from([0]));
    hash.update(readFileSync(path));
  }
  return hash.digest("hex").slice(0, 12);
}

const assetsIn = (html) => ({
  styles: [...html.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((m) => m[1]),
  scripts: [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]),
});

test("pages link the stylesheet and script by their content hash (rebuild after changing them)", async () => {
  const version = contentVersion();
  const form = assetsIn(await (await w.fetch(`/apply/${OPEN}`)).text());
  assert.deepEqual(form, { styles: [`/style.css?v=${version}`], scripts: [`/apply.js?v=${version}`] });
});

test("fingerprinted assets are cached for a year as immutable, with their content", async () => {
  const { styles, scripts } = assetsIn(await (await w.fetch(`/apply/${OPEN}`)).text());
  for (const [url, file, type] of [[styles[0], "public/style.css", /^text\/css/], [scripts[0], "public/apply.js", /javascript/]]) {
    const res = await w.fetch(url);
    assert.equal(res.status, 200, url);
    assert.equal(res.headers.get("cache-control"), YEAR_IMMUTABLE, url);
    assert.match(res.headers.get("content-type"), type);
    assert.equal(await res.text(), readFileSync(file, "utf8"));
  }
});

test("embed.js, linked by landing pages without a version, is cached for minutes only", async () => {
  const res = await w.fetch("/embed.js");
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("cache-control"), "public, max-age=300");
  assert.match(res.headers.get("content-type"), /javascript/);
  await res.arrayBuffer();
});

test("_headers itself is not served", async () => {
  const res = await w.fetch("/_headers");
  assert.equal(res.status, 404);
  assert.doesNotMatch(await res.text(), /Cache-Control/);
});

test("apply.js is only on the pages with the form", async () => {
  for (const path of ["/", `/apply/${UNKNOWN}`, "/nowhere"]) {
    const res = await w.fetch(path);
    assert.deepEqual(assetsIn(await res.text()).scripts, [], path);
  }
  // The form again, answered with its errors.
  const res = await w.postForm(OPEN, { firstName: "", lastName: "", email: "" });
  assert.equal(res.status, 422);
  assert.equal(assetsIn(await res.text()).scripts.length, 1);
});
