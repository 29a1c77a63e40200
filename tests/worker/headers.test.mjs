// The whole header set of each kind of answer, name by name: a page, a redirect with its link
// pass, a JSON answer, a preflight, a problem in each form. Other files check single headers
// for what they mean; this one catches a header gained, lost or changed by how answers are
// built.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedWorker, withWorker, ann, OPEN } from "../harness.mjs";
import { BRAND, LOGO_ORIGIN } from "../brand.mjs";

const LANDING = "https://careers.example.com";
const HSTS = "max-age=31536000; includeSubDomains";
/** The link pass that comes with an interview link (tests/worker/links.test.mjs checks what it is worth). */
const PASS = new RegExp(`^__Host-hfa_${OPEN}=\\d+\\.[0-9a-f]{16}\\.[0-9a-f]{64}; Path=/; Max-Age=2592000; Secure; HttpOnly; SameSite=Lax$`);
const w = sharedWorker({ vars: { ALLOWED_ORIGINS: LANDING, ...BRAND } });

const https = (path, init) => w.fetch(`https://apply.test${path}`, init);

/** Transport, not the worker's: how the body travels, and Miniflare's own note on its encoding. */
const TRANSPORT = new Set(["content-length", "transfer-encoding", "mf-content-encoding"]);

/** Every header the worker set, as [name, value], in the order the runtime lists them (by name). */
const all = (res) => [...res.headers].filter(([name]) => !TRANSPORT.has(name));

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * A page's CSP, as a pattern: the brand's logo origin and colour hash admitted (HASH stands for
 * the base64 SHA-256 of the brand's style), framing and posting fenced.
 */
function pageCsp({ turnstile = false, origin = w.origin } = {}) {
  const challenges = "https://challenges.cloudflare.com";
  const csp = [
    "default-src 'none'",
    "style-src 'self' 'sha256-HASH'",
    turnstile ? `script-src 'self' ${challenges}` : "script-src 'self'",
    ...(turnstile ? [`frame-src ${challenges}`] : []),
    "connect-src 'self'",
    `img-src 'self' data: ${LOGO_ORIGIN}`,
    "base-uri 'none'",
    `frame-ancestors 'self' ${LANDING}`,
    `form-action 'self' https://hflx.io https://hireflix.com https://*.hireflix.com ${origin}`,
  ].join("; ");
  return new RegExp(`^${escape(csp).replace("HASH", "[A-Za-z0-9+/]{43}=")}$`);
}

/** Compares a header list with an expected one whose values are strings or RegExps. */
function assertHeaders(res, expected, what) {
  const got = all(res);
  assert.deepEqual(got.map(([name]) => name), expected.map(([name]) => name), `${what}: the names`);
  for (const [[name, value], [, want]] of got.map((g, i) => [g, expected[i]])) {
    if (want instanceof RegExp) assert.match(value, want, `${what}: ${name}`);
    else assert.equal(value, want, `${what}: ${name}`);
  }
}

const PAGE = [
  ["cache-control", "no-store"],
  ["content-language", "es"],
  ["content-security-policy", null],
  ["content-type", "text/html; charset=utf-8"],
  ["referrer-policy", "same-origin"],
  ["strict-transport-security", HSTS],
  ["vary", "Accept-Language"],
  ["x-content-type-options", "nosniff"],
];
const withCsp = (list, csp) => list.map(([name, value]) => [name, name === "content-security-policy" ? csp : value]);

test("a page over https: exactly its cache, language, CSP, type, referrer, HSTS and vary headers", async () => {
  const res = await https(`/apply/${OPEN}?lang=es`);
  assert.equal(res.status, 200);
  assertHeaders(res, withCsp(PAGE, pageCsp()), "form");
  const missing = await https("/nowhere?lang=es");
  assert.equal(missing.status, 404);
  assertHeaders(missing, withCsp(PAGE, pageCsp()), "404 page");
});

test("a page over plain http has no HSTS and is otherwise the same", async () => {
  const res = await w.fetch(`/apply/${OPEN}?lang=es`);
  const expected = withCsp(PAGE, pageCsp()).filter(([name]) => name !== "strict-transport-security");
  assertHeaders(res, expected, "form over http");
});

test("a redirect to the interview: location, its link pass, no-store, no-referrer, and nothing a page has", async () => {
  const res = await https(`/apply/${OPEN}?lang=es`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://apply.test", "accept-language": "es" },
    body: new URLSearchParams({ ...ann({ email: "headers-303@example.com" }), consent: "on" }).toString(),
  });
  assert.equal(res.status, 303);
  assertHeaders(res, [
    ["cache-control", "no-store"],
    ["content-language", "es"],
    ["location", /^https?:\/\/\S+$/],
    ["referrer-policy", "no-referrer"],
    ["set-cookie", PASS],
    ["strict-transport-security", HSTS],
    ["vary", "Accept-Language"],
    ["x-content-type-options", "nosniff"],
  ], "303");
});

/** An API answer's headers; `pass` when it gives an interview link (and so the link pass). */
const API = ({ pass = false } = {}) => [
  ["access-control-allow-headers", "content-type, cf-turnstile-response"],
  ["access-control-allow-methods", "POST, OPTIONS"],
  ["access-control-allow-origin", LANDING],
  ["cache-control", "no-store"],
  ["content-language", "es"],
  ["content-type", "application/json"],
  ...(pass ? [["set-cookie", PASS]] : []),
  ["strict-transport-security", HSTS],
  ["vary", "Origin, Accept-Language"],
  ["x-content-type-options", "nosniff"],
];

test("a JSON answer to an allowed landing page: the API and CORS headers, varying by Origin and language", async () => {
  const res = await https(`/api/apply/${OPEN}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: LANDING, "accept-language": "es" },
    body: JSON.stringify({ ...ann({ email: "headers-json@example.com" }), consent: true }),
  });
  assert.equal(res.status, 200);
  assertHeaders(res, API({ pass: true }), "JSON");
  const invalid = await https(`/api/apply/${OPEN}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: LANDING, "accept-language": "es" },
    body: JSON.stringify(ann({ email: "nope" })),
  });
  assert.equal(invalid.status, 422);
  assertHeaders(invalid, API(), "JSON 422");
});

test("a preflight: the API headers and a day's max-age", async () => {
  const res = await https(`/api/apply/${OPEN}`, {
    method: "OPTIONS",
    headers: { origin: LANDING, "accept-language": "es", "access-control-request-method": "POST" },
  });
  assert.equal(res.status, 204);
  const expected = API();
  expected.splice(3, 0, ["access-control-max-age", "86400"]);
  assertHeaders(res, expected, "preflight");
});

test("a problem as JSON: no CORS headers but the API's, and no vary on Origin", async () => {
  const res = await https(`/api/apply/${OPEN}`, { method: "GET", headers: { "accept-language": "es" } });
  assert.equal(res.status, 405);
  assertHeaders(res, [
    ["access-control-allow-headers", "content-type, cf-turnstile-response"],
    ["access-control-allow-methods", "POST, OPTIONS"],
    ["cache-control", "no-store"],
    ["content-language", "es"],
    ["content-type", "application/json"],
    ["strict-transport-security", HSTS],
    ["vary", "Accept-Language"],
    ["x-content-type-options", "nosniff"],
  ], "405 JSON");
});

test("a misconfigured worker's page and JSON say when to come back", async () => {
  await withWorker({ vars: { APP_SECRET: "" } }, async (broken) => {
    const page = await broken.fetch(`/apply/${OPEN}`);
    assert.equal(page.status, 503);
    assert.equal(page.headers.get("retry-after"), "300");
    assert.match(page.headers.get("content-security-policy"), /^default-src 'none'; .*; frame-ancestors 'self'; form-action 'self' /);
    const api = await broken.postJson(OPEN, ann());
    assert.equal(api.status, 503);
    assert.equal(api.headers.get("retry-after"), "300");
    assert.equal(api.headers.get("content-type"), "application/json");
  });
});

test("a form with Turnstile's widget: its CSP admits Cloudflare's script and frame, and nothing else changes", async () => {
  await withWorker({ turnstile: true, vars: { ALLOWED_ORIGINS: LANDING, ...BRAND } }, async (guarded) => {
    const res = await guarded.fetch(`https://apply.test/apply/${OPEN}?lang=es`);
    assert.equal(res.status, 200);
    const csp = pageCsp({ turnstile: true, origin: guarded.origin });
    assertHeaders(res, withCsp(PAGE, csp), "form with Turnstile");
  });
});
