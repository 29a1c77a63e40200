// What an outsider can learn or forge: every answer's headers, who may frame the form, where
// its post may lead, how long a dead letter (a whole application) is kept, and what
// Cloudflare's own logs keep.
import { test } from "node:test";
import assert from "node:assert/strict";
import { unstable_readConfig } from "wrangler";
import { sharedWorker, withWorker, ann, OPEN, OPEN_2, ARCHIVED } from "../harness.mjs";

const LANDING = "https://careers.example.com";
const w = sharedWorker({ vars: { ALLOWED_ORIGINS: LANDING } });

/** One answer of every kind the worker and its static assets give. */
async function everyKindOfAnswer() {
  return {
    form: await w.fetch(`/apply/${OPEN}`),
    positions: await w.fetch("/"),
    invalid: await w.postForm(OPEN, ann({ email: "nope" })),
    redirect: await w.postForm(OPEN, ann({ email: "hdr@example.com" })),
    message: await w.postForm(OPEN, ann({ email: "hdr@example.com", firstName: "Other" })),
    json: await w.postJson(OPEN, ann({ email: "hdr2@example.com" })),
    jsonError: await w.postJson(OPEN, ann({ email: "nope" })),
    preflight: await w.fetch(`/api/apply/${OPEN}`, { method: "OPTIONS" }),
    notFound: await w.fetch("/nowhere"),
    health: await w.fetch("/healthz"),
    css: await w.fetch("/style.css"),
    script: await w.fetch("/apply.js"),
    embed: await w.fetch("/embed.js"),
  };
}

test("every answer, JSON, redirect and static file included, is nosniff", async () => {
  const answers = await everyKindOfAnswer();
  assert.equal(answers.redirect.status, 303);
  assert.equal(answers.preflight.status, 204);
  for (const [kind, res] of Object.entries(answers)) {
    assert.equal(res.headers.get("x-content-type-options"), "nosniff", kind);
  }
});

test("HSTS on every answer that came over https, none over plain http", async () => {
  const https = (path, init) => w.fetch(`https://apply.test${path}`, init);
  for (const res of [
    await https(`/apply/${OPEN}`),
    await https("/healthz"),
    await https(`/api/apply/${OPEN}`, { method: "OPTIONS" }),
    await https("/style.css"),
  ]) {
    assert.equal(res.headers.get("strict-transport-security"), "max-age=31536000; includeSubDomains", res.url);
  }
  assert.equal((await w.fetch(`/apply/${OPEN}`)).headers.get("strict-transport-security"), null);
});

test("pages may be framed only by this origin and ALLOWED_ORIGINS, and post only here or to Hireflix", async () => {
  const answers = await everyKindOfAnswer();
  for (const kind of ["form", "positions", "invalid", "message", "notFound"]) {
    const csp = answers[kind].headers.get("content-security-policy");
    assert.match(csp, new RegExp(`; frame-ancestors 'self' ${LANDING}; `), kind);
    assert.match(csp, new RegExp(`form-action 'self' https://hflx\\.io https://hireflix\\.com https://\\*\\.hireflix\\.com ${w.origin}$`), kind);
    assert.match(csp, /^default-src 'none'/, kind);
  }
  await withWorker({}, async (plain) => {
    const csp = (await plain.fetch(`/apply/${OPEN}`)).headers.get("content-security-policy");
    assert.match(csp, /; frame-ancestors 'self'; /, "without ALLOWED_ORIGINS, this origin alone");
  });
});

test("a dead letter, which holds a whole application, expires after DEAD_LETTER_TTL_DAYS", async () => {
  await withWorker({ vars: { DEAD_LETTER_TTL_DAYS: "2", SUBMISSION_TTL_DAYS: "30" } }, async (short) => {
    const dlq = await short.mf.getQueueProducer("INVITE_DLQ");
    const invite = { positionId: OPEN, firstName: "Ann", lastName: "Lee", email: "ann@example.com", phoneNumber: "", attempt: 3, requestId: "r1" };
    const sent = Date.now() / 1000;
    await dlq.send({ invite, reason: "position_not_ready" });
    const [letter] = await short.until(async () => {
      const letters = await short.deadLetters();
      return letters.length && letters;
    }, 15000, "the filed letter");
    const days = (letter.expiresMs / 1000 - sent) / 86400;
    assert.ok(Math.abs(days - 2) < 0.01, `expires in 2 days, not ${days}`);
  });
  // Unset: 30 days.
  const dlq = await w.mf.getQueueProducer("INVITE_DLQ");
  const sent = Date.now() / 1000;
  await dlq.send({ invite: { positionId: OPEN, firstName: "Bo", lastName: "Lee", email: "bo@example.com", attempt: 3, requestId: "r2" }, reason: "position_not_ready" });
  const [letter] = await w.until(async () => {
    const letters = await w.deadLetters();
    return letters.length && letters;
  }, 15000, "the filed letter");
  assert.ok(Math.abs((letter.expiresMs / 1000 - sent) / 86400 - 30) < 0.01);
});

test("Cloudflare's logs keep the worker's own lines but no invocation logs (their URLs hold prefilled emails)", () => {
  const config = unstable_readConfig({ config: "wrangler.toml" });
  assert.equal(config.observability.enabled, true);
  assert.equal(config.observability.logs.enabled, true);
  assert.equal(config.observability.logs.invocation_logs, false);
});

test("a 404 page links only within this site, whatever path was asked for (//host, /\\host)", async () => {
  for (const path of ["//evil.example/x", "/%5Cevil.example/x", "///evil.example"]) {
    const res = await w.fetch(`http://apply.test${path}`);
    assert.equal(res.status, 404, path);
    const hrefs = [...(await res.text()).matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    assert.ok(hrefs.some((h) => h.includes("lang=es")), `${path}: the language switch is there`);
    for (const href of hrefs) {
      assert.doesNotMatch(href, /^(\/\/|\/\\)/, `${path}: ${href}`);
      if (href.includes("evil.example")) assert.match(href, /^\/(%5C)?evil\.example/, `${path}: ${href}`);
    }
  }
});

test("names that would read as a link in Hireflix's emails are refused, real ones of any script kept", async () => {
  for (const [firstName, lastName] of [["www\u{a4f8}evil\u{a4f8}com", "Lee"], ["Ann", "evil\u{a4f8}com\u{2d0}\u{3033}\u{3033}help"], ["Vladimir", "Влaдимир"]]) {
    const res = await w.postForm(OPEN, ann({ firstName, lastName, email: "lookalike@example.com" }));
    assert.equal(res.status, 422, `${firstName} ${lastName}`);
  }
  assert.equal(w.interviewsFor(OPEN, "lookalike@example.com").length, 0);
  for (const [firstName, lastName, email] of [["José María", "O'Brien", "jm@example.com"], ["Zoë", "Saldaña-Núñez", "zs@example.com"], ["小明", "王", "wxm@example.com"]]) {
    assert.equal((await w.postForm(OPEN, ann({ firstName, lastName, email }))).status, 303, `${firstName} ${lastName}`);
  }
});

test("a page names only the positions this form offers: not an archived one, nor one left out of ALLOWED_POSITIONS", async () => {
  await withWorker({ vars: { ALLOWED_POSITIONS: OPEN } }, async (only) => {
    assert.equal((await only.fetch("/")).status, 200); // the account's list, now in the isolate's memory
    const named = async (path) => (await (await only.fetch(path)).text()).match(/Office Manager|Customer Success|Senior Rust/g) ?? [];
    assert.deepEqual(await named(`/apply/${ARCHIVED}/received`), []);
    assert.deepEqual(await named(`/apply/${OPEN_2}/received`), []);
    assert.deepEqual(await named(`/apply/${OPEN}/received`), ["Senior Rust"], "an offered one is named");
  });
});
