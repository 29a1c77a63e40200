// Issue 17, items 4-6, in workerd: an ambiguous Hireflix answer keeps the mailbox's reservation
// (another spelling is not invited a second time); a double click lands on one interview with
// one Hireflix call; a slow ledger object never holds the form's answer beyond its deadline.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withWorker, ann, logLines, OPEN } from "../harness.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test("after a Hireflix timeout another spelling of the mailbox is not invited again, and the queued retry settles it", async () => {
  await withWorker({}, async (w) => {
    await w.fetch(`/apply/${OPEN}`);
    // Hireflix answers after the worker's 1 s deadline, and makes the interview all the same.
    w.standIn.addFault("slow", 1, 2500);
    const first = await w.postForm(OPEN, ann({ email: "victim@gmail.com" }));
    assert.equal(first.status, 202, "the timeout is queued");

    // While the first call's outcome is unknown another spelling waits (the form's 3 s, then
    // the queue): it hears "invited" once the retry has settled, else "queued"; never a call.
    const other = await w.postJson(OPEN, ann({ email: "v.ictim@gmail.com" }));
    const heard = [other.status, (await other.json()).status];
    assert.ok(["200,invited_by_email", "202,queued"].includes(String(heard)), String(heard));

    await w.until(
      () => logLines(w).some((l) => l.source === "queue" && ["invited", "already_invited"].includes(l.outcome)),
      15000,
      "the queued retry to settle the first application",
    );
    await sleep(2000); // the slow call has landed by now
    assert.equal(w.interviewsFor(OPEN, "victim@gmail.com").length, 1);
    assert.equal(w.standIn.interviews.length, 1, "one interview for the mailbox, not one per spelling");
    // Again: the same answer (remembered), still no call.
    const calls = w.inviteRequests().length;
    const later = await w.postJson(OPEN, ann({ email: "v.ictim@gmail.com" }));
    assert.equal((await later.json()).status, heard[1]);
    assert.equal(w.inviteRequests().length, calls);
  });
});

test("a double click (two identical posts, JavaScript off) ends on the same interview with one Hireflix call", async () => {
  await withWorker({}, async (w) => {
    await w.fetch(`/apply/${OPEN}`);
    w.standIn.addFault("slow", 1, 700);
    const [a, b] = await Promise.all([w.postForm(OPEN, ann()), sleep(150).then(() => w.postForm(OPEN, ann()))]);
    assert.equal(a.status, 303);
    assert.equal(b.status, 303);
    assert.equal(b.headers.get("location"), a.headers.get("location"), "the same interview");
    assert.equal(w.inviteRequests().length, 1, "Hireflix is asked once");
    assert.equal(w.standIn.interviews.length, 1);
    assert.ok(!logLines(w).some((l) => l.reason === "in_flight"), "the second was answered, not queued");
  });
});

test("a second post while the first is still at Hireflix past the wait is queued (202), never a second call meanwhile", async () => {
  await withWorker({ vars: { HIREFLIX_TIMEOUT_MS: "8000" } }, async (w) => {
    await w.fetch(`/apply/${OPEN}`);
    w.standIn.addFault("slow", 1, 5000);
    const started = Date.now();
    const first = w.postForm(OPEN, ann());
    await sleep(200);
    const second = await w.postJson(OPEN, ann());
    const waited = Date.now() - started;
    assert.equal(second.status, 202);
    assert.equal((await second.json()).status, "queued");
    assert.ok(waited >= 2500 && waited < 4800, `the second post waited ${waited} ms, boundedly`);
    assert.equal(w.inviteRequests().length, 1, "no second Hireflix call while the first is in flight");
    assert.equal((await first).status, 303);
    assert.equal(w.standIn.interviews.length, 1);
    assert.ok(logLines(w).some((l) => l.outcome === "parked" && l.reason === "in_flight"));
  });
});

test("a slow ledger object: the form answers 202 within its deadline and the consumer invites the candidate later", async () => {
  await withWorker({ vars: { LEDGER_TEST_DELAY_MS: "3000" } }, async (w) => {
    await w.fetch(`/apply/${OPEN}`);
    const started = Date.now();
    const res = await w.postJson(OPEN, ann());
    const took = Date.now() - started;
    assert.equal(res.status, 202);
    assert.equal((await res.json()).status, "queued");
    assert.ok(took < 2900, `answered in ${took} ms, before the slow object`);
    assert.equal(w.inviteRequests().length, 0, "never invited unchecked");
    await w.until(() => w.interviewsFor(OPEN, ann().email).length === 1, 30000, "the consumer to invite the candidate");
    await sleep(1000);
    assert.equal(w.standIn.interviews.length, 1);
  });
});
