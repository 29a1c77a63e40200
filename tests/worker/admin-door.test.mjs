// The admin door (/admin/ and /healthz's details): a token too short to hold is refused, guesses
// are throttled by the rate limiter, and an outsider gets the same 404 whatever they send, so
// cannot even tell that a token is set.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withWorker, awayFromWindowEdge, ADMIN_TOKEN, OPEN } from "../harness.mjs";

const LIST = "/admin/dead-letters";
const bearer = (token) => ({ authorization: `Bearer ${token}` });

/** What an outsider sees of an answer: its status, type and body. */
async function seen(res) {
  return { status: res.status, type: res.headers.get("content-type"), body: await res.text() };
}

test("a token under 32 characters opens nothing, /healthz says misconfigured, and the forms still serve", async () => {
  await withWorker({ vars: { ADMIN_TOKEN: "admin" } }, async (w) => {
    assert.equal((await w.fetch(LIST, { headers: bearer("admin") })).status, 404);
    const health = await w.fetch("/healthz", { headers: bearer("admin") });
    assert.equal(health.status, 503);
    assert.deepEqual(await health.json(), { status: "misconfigured" }, "the short token does not open the details either");
    assert.equal((await w.fetch(`/apply/${OPEN}`)).status, 200, "candidates are not turned away for it");
  });
});

test("every unauthenticated /admin/ request gets the same 404 as a worker without a token", async () => {
  await withWorker({ vars: { ADMIN_TOKEN: "" } }, async (closed) => {
    await withWorker({}, async (open) => {
      const reference = await seen(await closed.fetch(LIST));
      assert.equal(reference.status, 404);
      for (const [w, headers] of [
        [closed, bearer(ADMIN_TOKEN)],
        [open, {}],
        [open, bearer("nope")],
        [open, bearer(`${ADMIN_TOKEN}x`)],
        [open, { authorization: ADMIN_TOKEN }],
      ]) {
        assert.deepEqual(await seen(await w.fetch(LIST, { headers })), reference, JSON.stringify(headers));
      }
      assert.equal((await open.fetch(LIST, { headers: bearer(ADMIN_TOKEN) })).status, 200);
    });
  });
});

test("guesses count in the rate limiter: over the limit even the right token is refused, from that client only", async () => {
  await withWorker({ rateLimit: 3 }, async (w) => {
    await awayFromWindowEdge();
    const guesser = { "cf-connecting-ip": "198.51.100.66" };
    for (let i = 0; i < 3; i++) {
      assert.equal((await w.fetch(LIST, { headers: { ...guesser, ...bearer(`guess-${i}`) } })).status, 404);
    }
    assert.equal((await w.fetch(LIST, { headers: { ...guesser, ...bearer(ADMIN_TOKEN) } })).status, 404, "throttled");
    const details = await w.fetch("/healthz", { headers: { ...guesser, ...bearer(ADMIN_TOKEN) } });
    assert.deepEqual(await details.json(), { status: "ok" }, "/healthz is no way around the limit");
    const other = { "cf-connecting-ip": "198.51.100.67" };
    assert.equal((await w.fetch(LIST, { headers: { ...other, ...bearer(ADMIN_TOKEN) } })).status, 200);
  });
});
