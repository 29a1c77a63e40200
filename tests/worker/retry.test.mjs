// Nothing lost when Hireflix fails: every fault of the matrix ends in exactly one interview
// (or a reasoned dead letter), reached through the queue's batched, aliased request.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withWorker, ann, assertCleanLogs, logLines, OPEN, OPEN_2 } from "../harness.mjs";

async function kvRecord(w, positionId) {
  const [key] = await w.kvKeys(`app:v2:${positionId}:`);
  return key ? JSON.parse(await w.kv.get(key)) : null;
}

// Each fault hits the candidate's own attempt and the queue's first retry; the second retry
// finds Hireflix recovered.
const FAULTS = ["http500", "slow", "malformed", "401", "quota", "graphqlError"];

for (const fault of FAULTS) {
  test(`${fault}: the candidate hears 202 at once, and ends with exactly one interview`, async () => {
    await withWorker({ vars: { HIREFLIX_TIMEOUT_MS: "800" } }, async (w) => {
      assert.equal((await w.fetch(`/apply/${OPEN}`)).status, 200); // positions now cached
      w.standIn.addFault(fault, 2, 2500);

      const started = Date.now();
      const res = await w.postForm(OPEN, ann());
      const waited = Date.now() - started;
      assert.equal(res.status, 202);
      assert.match(await res.text(), /will email you the link to your interview/);
      // A hung Hireflix (2.5 s) holds the candidate only as long as the configured timeout.
      assert.ok(waited < 2500, `answered after ${waited} ms`);

      const again = await w.postJson(OPEN, ann({ email: " ANN.LEE@example.com" }));
      assert.equal(again.status, 202);
      assert.equal((await again.json()).status, "queued");

      const record = await w.until(async () => {
        const r = await kvRecord(w, OPEN);
        return r?.state === "invited" && r;
      }, 20000, "the queued invite to succeed");

      const interviews = w.interviewsFor(OPEN, "ann.lee@example.com");
      assert.equal(interviews.length, 1, "exactly one interview");
      assert.equal(record.url, interviews[0].url.public);
      const creator = w.standIn.requests[interviews[0].createdByRequest];
      assert.match(creator.query, /r1: inviteCandidateToInterview\(input: \$i1\)/);
      if (fault !== "slow") {
        // Made by the queue's retry, not by the candidate's own (failed) request.
        assert.ok(interviews[0].createdByRequest > 0);
      }

      // Log lines cross a pipe: wait for the retry's line rather than race it.
      await w.until(() => logLines(w).some((l) => l.source === "queue" && l.outcome === "invited"), 5000, "the log lines");

      // The next visit goes straight to the interview.
      const later = await w.postForm(OPEN, ann());
      assert.equal(later.status, 303);
      assert.equal(later.headers.get("location"), interviews[0].url.public);

      const lines = logLines(w);
      assert.ok(lines.some((l) => l.outcome === "queued" && l.attempt === 1 && l.source === "form"));
      assert.ok(lines.some((l) => l.outcome === "already_queued"), "the resubmission was not queued again");
      assert.equal(lines.filter((l) => l.outcome === "queued").length, 1);
      const retried = lines.filter((l) => l.source === "queue");
      assert.ok(retried.some((l) => l.outcome === "requeued" && l.attempt === 2 && l.reason));
      assert.ok(retried.some((l) => l.outcome === "invited" && l.attempt === 3 && typeof l.hireflix_ms === "number"));
      assertCleanLogs(w.logs());
    });
  });
}

test("applications queued together are retried in ONE aliased request, each acked on its own answer", async () => {
  await withWorker({}, async (w) => {
    await w.fetch(`/apply/${OPEN}`);
    const people = ["a@example.com", "b@example.com", "c@example.com"];
    w.standIn.addFault("http500", people.length);
    for (const email of people) assert.equal((await w.postForm(OPEN, ann({ email }))).status, 202);
    // The worker's own attempts, one request each, all failed.
    assert.equal(w.inviteRequests().length, 3);

    await w.until(() => people.every((e) => w.interviewsFor(OPEN, e).length === 1), 15000, "all three interviews");
    const batched = w.inviteRequests().filter((r) => r.query.includes("r3: inviteCandidateToInterview"));
    assert.equal(batched.length, 1, "one request carried all three invites");
    assert.deepEqual(Object.keys(batched[0].variables).sort(), ["i1", "i2", "i3"]);
    assert.equal(w.inviteRequests().length, 4);
    for (const email of people) {
      const [interview] = w.interviewsFor(OPEN, email);
      assert.equal(w.standIn.requests[interview.createdByRequest], batched[0]);
    }
    assertCleanLogs(w.logs());
  });
});

test("one batch whose members end differently: invited, already invited, and dead-lettered", async () => {
  await withWorker({}, async (w) => {
    await w.fetch(`/apply/${OPEN}`);
    // Each candidate's own call fails (not with "quota": a spent quota parks the later
    // applications without a call; tests/worker/budget.test.mjs covers that).
    w.standIn.addFault("http500", 3);
    assert.equal((await w.postForm(OPEN, ann({ email: "new@example.com" }))).status, 202);
    assert.equal((await w.postForm(OPEN, ann({ email: "known@example.com" }))).status, 202);
    assert.equal((await w.postForm(OPEN_2, ann({ email: "late@example.com" }))).status, 202);
    // Before the retry runs: one candidate gets invited some other way, and one position closes.
    const known = w.standIn.invite({ positionId: OPEN, candidate: { email: "known@example.com", firstName: "K", lastName: "N" } });
    w.standIn.positions.find((p) => p.id === OPEN_2).archived = Date.now();

    await w.until(async () => (await w.deadLetters()).length === 1, 15000, "the dead letter");
    await w.until(async () => (await w.kvKeys("app:")).length === 2, 15000, "both interviews in KV");
    const batch = w.inviteRequests().filter((r) => r.query.includes("r3: inviteCandidateToInterview"));
    assert.equal(batch.length, 1);

    const records = await Promise.all((await w.kvKeys("app:")).map(async (k) => JSON.parse(await w.kv.get(k)).url));
    assert.ok(records.includes(known.url.public), "already-invited candidate is linked to the existing interview");
    assert.ok(records.includes(w.interviewsFor(OPEN, "new@example.com")[0].url.public));
    assert.equal(w.interviewsFor(OPEN, "known@example.com").length, 1);
    assert.equal(w.interviewsFor(OPEN_2, "late@example.com").length, 0);

    const [{ id: failedKey, letter }] = await w.deadLetters();
    assert.match(failedKey, new RegExp(`^failed:v2:${OPEN_2}:[0-9a-f]{64}$`));
    assert.equal(letter.reason, "position_not_ready");
    assert.equal(letter.invite.email, "late@example.com", "the application is kept for an operator");
    // Its "queued" record is gone, so a resubmission hears the real answer.
    assert.deepEqual(await w.kvKeys(`app:v2:${OPEN_2}:`), []);
    assert.equal((await w.postForm(OPEN_2, ann({ email: "late@example.com" }))).status, 410);
    assertCleanLogs(w.logs());
  });
});

test("an invite that keeps failing is dead-lettered after MAX_INVITE_ATTEMPTS with its reason", async () => {
  await withWorker({ vars: { MAX_INVITE_ATTEMPTS: "3" } }, async (w) => {
    await w.fetch(`/apply/${OPEN}`);
    w.standIn.addFault("http500", 100);
    assert.equal((await w.postForm(OPEN, ann())).status, 202);
    await w.until(async () => (await w.deadLetters()).length === 1, 20000, "the dead letter");
    const letter = (await w.deadLetters())[0].letter;
    assert.equal(letter.reason, "gave_up_after_3_attempts: http_5xx");
    assert.equal(w.inviteRequests().length, 3);
    assert.equal(w.standIn.interviews.length, 0);

    // Hireflix recovers; the candidate (or an operator replaying) can apply again at once.
    w.standIn.faults = [];
    const res = await w.postForm(OPEN, ann());
    assert.equal(res.status, 303);
    assert.equal(w.standIn.interviews.length, 1);
    assertCleanLogs(w.logs());
  });
});

test("a batch Hireflix fails as a whole is split, so one bad invite holds back no other", async () => {
  await withWorker({}, async (w) => {
    await w.fetch(`/apply/${OPEN}`);
    w.standIn.addFault("http500", 3);
    w.standIn.addFault("failBatches", 100);
    for (const email of ["a@example.com", "b@example.com", "c@example.com"]) {
      assert.equal((await w.postForm(OPEN, ann({ email }))).status, 202);
    }
    await w.until(() => w.standIn.interviews.length === 3, 15000, "three interviews");
    // Log lines cross a pipe: wait for them rather than race them.
    const invited = (l) => l.source === "queue" && l.outcome === "invited";
    await w.until(() => logLines(w).filter(invited).length === 3, 5000, "the log lines");
    const lines = logLines(w);
    assert.ok(!lines.some((l) => l.outcome === "requeued"), "nobody waited for a later retry");
  });
});

test("a queued invite whose link is unusable is done, not dead-lettered", async () => {
  await withWorker({}, async (w) => {
    await w.fetch(`/apply/${OPEN}`);
    w.standIn.addFault("http500");
    w.standIn.addFault("foreignUrl");
    assert.equal((await w.postForm(OPEN, ann())).status, 202);
    await w.until(() => logLines(w).some((l) => l.outcome === "invited_without_link"), 15000, "the retry");
    assert.equal(w.interviewsFor(OPEN, "ann.lee@example.com").length, 1);
    assert.deepEqual((await w.deadLetters()).map((l) => l.id), []);
    assert.deepEqual(await w.kvKeys("app:"), [], "no stale 'queued' record");
  });
});

test("dead letters are filed even while the rest of the configuration is broken", async () => {
  await withWorker({ vars: { HIREFLIX_API_KEY: "" } }, async (w) => {
    const dlq = await w.mf.getQueueProducer("INVITE_DLQ");
    const invite = { positionId: OPEN, firstName: "Ann", lastName: "Lee", email: "ann@example.com", phoneNumber: "", attempt: 3, requestId: "r1" };
    await dlq.send({ invite, reason: "gave_up_after_3_attempts: auth" });
    await dlq.send(invite); // as the platform moves a message whose retries ran out
    await w.until(async () => (await w.deadLetters()).length >= 1, 15000, "the filed letter");
    const entry = (await w.deadLetters())[0].letter;
    assert.match(entry.reason, /gave_up_after_3_attempts: auth|delivery_retries_exhausted/);
    assert.equal(entry.invite.email, "ann@example.com");
  });
});

test("a permanent answer on the candidate's own attempt is never queued", async () => {
  await withWorker({}, async (w) => {
    await w.fetch(`/apply/${OPEN_2}`);
    w.standIn.positions.find((p) => p.id === OPEN_2).archived = Date.now();
    const res = await w.postForm(OPEN_2, ann());
    assert.equal(res.status, 410);
    assert.ok(!logLines(w).some((l) => l.outcome === "queued"));
    assert.deepEqual(await w.kvKeys("app:"), []);
  });
});

test("when Hireflix cannot be reached at all, the form still takes the application", async () => {
  await withWorker({}, async (w) => {
    // Cold cache and Hireflix down: the position cannot be checked, the application is kept.
    // Two failures: the form's position look-up and the candidate's invite; the post does not
    // ask for positions again while the failure is fresh.
    w.standIn.addFault("http500", 2);
    const form = await w.fetch(`/apply/${OPEN}`);
    assert.equal(form.status, 200);
    const res = await w.postForm(OPEN, ann());
    assert.equal(res.status, 202);
    assert.equal(w.standIn.requests.filter((r) => r.query.includes("positions")).length, 1);
    await w.until(() => w.interviewsFor(OPEN, "ann.lee@example.com").length === 1, 15000, "the interview");
  });
});
