// Turnstile on the form and the JSON API, in workerd, against the local siteverify stand-in:
// only a token solved for this form (action `apply`, this position, this host) and never
// used before lets an application through; anything else is a 422 with every value kept, a
// siteverify that cannot answer is a 503, and in neither case is anyone invited.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedWorker, withWorker, ann, OPEN, OPEN_2 } from "../harness.mjs";
import { SECRETS, SITEKEYS } from "../stand-ins/turnstile.mjs";

const FIELD = "cf-turnstile-response";
const HOST = "apply.test"; // the host harness requests are made to
const CHALLENGES = "https://challenges.cloudflare.com";

// Its check of the logs includes the Turnstile secret (SECRETS.pass): never logged.
const w = sharedWorker({ turnstile: true });

/** A token as the widget on this worker's form for `position` would get it. */
const mint = (over = {}) => w.turnstile.mint({ hostname: HOST, action: "apply", cdata: OPEN, ...over }).token;

/** Every value the candidate typed is back in the form. */
function assertKept(html, typed) {
  assert.match(html, new RegExp(`name="firstName" type="text" value="${typed.firstName}"`));
  assert.match(html, new RegExp(`name="lastName" type="text" value="${typed.lastName}"`));
  assert.match(html, new RegExp(`name="email" type="email" value="${typed.email}"`));
  assert.match(html, new RegExp(`name="phoneNumber" type="tel" value="${typed.phoneNumber.replace("+", "\\+")}"`));
}

/** The human check's error, shown at the widget and in the error summary; returns its text. */
function humanCheckError(html) {
  const at = html.match(/<p class="error" id="human-check-error">([^<]+)<\/p>/);
  assert.ok(at, "the error is shown at the widget");
  const summary = html.match(/<div class="error-summary"[\s\S]*?<\/div>/);
  assert.ok(summary, "the page has an error summary");
  assert.match(summary[0], new RegExp(`<a href="#human-check">[^<]*${at[1].replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}</a>`));
  return at[1];
}

/** A widget to solve again: exactly one, for this form, and no token from before. */
function assertFreshWidget(html, used) {
  assert.equal(html.match(/class="cf-turnstile"/g)?.length, 1, "one widget");
  assert.match(html, new RegExp(`data-sitekey="${SITEKEYS.pass}" data-action="apply" data-cdata="${OPEN}"`));
  if (used) assert.ok(!html.includes(used), "the spent token is not handed back");
}

/** Nothing reached Hireflix or KV, even once the queue had time to deliver (its batches wait 1 s). */
async function assertNobodyInvited() {
  await new Promise((r) => setTimeout(r, 1300));
  assert.equal(w.inviteRequests().length, 0, "no invite");
  assert.deepEqual(await w.kvKeys(`app:v2:${OPEN}:`), [], "nothing stored");
}

test("with Turnstile on, the form renders the widget for this position and its CSP admits Cloudflare's origin", async () => {
  const res = await w.fetch(`/apply/${OPEN}`);
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /<script src="https:\/\/challenges\.cloudflare\.com\/turnstile\/v0\/api\.js" async defer><\/script>/);
  assertFreshWidget(html);
  assert.match(html, /data-refresh-expired="auto"/, "an expired token is refreshed by itself");
  assert.match(html, /<noscript>[\s\S]*JavaScript[\s\S]*<\/noscript>/);
  const csp = res.headers.get("content-security-policy");
  assert.match(csp, new RegExp(`script-src [^;]*${CHALLENGES}`));
  assert.match(csp, new RegExp(`frame-src [^;]*${CHALLENGES}`));
  assert.ok(!html.includes(SECRETS.pass), "the secret never reaches the page");
});

test("a valid token: 303 to the interview, one invite, siteverify asked with secret, token, remoteip and an idempotency_key", async () => {
  const token = mint();
  const res = await w.postForm(OPEN, { ...ann(), [FIELD]: token }, { headers: { "cf-connecting-ip": "203.0.113.77" } });
  assert.equal(res.status, 303);
  const [interview] = w.interviewsFor(OPEN, "ann.lee@example.com");
  assert.equal(res.headers.get("location"), interview.url.public);
  assert.equal(w.inviteRequests().length, 1);
  const [call] = w.turnstile.requests;
  assert.equal(w.turnstile.requests.length, 1);
  assert.equal(call.secret, SECRETS.pass);
  assert.equal(call.response, token);
  assert.equal(call.remoteip, "203.0.113.77");
  assert.match(call.idempotency_key, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(call.answer.success, true);
});

test("no token: 422, every value kept, the error at the widget and in the summary, a widget to solve", async () => {
  const typed = ann();
  const res = await w.postForm(OPEN, typed);
  assert.equal(res.status, 422);
  assert.match(res.headers.get("content-security-policy"), new RegExp(`frame-src [^;]*${CHALLENGES}`));
  const html = await res.text();
  assertKept(html, typed);
  assert.match(humanCheckError(html), /\S/);
  assertFreshWidget(html);
  // An empty field is the same as none.
  const blank = await w.postForm(OPEN, { ...typed, [FIELD]: "  " });
  assert.equal(blank.status, 422);
  humanCheckError(await blank.text());
  await assertNobodyInvited();
});

test("refused tokens: a fault, a failing sitekey's token, one never issued, and the 2x secret: 422, values kept, no invite", async () => {
  const typed = ann({ firstName: "Refused", email: "refused@example.com" });
  const tokens = [];
  w.turnstile.addFault("refuse");
  tokens.push(mint());
  tokens.push(mint({ sitekey: SITEKEYS.fail }));
  tokens.push("0.a-token-nobody-issued");
  const messages = new Set();
  for (const token of tokens) {
    const res = await w.postForm(OPEN, { ...typed, [FIELD]: token });
    assert.equal(res.status, 422, token);
    const html = await res.text();
    assertKept(html, typed);
    messages.add(humanCheckError(html));
    assertFreshWidget(html, token);
  }
  assert.deepEqual(
    w.turnstile.requests.map((r) => r.answer["error-codes"]),
    [["invalid-input-response"], ["invalid-input-response"], ["invalid-input-response"]],
  );
  assert.equal(messages.size, 1, "one plain message for every refusal");

  await withWorker({ turnstile: true, vars: { TURNSTILE_SECRET_KEY: SECRETS.fail } }, async (failing) => {
    const good = failing.turnstile.mint({ hostname: HOST, action: "apply", cdata: OPEN }).token;
    const res = await failing.postForm(OPEN, { ...typed, [FIELD]: good });
    assert.equal(res.status, 422);
    const html = await res.text();
    assertKept(html, typed);
    humanCheckError(html);
    assert.equal(failing.turnstile.requests[0].secret, SECRETS.fail);
    await new Promise((r) => setTimeout(r, 1300));
    assert.equal(failing.inviteRequests().length, 0);
  });
  await assertNobodyInvited();
});

test("a token is good for one application: the same token again is a 422 and no second invite", async () => {
  const token = mint();
  assert.equal((await w.postForm(OPEN, { ...ann(), [FIELD]: token })).status, 303);
  const other = ann({ firstName: "Bot", lastName: "Replay", email: "bot.replay@example.com" });
  const again = await w.postForm(OPEN, { ...other, [FIELD]: token });
  assert.equal(again.status, 422, "a solved check cannot be replayed for another application");
  const html = await again.text();
  assertKept(html, other);
  humanCheckError(html);
  await new Promise((r) => setTimeout(r, 1300));
  assert.equal(w.inviteRequests().length, 1, "only the first application was invited");
  assert.equal(w.interviewsFor(OPEN, other.email).length, 0);
});

test("a token solved for another action, position or site: 422, values kept, no invite", async () => {
  const typed = ann({ firstName: "Mismatch" });
  const cases = {
    action: mint({ action: "login" }),
    cdata: mint({ cdata: OPEN_2 }),
    "no cdata": mint({ cdata: "" }),
    hostname: mint({ hostname: "evil.example" }),
    "hostname of a subdomain": mint({ hostname: `x.${HOST}` }),
  };
  for (const [what, token] of Object.entries(cases)) {
    const res = await w.postForm(OPEN, { ...typed, [FIELD]: token });
    assert.equal(res.status, 422, what);
    const html = await res.text();
    assertKept(html, typed);
    humanCheckError(html);
  }
  // Siteverify said yes to each: it was the worker that checked what the token was made for.
  assert.deepEqual(w.turnstile.requests.map((r) => r.answer.success), Object.values(cases).map(() => true));
  // The same kind of token, solved for the position it is posted to, goes through.
  const res = await w.postForm(OPEN_2, { ...typed, [FIELD]: mint({ cdata: OPEN_2 }) });
  assert.equal(res.status, 303);
  await new Promise((r) => setTimeout(r, 1300));
  assert.equal(w.inviteRequests().length, 1, "only the application with the matching token");
  assert.equal(w.inviteRequests()[0].variables.i1.positionId, OPEN_2);
  assert.deepEqual(await w.kvKeys(`app:v2:${OPEN}:`), []);
});

test("siteverify answering 500: 503 with Retry-After, values kept, nobody invited; the token still works after", async () => {
  const typed = ann({ firstName: "Patient" });
  const token = mint();
  w.turnstile.addFault("http500");
  const res = await w.postForm(OPEN, { ...typed, [FIELD]: token });
  assert.equal(res.status, 503);
  assert.match(res.headers.get("retry-after"), /^[1-9]\d*$/);
  const html = await res.text();
  assertKept(html, typed);
  assert.match(html, /<div class="notice" role="alert"><p>[^<]+<\/p><\/div>/, "says what happened");
  assertFreshWidget(html);
  await assertNobodyInvited();
  // Nothing was decided: the unspent token goes through on the next try.
  assert.equal((await w.postForm(OPEN, { ...typed, [FIELD]: token })).status, 303);
  assert.equal(w.inviteRequests().length, 1);
});

test("siteverify hanging: the worker gives up at 3 s with a 503 and Retry-After, values kept, nobody invited", async () => {
  const typed = ann({ firstName: "Waiting" });
  for (const delayMs of [Infinity, 3600]) {
    w.turnstile.addFault("hang", 1, delayMs);
    const started = Date.now();
    const res = await w.postForm(OPEN, { ...typed, [FIELD]: mint() });
    const took = Date.now() - started;
    assert.equal(res.status, 503, `hang ${delayMs}`);
    assert.ok(took >= 2900 && took < 4500, `answered at the 3 s timeout, took ${took} ms`);
    assert.match(res.headers.get("retry-after"), /^[1-9]\d*$/);
    assertKept(await res.text(), typed);
  }
  await assertNobodyInvited();
});

test("the JSON API takes the token from the body field or the CF-Turnstile-Response header", async () => {
  const inBody = await w.postJson(OPEN, { ...ann(), [FIELD]: mint() });
  assert.equal(inBody.status, 200);
  assert.equal((await inBody.json()).status, "invited");

  const inHeader = await w.postJson(OPEN_2, ann(), { headers: { "CF-Turnstile-Response": mint({ cdata: OPEN_2 }) } });
  assert.equal(inHeader.status, 200);
  assert.equal((await inHeader.json()).status, "invited");
  assert.equal(w.inviteRequests().length, 2);
  assert.equal(w.turnstile.requests.length, 2);

  const preflight = await w.fetch(`/api/apply/${OPEN}`, { method: "OPTIONS" });
  assert.match(preflight.headers.get("access-control-allow-headers"), /cf-turnstile-response/i, "a landing page may send the header");
});

test("the JSON API: missing or refused token 422 on the field, siteverify down 503, nobody invited", async () => {
  const typed = ann({ email: "json.checks@example.com" });
  const missing = await w.postJson(OPEN, typed);
  assert.equal(missing.status, 422);
  const body = await missing.json();
  assert.deepEqual(Object.keys(body).sort(), ["errors", "message"], "the field's error and a summary");
  assert.deepEqual(Object.keys(body.errors), [FIELD]);
  assert.match(body.errors[FIELD], /\S/);

  const refused = await w.postJson(OPEN, { ...typed, [FIELD]: mint({ action: "login" }) });
  assert.equal(refused.status, 422);
  assert.deepEqual(Object.keys((await refused.json()).errors), [FIELD]);

  w.turnstile.addFault("http500");
  const down = await w.postJson(OPEN, { ...typed, [FIELD]: mint() });
  assert.equal(down.status, 503);
  assert.match(down.headers.get("retry-after"), /^[1-9]\d*$/);
  assert.equal((await down.json()).error, "turnstile_unavailable");
  await assertNobodyInvited();
});

test("with Turnstile off, the form has no widget and its CSP does not mention challenges.cloudflare.com", async () => {
  await withWorker({}, async (off) => {
    assert.equal(off.turnstile, null);
    const res = await off.fetch(`/apply/${OPEN}`);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.doesNotMatch(html, /cf-turnstile|challenges\.cloudflare\.com|human-check/);
    assert.ok(!res.headers.get("content-security-policy").includes("challenges.cloudflare.com"));
    const invalid = await off.postForm(OPEN, ann({ email: "nope" }));
    assert.equal(invalid.status, 422);
    assert.ok(!invalid.headers.get("content-security-policy").includes("challenges.cloudflare.com"));
    assert.doesNotMatch(await invalid.text(), /cf-turnstile/);
    // And no token is asked for.
    assert.equal((await off.postForm(OPEN, ann())).status, 303);
  });
});
