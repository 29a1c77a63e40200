// What no set of clients can exceed as shipped: the account's invites per minute, whatever
// addresses post, and one limit per IPv6 /48 besides the one per /64.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withWorker, ann, awayFromWindowEdge, logLines, OPEN, OPEN_2 } from "../harness.mjs";

test("INVITES_PER_MINUTE caps the account's new invites, from any number of addresses: the rest wait, queued", async () => {
  await withWorker({ vars: { INVITES_PER_MINUTE: "2" } }, async (w) => {
    await w.fetch(`/apply/${OPEN}`);
    await awayFromWindowEdge();
    // Each post from its own address (the harness gives every request a fresh one).
    assert.equal((await w.postForm(OPEN, ann({ email: "m1@example.com" }))).status, 303);
    assert.equal((await w.postForm(OPEN_2, ann({ email: "m2@example.com" }))).status, 303);
    const third = await w.postForm(OPEN, ann({ email: "m3@example.com" }));
    assert.equal(third.status, 202, "queued, not refused");
    assert.equal(w.interviewsFor(OPEN, "m3@example.com").length, 0, "not invited this minute");
    const parked = logLines(w).find((l) => l.outcome === "parked");
    assert.equal(parked?.reason, "budget_account_minute");
  });
});

test("one IPv6 /48 is one client for the second rate limit, however many /64s it posts from", async () => {
  await withWorker({ rateLimit: 2 }, async (w) => { // 2 a minute per /64, 6 per /48
    await awayFromWindowEdge();
    const from = (ip) => ({ headers: { "cf-connecting-ip": ip } });
    for (let i = 1; i <= 6; i++) {
      const res = await w.postForm(OPEN, ann({ email: `n${i}@example.com` }), from(`2001:db8:77:${i}::1`));
      assert.equal(res.status, 303, `the /64 number ${i}`);
    }
    const seventh = await w.postForm(OPEN, ann({ email: "n7@example.com" }), from("2001:db8:77:7::1"));
    assert.equal(seventh.status, 429, "a seventh /64 of the same /48, each with one post");
    assert.match(await seventh.text(), /value="n7@example.com"/, "the form and its values kept");
    assert.equal((await w.postForm(OPEN, ann({ email: "n4@example.com" }), from("2001:db8:78:1::1"))).status, 303, "another /48");
  });
});
