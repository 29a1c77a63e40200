// The abuse gates that stand before any KV read or Hireflix call: the per-client limit (IPv4
// address or IPv6 /64), the Origin check with its CORS, and the honeypot.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedWorker, withWorker, ann, awayFromWindowEdge, logLines, OPEN } from "../harness.mjs";

const LANDING = "https://careers.example.com";
const w = sharedWorker({ vars: { ALLOWED_ORIGINS: `${LANDING}, http://127.0.0.1:5500` } });

const gateLines = (outcome) => logLines(w).filter((l) => l.outcome === outcome);


test("twelve addresses of one IPv6 /64 share one limit; another /64 and IPv4 have their own", async () => {
  await withWorker({ rateLimit: 3 }, async (limited) => {
    await awayFromWindowEdge();
    const statuses = [];
    for (let i = 1; i <= 12; i++) {
      const res = await limited.postForm(OPEN, ann({ email: `v6-${i}@example.com` }), {
        headers: { "cf-connecting-ip": `2001:db8:aa:1:${i.toString(16)}::${i}` },
      });
      statuses.push(res.status);
    }
    assert.deepEqual(statuses, [303, 303, 303, 429, 429, 429, 429, 429, 429, 429, 429, 429]);
    assert.equal(limited.inviteRequests().length, 3, "only three invites from the whole /64");
    const neighbour = await limited.postForm(OPEN, ann({ email: "other64@example.com" }), {
      headers: { "cf-connecting-ip": "2001:db8:aa:2::1" },
    });
    assert.equal(neighbour.status, 303, "the next /64 is another client");
  });
});

test("every post counts toward the limit, invalid ones too, and a limited post keeps what was typed", async () => {
  await withWorker({ rateLimit: 2 }, async (limited) => {
    await awayFromWindowEdge();
    const headers = { "cf-connecting-ip": "198.51.100.20" };
    for (let i = 0; i < 2; i++) {
      assert.equal((await limited.postForm(OPEN, ann({ email: "not an email" }), { headers })).status, 422);
    }
    const res = await limited.postForm(OPEN, ann({ email: "real@example.com", firstName: "Zoë" }), { headers });
    assert.equal(res.status, 429);
    assert.equal(res.headers.get("retry-after"), "60");
    const html = await res.text();
    assert.match(html, /value="real@example.com"/);
    assert.match(html, /value="Zoë"/);
    assert.equal(limited.inviteRequests().length, 0);
    assert.ok(logLines(limited).some((l) => l.outcome === "rate_limited"));
  });
});

test("a post from a foreign site is 403 and invites nobody; our own page, an allowed origin and no Origin pass", async () => {
  const foreign = { origin: "https://evil.example" };
  const page = await w.postForm(OPEN, ann({ email: "x1@example.com" }), { headers: foreign });
  assert.equal(page.status, 403);
  assert.match(await page.text(), /<h1>Form not accepted<\/h1>/);
  const api = await w.postJson(OPEN, ann({ email: "x2@example.com" }), { headers: foreign });
  assert.equal(api.status, 403);
  const refusal = await api.json();
  assert.equal(refusal.error, "origin_not_allowed");
  assert.match(refusal.message, /company's own pages/, "in the request's language");
  assert.equal(api.headers.get("access-control-allow-origin"), null, "a foreign page cannot read the answer");
  const opaque = await w.postForm(OPEN, ann({ email: "x3@example.com" }), { headers: { origin: "null" } });
  assert.equal(opaque.status, 403, "an opaque origin is not ours");
  assert.equal(w.inviteRequests().length, 0, "nothing reached Hireflix");
  assert.deepEqual(await w.kvKeys("app:"), [], "nothing was stored");
  assert.ok(gateLines("origin_not_allowed").length >= 3);

  for (const [headers, email] of [
    [{ origin: "http://apply.test" }, "own@example.com"],
    [{ origin: LANDING }, "landing@example.com"],
    [{}, "curl@example.com"],
  ]) {
    assert.equal((await w.postForm(OPEN, ann({ email }), { headers })).status, 303, JSON.stringify(headers));
  }
});

test("the API lets only allowed origins read its answers, echoing the origin with Vary: Origin", async () => {
  const ok = await w.postJson(OPEN, ann({ email: "cors@example.com" }), { headers: { origin: LANDING } });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get("access-control-allow-origin"), LANDING);
  assert.match(ok.headers.get("vary"), /Origin/);

  const preflight = await w.fetch(`/api/apply/${OPEN}`, {
    method: "OPTIONS",
    headers: { origin: "http://127.0.0.1:5500", "access-control-request-method": "POST" },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get("access-control-allow-origin"), "http://127.0.0.1:5500");
  assert.match(preflight.headers.get("access-control-allow-headers"), /cf-turnstile-response/);

  const refused = await w.fetch(`/api/apply/${OPEN}`, {
    method: "OPTIONS",
    headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
  });
  assert.equal(refused.headers.get("access-control-allow-origin"), null);
  assert.match(refused.headers.get("vary"), /Origin/);
});

test("the served form has a honeypot people never see or reach", async () => {
  const html = await (await w.fetch(`/apply/${OPEN}`)).text();
  const trap = html.match(/<div class="hp" aria-hidden="true">(.*?)<\/div>/s);
  assert.ok(trap, "the trap is hidden from assistive technology");
  assert.match(trap[1], /<input id="website" name="website" type="text" tabindex="-1" autocomplete="off">/);
  const css = await (await w.fetch("/style.css")).text();
  assert.match(css, /\.hp\{position:absolute;left:-10000px/, "and off-screen");
});

test("a filled honeypot hears exactly what a queued application hears; nothing is invited or stored", async () => {
  // The real thing first: Hireflix down, so the application is queued.
  w.standIn.addFault("http500", 2);
  const real = await w.postForm(OPEN, ann({ email: "real-queued@example.com" }));
  assert.equal(real.status, 202);
  const realHtml = await real.text();
  await w.until(() => w.interviewsFor(OPEN, "real-queued@example.com").length === 1, 15000, "the queued invite");
  w.standIn.reset();
  for (const name of await w.kvKeys("app:")) await w.kv.delete(name);

  const bot = await w.postForm(OPEN, { ...ann({ email: "bot@example.com" }), website: "https://spam.example" });
  assert.equal(bot.status, 202);
  // Byte for byte, but for the address each page shows back.
  assert.equal((await bot.text()).replace("bot@example.com", "real-queued@example.com"), realHtml, "the same page");
  assert.deepEqual(
    [...bot.headers.entries()].map(([k]) => k).sort(),
    [...real.headers.entries()].map(([k]) => k).sort(),
    "the same headers",
  );
  const botJson = await w.postJson(OPEN, { ...ann({ email: "bot2@example.com" }), website: "x" });
  assert.equal(botJson.status, 202);
  const botBody = await botJson.json();
  assert.equal(botBody.status, "queued");
  assert.deepEqual(Object.keys(botBody).sort(), ["message", "status"], "nothing more than a queued answer");

  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(w.inviteRequests().length, 0, "no invite, now or from the queue");
  assert.deepEqual(await w.kvKeys("app:"), [], "no KV record");
  assert.equal(gateLines("honeypot").length, 2);
});
