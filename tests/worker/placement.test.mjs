// OBJECT_PLACEMENT: one setting places every Durable Object at its creation. Locally a location
// hint changes nothing observable, and workerd does not implement jurisdictions ("Jurisdiction
// restrictions are not implemented in workerd"), so this shows the worker works with each kind
// of value, that `eu` never falls back to an unrestricted object, and that a wrong value is a
// named problem.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withWorker, ann, ADMIN_TOKEN, OPEN } from "../harness.mjs";

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const letter = (email) => ({ invite: { positionId: OPEN, phoneNumber: "", attempt: 1, requestId: "r1", firstName: "Ann", lastName: "Lee", email }, reason: "position_not_ready" });

for (const placement of ["", "weur"]) {
  test(`OBJECT_PLACEMENT="${placement}": invites are checked by the ledger and letters kept by their object`, async () => {
    await withWorker({ vars: { OBJECT_PLACEMENT: placement } }, async (w) => {
      assert.equal((await w.health()).status, 200);
      await w.fetch(`/apply/${OPEN}`);
      assert.equal((await w.postForm(OPEN, ann({ email: "ann.lee@gmail.com" }))).status, 303);
      // Another spelling of the same mailbox: only the ledger can tell.
      assert.equal((await (await w.postJson(OPEN, ann({ email: "a.nn.lee@gmail.com" }))).json()).status, "invited_by_email");
      await (await w.mf.getQueueProducer("INVITE_DLQ")).send(letter("cy@example.com"));
      const listed = await w.until(async () => (await (await w.fetch("/admin/dead-letters", { headers: admin })).json()).deadLetters.length === 1, 10000, "the letter");
      assert.ok(listed);
      assert.deepEqual(await w.kvKeys("failed:"), [], "in the object, not KV");
    });
  });
}

test(`OBJECT_PLACEMENT="eu": asked only in the jurisdiction; where there is none (workerd), nothing is invited unchecked and letters go to KV`, async () => {
  await withWorker({ vars: { OBJECT_PLACEMENT: "eu" } }, async (w) => {
    assert.equal((await w.health()).status, 200, "a valid setting");
    await w.fetch(`/apply/${OPEN}`);
    assert.equal((await w.postForm(OPEN, ann({ email: "ann.lee@gmail.com" }))).status, 202, "queued: the ledger could not be asked");
    assert.equal(w.inviteRequests().length, 0);
    await (await w.mf.getQueueProducer("INVITE_DLQ")).send(letter("cy@example.com"));
    await w.until(async () => (await w.kvKeys("failed:")).length === 1, 10000, "the letter in KV");
    assert.deepEqual((await (await w.letterBox("list")).json()).letters, [], "no unrestricted object took it");
  });
});

test("a wrong OBJECT_PLACEMENT is a /healthz problem by name, and no object is created in the wrong place", async () => {
  await withWorker({ vars: { OBJECT_PLACEMENT: "europe" } }, async (w) => {
    const res = await w.health();
    assert.equal(res.status, 503);
    const { problems } = await res.json();
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^OBJECT_PLACEMENT must be empty, eu, or a location hint/);
    assert.ok(!problems[0].includes("europe"));
    // The dead-letter consumer still works: the letter goes to KV.
    await (await w.mf.getQueueProducer("INVITE_DLQ")).send(letter("di@example.com"));
    await w.until(async () => (await w.kvKeys("failed:")).length === 1, 10000, "the letter in KV");
    assert.equal((await w.letterBox("list")).status, 200);
    assert.deepEqual((await (await w.letterBox("list")).json()).letters, [], "not in an object placed by default");
  });
});
