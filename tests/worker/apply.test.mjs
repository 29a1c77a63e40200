// The candidate's path end to end, in workerd, against the Hireflix stand-in.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { request as httpRequest } from "node:http";
import { sharedWorker, withWorker, ann, awayFromWindowEdge, logLines, APP_SECRET, OPEN, OPEN_2, ARCHIVED, UNKNOWN } from "../harness.mjs";

const w = sharedWorker();

test("the home page lists only open positions, each linking to its form", async () => {
  const res = await w.fetch("/");
  assert.equal(res.status, 200);
  const html = await res.text();
  // Each link keeps the page's language, so a language chosen here stays chosen.
  assert.match(html, new RegExp(`<a href="/apply/${OPEN}\\?lang=en">Senior Rust Engineer</a>`));
  assert.match(html, new RegExp(`<a href="/apply/${OPEN_2}\\?lang=en">Customer Success Manager</a>`));
  assert.doesNotMatch(html, /Office Manager/);
  assert.doesNotMatch(html, new RegExp(ARCHIVED));
});

test("the position list is cached: page views do not call Hireflix each time", async () => {
  await withWorker({}, async (fresh) => {
    for (let i = 0; i < 3; i++) assert.equal((await fresh.fetch(`/apply/${OPEN}`)).status, 200);
    assert.equal((await fresh.fetch("/")).status, 200);
    assert.equal((await fresh.postForm(OPEN, ann())).status, 303);
    const positionCalls = fresh.standIn.requests.filter((r) => r.query.includes("positions"));
    assert.equal(positionCalls.length, 1);
    assert.ok(await fresh.kv.get("positions:v2"), "shared with other isolates through KV");
  });
});

test("the form shows the position and prefills from Hireflix's public-link parameters, escaped", async () => {
  const query = new URLSearchParams({
    firstName: "Ann",
    lastName: '"><script>alert(1)</script>',
    email: "ann@example.com",
    phoneNumber: "+44 20 7946 0958",
  });
  const res = await w.fetch(`/apply/${OPEN}?${query}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("cache-control"), "no-store");
  const html = await res.text();
  assert.match(html, /<h1>Senior Rust Engineer<\/h1>/);
  assert.match(html, /name="firstName" type="text" value="Ann"/);
  assert.match(html, /name="email" type="email" value="ann@example.com"/);
  assert.match(html, /name="phoneNumber" type="tel" value="\+44 20 7946 0958"/);
  assert.doesNotMatch(html, /<script>alert/);
  assert.match(html, /value="&#34;&#62;&#60;script&#62;alert\(1\)&#60;\/script&#62;"/);
  assert.match(html, new RegExp(`<form method="post" action="/apply/${OPEN}\\?lang=en"`));
});

test("a hand-written prefill link with a bare + still prefills email and phone right", async () => {
  const html = await (await w.fetch(`/apply/${OPEN}?email=mia+jobs@example.com&phoneNumber=+61412345678`)).text();
  assert.match(html, /name="email" type="email" value="mia\+jobs@example.com"/);
  assert.match(html, /name="phoneNumber" type="tel" value="\+61412345678"/);
});

test("a valid application is invited once and redirected (303) to its interview", async () => {
  const res = await w.postForm(OPEN, ann({ firstName: "  Ann ", phoneNumber: "+44 (0)20 7946-0958" }));
  assert.equal(res.status, 303);
  const [interview] = w.interviewsFor(OPEN, "ann.lee@example.com");
  assert.ok(interview, "the stand-in holds the interview");
  assert.equal(res.headers.get("location"), interview.url.public);
  assert.ok(res.headers.get("location").startsWith(w.origin));

  const [call] = w.inviteRequests();
  assert.ok(call.keyOk, "sent with the configured X-API-KEY");
  assert.equal(call.variables.i1.positionId, OPEN);
  assert.match(call.variables.i1.externalId, /^hfa2-[0-9a-f]{64}$/);
  assert.deepEqual(call.variables.i1.candidate, {
    email: "ann.lee@example.com",
    firstName: "Ann",
    lastName: "Lee",
    phone: "+442079460958",
  });
  assert.equal(interview.externalId, call.variables.i1.externalId);
});

test("a resubmission with other case and spaces comes from KV: same interview, no second call", async () => {
  const first = await w.postForm(OPEN, ann());
  await w.untilRemembered(OPEN);
  const again = await w.postForm(OPEN, ann({ email: "  ANN.Lee@EXAMPLE.com ", firstName: "ann" }));
  assert.equal(again.status, 303);
  assert.equal(again.headers.get("location"), first.headers.get("location"));
  assert.equal(w.inviteRequests().length, 1);
  assert.equal(w.interviewsFor(OPEN, "ann.lee@example.com").length, 1);

  const keys = await w.kvKeys("app:");
  assert.equal(keys.length, 1);
  assert.match(keys[0], new RegExp(`^app:v2:${OPEN}:[0-9a-f]{64}$`));
  const value = await w.kv.get(keys[0]);
  const record = JSON.parse(value);
  assert.equal(record.state, "invited");
  assert.equal(record.url, first.headers.get("location"));
  assert.match(record.who, /^[0-9a-f]{16}$/, "names only as a hash");
  assert.doesNotMatch(value, /ann|lee|@/i);
});

test("KV keys, log tags and the externalId are keyed with APP_SECRET: an email alone cannot be matched to them", async () => {
  const email = "ann.lee@example.com";
  assert.equal((await w.postForm(OPEN, ann())).status, 303);
  await w.untilRemembered(OPEN);
  // What anyone holding the address could compute (version 1: a plain SHA-256) ...
  const plain = createHash("sha256").update(`hireflix-apply/v1\0${OPEN}\0${email}`).digest("hex");
  // ... and what only the secret's holder can.
  const keyed = createHmac("sha256", APP_SECRET).update(`hireflix-apply/candidate/v2\0${OPEN}\0${email}\0`).digest("hex");
  const [key] = await w.kvKeys("app:");
  assert.equal(key, `app:v2:${OPEN}:${keyed}`);
  const [call] = w.inviteRequests();
  assert.equal(call.variables.i1.externalId, `hfa2-${keyed}`);
  await w.until(() => logLines(w).some((l) => l.outcome === "invited"), 5000, "the log line");
  assert.ok(logLines(w).some((l) => l.outcome === "invited" && l.candidate === keyed.slice(0, 12)));
  for (const seen of [key, call.variables.i1.externalId, w.logs()]) {
    assert.ok(!seen.includes(plain.slice(0, 12)), "nothing is a plain hash of the address");
  }
});

test("knowing someone's email is not enough to get their interview link", async () => {
  const first = await w.postForm(OPEN, ann());
  await w.untilRemembered(OPEN);
  const before = w.standIn.requests.length;
  for (const res of [
    await w.postForm(OPEN, ann({ firstName: "Mallory", lastName: "Smith" })),
    await w.postJson(OPEN, ann({ firstName: "Mallory", lastName: "Smith" })),
  ]) {
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("location"), null);
    const body = await res.text();
    assert.ok(!body.includes(first.headers.get("location")), "no link to someone else's interview");
    assert.match(body, /invited_by_email|emailed you the link/);
  }
  assert.equal(w.standIn.requests.length, before, "answered from KV");
  // Without KV (another isolate, or expired): Hireflix's look-up says whose interview it is.
  for (const name of await w.kvKeys("app:")) await w.kv.delete(name);
  const res = await w.postForm(OPEN, ann({ firstName: "Mallory", lastName: "Smith" }));
  assert.equal(res.status, 200);
  assert.ok(!(await res.text()).includes(first.headers.get("location")));
  assert.equal(w.interviewsFor(OPEN, "ann.lee@example.com").length, 1);
});

test("the same person applying to another position gets a second, separate interview", async () => {
  const a = await w.postForm(OPEN, ann());
  const b = await w.postForm(OPEN_2, ann());
  assert.equal(b.status, 303);
  assert.notEqual(a.headers.get("location"), b.headers.get("location"));
  assert.equal(w.inviteRequests().length, 2);
});

test("a candidate Hireflix already invited (unknown to KV) is sent back to the existing interview", async () => {
  const earlier = w.standIn.invite({ positionId: OPEN, candidate: { email: "Ann.Lee@example.com", firstName: "Ann", lastName: "Lee" } });
  const res = await w.postForm(OPEN, ann());
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), earlier.url.public);
  assert.equal(w.interviewsFor(OPEN, "ann.lee@example.com").length, 1);
  // Remembered: the next visit is a KV hit.
  await w.untilRemembered(OPEN);
  const before = w.standIn.requests.length;
  assert.equal((await w.postForm(OPEN, ann())).headers.get("location"), earlier.url.public);
  assert.equal(w.standIn.requests.length, before);
});

test("invalid input is a 422 with the same form, every value kept and each error by its field", async () => {
  const typed = { firstName: "", lastName: "Lee", email: "ann@", phoneNumber: "020 7946 09" };
  const res = await w.postForm(OPEN, typed);
  assert.equal(res.status, 422);
  const html = await res.text();
  assert.match(html, /<title>Error: Apply: Senior Rust Engineer<\/title>/);
  assert.match(html, /name="lastName" type="text" value="Lee"/);
  assert.match(html, /name="email" type="email" value="ann@"/);
  assert.match(html, /name="phoneNumber" type="tel" value="020 7946 09"/);
  for (const field of ["firstName", "email", "phoneNumber"]) {
    assert.match(html, new RegExp(`<p class="error" id="${field}-error">[^<]+</p>`), field);
    assert.match(html, new RegExp(`id="${field}"[^>]*aria-invalid="true"[^>]*aria-describedby="[^"]*${field}-error"`), field);
  }
  assert.doesNotMatch(html, /id="lastName-error"/);
  assert.match(html, /<a href="#phoneNumber">Phone: [^<]+<\/a>/, "the summary names each field");
  assert.equal(w.inviteRequests().length, 0);
});

test("names are letters of any script, composed as Unicode's NFC, and can carry no link, digit or hidden control", async () => {
  const decomposed = await w.postForm(OPEN, ann({ firstName: "Zoe\u0308", lastName: "Nguye\u0302\u0303n", email: "zoe@example.com" }));
  assert.equal(decomposed.status, 303);
  const [zoe] = w.interviewsFor(OPEN, "zoe@example.com");
  assert.deepEqual([zoe.candidate.firstName, zoe.candidate.lastName], ["Zo\u00eb", "Nguy\u1ec5n"]);
  for (const [firstName, lastName] of [["محمد", "عبد الله"], ["अनुष्का", "शर्मा"], ["王", "小明"], ["Mary Ann", "O\u2019Brien-Smith"], ["J. R.", "Tolkien Jr."]]) {
    const res = await w.postJson(OPEN, ann({ firstName, lastName, email: `n${w.inviteRequests().length}@example.com` }));
    assert.equal(res.status, 200, `${firstName} ${lastName}`);
  }
  const before = w.inviteRequests().length;
  for (const lastName of ["Visit evil.com", "https://evil.example", "Lee 0800 123 456", "Lee\u202eelgoog", "Le\u200be", "Re: your interview", "Lee@evil"]) {
    const page = await w.postForm(OPEN, ann({ lastName }));
    assert.equal(page.status, 422, lastName);
    assert.match(await page.text(), /<p class="error" id="lastName-error">Use only letters, spaces, apostrophes, hyphens, and full stops after initials/);
    const api = await w.postJson(OPEN, ann({ lastName }));
    assert.equal(api.status, 422, lastName);
    assert.match((await api.json()).errors.lastName, /^Use only letters/);
  }
  assert.equal(w.inviteRequests().length, before, "nothing refused reached Hireflix");
});

test("unknown, archived and malformed positions are 404 and never invite", async () => {
  for (const id of [UNKNOWN, ARCHIVED, "not-a-position"]) {
    assert.equal((await w.fetch(`/apply/${id}`)).status, 404, `GET ${id}`);
    assert.equal((await w.postForm(id, ann())).status, 404, `POST ${id}`);
    assert.equal((await w.postJson(id, ann())).status, 404, `API ${id}`);
  }
  assert.equal(w.inviteRequests().length, 0);
  const elsewhere = await w.fetch("/nowhere");
  assert.equal(elsewhere.status, 404);
  assert.match(await elsewhere.text(), /<h1>Page not found<\/h1>/);
});

test("the JSON API answers the same pipeline in JSON, both ways", async () => {
  const ok = await w.postJson(OPEN, ann(), { headers: { origin: "http://apply.test" } });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get("access-control-allow-origin"), "http://apply.test", "its own origin, never *");
  const body = await ok.json();
  assert.equal(body.url, w.interviewsFor(OPEN, "ann.lee@example.com")[0].url.public);
  await w.untilRemembered(OPEN);

  const again = await w.postJson(OPEN, ann({ email: "ANN.LEE@example.com" }));
  assert.equal((await again.json()).url, body.url);
  assert.equal(w.inviteRequests().length, 1);

  const bad = await w.postJson(OPEN, { firstName: "Ann", lastName: "", email: "nope", phoneNumber: "12" });
  assert.equal(bad.status, 422);
  const { errors } = await bad.json();
  assert.deepEqual(Object.keys(errors).sort(), ["email", "lastName", "phoneNumber"]);

  const form = await w.fetch(`/api/apply/${OPEN}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(ann({ email: "bo@example.com" })).toString(),
  });
  assert.equal(form.status, 200, "landing pages may post form-encoded too");

  const preflight = await w.fetch(`/api/apply/${OPEN}`, { method: "OPTIONS" });
  assert.equal(preflight.status, 204);
  assert.match(preflight.headers.get("access-control-allow-headers"), /content-type/);
});

test("wrong media types are 415 and oversized bodies 413, for the form and the API", async () => {
  const text = { method: "POST", headers: { "content-type": "text/plain" }, body: "firstName=Ann" };
  assert.equal((await w.fetch(`/apply/${OPEN}`, text)).status, 415);
  assert.equal((await w.fetch(`/api/apply/${OPEN}`, text)).status, 415);
  const huge = { ...ann(), lastName: "x".repeat(20000) };
  assert.equal((await w.postForm(OPEN, huge)).status, 413);
  assert.equal((await w.postJson(OPEN, huge)).status, 413);
  assert.equal(w.inviteRequests().length, 0);
});

let socketClient = 0;
/** POSTs `body` over a real socket; `chunked` sends it in pieces with no Content-Length. */
function postOverSocket(url, body, { chunked }) {
  return new Promise((resolve, reject) => {
    // Each from its own client address, so the per-client gates stay out of the way.
    const headers = { "content-type": "application/x-www-form-urlencoded", "cf-connecting-ip": `198.51.100.${++socketClient}` };
    if (!chunked) headers["content-length"] = String(Buffer.byteLength(body));
    const req = httpRequest(url, { method: "POST", headers }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode, location: res.headers.location }));
    });
    // A server may answer 413 and close before the whole upload is sent.
    req.on("error", (err) => (err.code === "ECONNRESET" || err.code === "EPIPE" ? resolve({ status: "reset" }) : reject(err)));
    if (chunked) {
      for (let i = 0; i < body.length; i += 4096) req.write(body.slice(i, i + 4096));
      req.end();
    } else {
      req.end(body);
    }
  });
}

test("over a real connection, declared-length and chunked forms get the same answers and the size cap", async () => {
  // dispatchFetch sends no Content-Length; browsers do, and such a body is read in one piece,
  // while a chunked upload is read through the capped reader. Both must answer alike.
  await withWorker({ http: true }, async (live) => {
    const url = new URL(`/apply/${OPEN}`, live.url);
    const form = (fields) => new URLSearchParams(fields).toString();
    const declared = await postOverSocket(url, form(ann({ email: "declared@example.com" })), { chunked: false });
    assert.equal(declared.status, 303);
    assert.equal(declared.location, live.interviewsFor(OPEN, "declared@example.com")[0].url.public);
    const chunked = await postOverSocket(url, form(ann({ email: "chunked@example.com" })), { chunked: true });
    assert.equal(chunked.status, 303);
    assert.equal(chunked.location, live.interviewsFor(OPEN, "chunked@example.com")[0].url.public);

    const huge = form({ ...ann({ email: "big@example.com" }), lastName: "x".repeat(20000) });
    assert.equal((await postOverSocket(url, huge, { chunked: false })).status, 413);
    assert.equal((await postOverSocket(url, huge, { chunked: true })).status, 413);
    assert.equal(live.inviteRequests().length, 2, "no invite for either oversized body");
  });
});

test("a Hireflix link on a foreign host is an upstream error, never a redirect", async () => {
  w.standIn.addFault("foreignUrl");
  const res = await w.postForm(OPEN, ann());
  assert.equal(res.status, 502);
  assert.equal(res.headers.get("location"), null);
  const html = await res.text();
  assert.doesNotMatch(html, /evil\.example/);
  assert.match(html, /emailed you the link/, "the interview exists: the candidate is told where to find it");
  assert.match(html, /no need to apply again/);
  assert.doesNotMatch(html, /<form|<button/, "no resubmit that could only fail again");
  assert.deepEqual(await w.kvKeys("app:"), []);
});

test("Hireflix's own validation errors come back on the form's fields, values kept", async () => {
  w.standIn.addFault("validationError");
  const res = await w.postForm(OPEN, ann({ phoneNumber: "+44 20 0000 0000" }));
  assert.equal(res.status, 422);
  const html = await res.text();
  assert.match(html, /<p class="error" id="phoneNumber-error">This phone number is not valid for its country<\/p>/);
  assert.match(html, /value="\+44 20 0000 0000"/);
  w.standIn.addFault("validationError");
  const api = await w.postJson(OPEN, ann({ email: "other@example.com" }));
  assert.equal(api.status, 422);
  assert.deepEqual((await api.json()).errors, { phoneNumber: "This phone number is not valid for its country" });
  assert.deepEqual(await w.kvKeys("app:"), [], "nothing queued or remembered");
});

test("embedded in a landing page's iframe, the form opens the interview in the top window", async () => {
  const html = await (await w.fetch(`/apply/${OPEN}`)).text();
  assert.match(html, /<form method="post"[^>]* target="_top"/);
});

test("static assets are served from public/", async () => {
  const css = await w.fetch("/style.css");
  assert.equal(css.status, 200);
  assert.match(await css.text(), /button/);
  assert.equal((await w.fetch("/apply.js")).status, 200);
});

test("/healthz is 200 when configured, and warns about a missing company name, privacy notice, contact and Turnstile", async () => {
  const res = await w.health();
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.status, "ok");
  assert.deepEqual(body.warnings.map((w) => w.split(" ")[0]), ["BRAND_NAME", "PRIVACY_URL", "CONTACT_EMAIL", "TURNSTILE_SITE_KEY"]);
  await withWorker({ turnstile: true, vars: { BRAND_NAME: "Example Ltd", PRIVACY_URL: "https://example.com/privacy", CONTACT_EMAIL: "jobs@example.com" } }, async (complete) => {
    assert.deepEqual(await (await complete.health()).json(), { status: "ok" });
  });
});

test("too many applications from one address are 429, with the form and its values kept", async () => {
  await withWorker({ rateLimit: 2 }, async (limited) => {
    await awayFromWindowEdge();
    const headers = { "cf-connecting-ip": "198.51.100.7" };
    for (let i = 0; i < 2; i++) {
      const res = await limited.postForm(OPEN, ann({ email: `c${i}@example.com` }), { headers });
      assert.equal(res.status, 303);
    }
    const res = await limited.postForm(OPEN, ann({ email: "third@example.com" }), { headers });
    assert.equal(res.status, 429);
    assert.equal(res.headers.get("retry-after"), "60");
    assert.match(await res.text(), /value="third@example.com"/);
    assert.equal((await limited.postJson(OPEN, ann(), { headers })).status, 429);
    assert.equal((await limited.postForm(OPEN, ann(), { headers: { "cf-connecting-ip": "198.51.100.8" } })).status, 303);
  });
});

test("without the API key every application page is 503, an unknown path still 404, and /healthz says what is missing, not its value", async () => {
  await withWorker({ vars: { HIREFLIX_API_KEY: "", HIREFLIX_API_URL: "not a url" } }, async (broken) => {
    const health = await broken.health();
    assert.equal(health.status, 503);
    const { problems } = await health.json();
    assert.ok(problems.some((p) => p.includes("HIREFLIX_API_KEY")));
    assert.ok(problems.some((p) => p.includes("HIREFLIX_API_URL")));
    assert.equal((await broken.fetch(`/apply/${OPEN}`)).status, 503);
    assert.equal((await broken.postJson(OPEN, ann())).status, 503);
    const nowhere = await broken.fetch("/no/such/page");
    assert.equal(nowhere.status, 404, "a missing page is not an outage");
    assert.match(await nowhere.text(), /<h1>Page not found<\/h1>/);
    assert.equal(broken.standIn.requests.length, 0);
  });
});

test("ALLOWED_POSITIONS narrows the list and the forms", async () => {
  await withWorker({ vars: { ALLOWED_POSITIONS: OPEN_2 } }, async (narrowed) => {
    const html = await (await narrowed.fetch("/")).text();
    assert.match(html, /Customer Success Manager/);
    assert.doesNotMatch(html, /Senior Rust Engineer/);
    assert.equal((await narrowed.fetch(`/apply/${OPEN}`)).status, 404);
    assert.equal((await narrowed.postForm(OPEN, ann())).status, 404);
    assert.equal((await narrowed.postForm(OPEN_2, ann())).status, 303);
  });
});
