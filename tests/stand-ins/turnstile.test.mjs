// The Turnstile stand-in answers siteverify as Cloudflare documents it, for what the worker's
// tests do not reach on their own: expiry, a retry with the idempotency_key, the test secrets,
// and faults that leave a token untouched.
import { test, beforeEach, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { TurnstileStandIn, SECRETS, SITEKEYS, TOKEN_TTL_MS } from "./turnstile.mjs";

let clock = Date.parse("2026-05-01T09:00:00.000Z");
const standIn = new TurnstileStandIn({ now: () => clock });
await standIn.listen(0);
after(() => standIn.close());
beforeEach(() => standIn.reset());

const mint = (over = {}) => standIn.mint({ hostname: "apply.example.com", action: "apply", cdata: "p1", ...over }).token;
/** POSTs to siteverify as the worker does (form-encoded), or as JSON. */
async function siteverify(fields, json = false) {
  const res = await fetch(standIn.verifyUrl, {
    method: "POST",
    headers: { "content-type": json ? "application/json" : "application/x-www-form-urlencoded" },
    body: json ? JSON.stringify(fields) : new URLSearchParams(fields).toString(),
  });
  return { status: res.status, body: res.headers.get("content-type") === "application/json" ? await res.json() : null };
}
const codes = async (fields) => (await siteverify(fields)).body["error-codes"];

test("a token passes once, echoing hostname, action and cData; then it is a duplicate", async () => {
  const solvedAt = clock;
  const token = mint();
  clock += 20_000;
  const first = await siteverify({ secret: SECRETS.pass, response: token, remoteip: "203.0.113.7" });
  assert.equal(first.status, 200);
  assert.deepEqual(first.body, {
    success: true, challenge_ts: new Date(solvedAt).toISOString(), hostname: "apply.example.com",
    "error-codes": [], action: "apply", cdata: "p1", metadata: { interactive: false },
  });
  assert.deepEqual(await codes({ secret: SECRETS.pass, response: token }), ["timeout-or-duplicate"]);
  assert.deepEqual(standIn.requests.map((r) => [r.remoteip, r.answer.success]), [["203.0.113.7", true], [null, false]]);
  assert.equal((await siteverify({ secret: SECRETS.pass, response: mint() }, true)).body.success, true, "a JSON body too");
});

test("a token verifies until 300 s after the solve", async () => {
  const [early, late] = [mint(), mint()];
  clock += TOKEN_TTL_MS - 1;
  assert.equal((await siteverify({ secret: SECRETS.pass, response: early })).body.success, true);
  clock += 1;
  assert.deepEqual(await codes({ secret: SECRETS.pass, response: late }), ["timeout-or-duplicate"]);
});

test("a retry with the first call's idempotency_key gets the first answer; any other call is a duplicate", async () => {
  const token = mint();
  const key = randomUUID();
  standIn.addFault("hang", 1, 50); // the first answer arrives late: the retry gets it all the same
  const first = await siteverify({ secret: SECRETS.pass, response: token, idempotency_key: key });
  assert.equal(first.body.success, true);
  assert.deepEqual((await siteverify({ secret: SECRETS.pass, response: token, idempotency_key: key })).body, first.body);
  assert.deepEqual(await codes({ secret: SECRETS.pass, response: token, idempotency_key: randomUUID() }), ["timeout-or-duplicate"]);
  assert.equal((await siteverify({ secret: SECRETS.pass, response: token, idempotency_key: "not-a-uuid" })).status, 400);
});

test("the test secrets, unknown tokens and a failing sitekey's token", async () => {
  assert.deepEqual(await codes({ secret: SECRETS.fail, response: mint() }), ["invalid-input-response"]);
  assert.deepEqual(await codes({ secret: SECRETS.spent, response: mint() }), ["timeout-or-duplicate"]);
  assert.deepEqual(await codes({ secret: "0x-not-a-test-secret", response: mint() }), ["invalid-input-secret"]);
  assert.deepEqual(await codes({ response: mint() }), ["missing-input-secret"]);
  assert.deepEqual(await codes({ secret: SECRETS.pass }), ["missing-input-response"]);
  assert.deepEqual(await codes({ secret: SECRETS.pass, response: "0.never-issued" }), ["invalid-input-response"]);
  assert.deepEqual(await codes({ secret: SECRETS.pass, response: mint({ sitekey: SITEKEYS.fail }) }), ["invalid-input-response"]);
});

test("faults: a 500 leaves the token unspent; refuse spends and refuses it", async () => {
  const token = mint();
  standIn.addFault("http500");
  assert.equal((await siteverify({ secret: SECRETS.pass, response: token })).status, 500);
  assert.equal((await siteverify({ secret: SECRETS.pass, response: token })).body.success, true);
  const refused = mint();
  standIn.addFault("refuse");
  assert.deepEqual(await codes({ secret: SECRETS.pass, response: refused }), ["invalid-input-response"]);
  assert.deepEqual(await codes({ secret: SECRETS.pass, response: refused }), ["timeout-or-duplicate"]);
  assert.deepEqual(standIn.requests.map((r) => r.fault), ["http500", null, "refuse", null]);
});
