// Erasing one candidate on their request (POST /admin/erase): their place in a waiting line, their
// KV records in every position (under the spelling typed and under each spelling the ledger
// invited), their invite ledger rows (every spelling of their mailbox) and their dead letters,
// and nobody else's; counted by kind, never named in a log line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withWorker, ann, assertCleanLogs, logLines, ADMIN_TOKEN, APP_SECRET, OPEN, OPEN_2 } from "../harness.mjs";

const keyOf = (position, email) =>
  `app:v2:${position}:` +
  createHmac("sha256", APP_SECRET).update(`hireflix-apply/candidate/v2\0${position}\0${email}\0`).digest("hex");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const queued = (fields) => ({ positionId: OPEN, phoneNumber: "", attempt: 1, requestId: "r1", firstName: "Ann", lastName: "Lee", ...fields });
const erase = (w, body, headers = { authorization: `Bearer ${ADMIN_TOKEN}` }) =>
  w.fetch("/admin/erase", { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

test("erases exactly one candidate's records, ledger rows and dead letters, and says how many of each", async () => {
  await withWorker({}, async (w) => {
    await w.fetch(`/apply/${OPEN}`); // the positions list, cached
    const bob = (email) => ann({ firstName: "Bob", lastName: "Ray", email });
    for (const [position, fields] of [[OPEN, ann({ email: "ann.lee@gmail.com" })], [OPEN_2, ann({ email: "ann.lee@gmail.com" })], [OPEN, bob("bob.ray@gmail.com")]]) {
      assert.equal((await w.postForm(position, fields)).status, 303);
    }
    await w.untilRemembered(OPEN, 2);
    await w.untilRemembered(OPEN_2, 1);
    // Letters in a position where neither has a record (filing one clears its "queued" record).
    const dlq = await w.mf.getQueueProducer("INVITE_DLQ");
    await dlq.sendBatch([
      { body: { invite: queued({ positionId: OPEN_2, email: "annlee+jobs@gmail.com" }), reason: "position_not_ready" } },
      { body: { invite: queued({ positionId: OPEN_2, firstName: "Bob", email: "bob.ray@gmail.com" }), reason: "position_not_ready" } },
    ]);
    await w.until(async () => (await w.deadLetters()).length === 2, 10000, "two dead letters");
    // The ledger knows Ann's mailbox: another spelling is not invited again.
    assert.equal((await (await w.postJson(OPEN, ann({ email: "a.nnlee@gmail.com" }))).json()).status, "invited_by_email");
    const keys = await w.kvKeys("app:v2:");

    // Not without the token: the same 404 as any unauthenticated /admin/ path, and nothing goes.
    // The page links to itself in the other language: the path is the only difference allowed.
    const seen = async (res) => ({ status: res.status, type: res.headers.get("content-type"), body: (await res.text()).replaceAll("/admin/erase", "/admin/dead-letters") });
    const reference = await seen(await w.fetch("/admin/dead-letters"));
    assert.equal(reference.status, 404);
    for (const headers of [{}, { authorization: "Bearer not-the-token-0123456789abcdef0123" }]) {
      assert.deepEqual(await seen(await erase(w, { email: "ann.lee@gmail.com" }, headers)), reference);
    }
    assert.deepEqual(await w.kvKeys("app:v2:"), keys);
    assert.equal((await erase(w, { email: "not an address" })).status, 422);
    assert.equal((await erase(w, { email: "ann.lee@gmail.com", position: "nope" })).status, 422);

    const res = await erase(w, { email: "Ann.Lee@gmail.com" });
    assert.equal(res.status, 200);
    const counts = await res.json();
    assert.ok(counts.positionsSearched >= 2, "every position the worker knows");
    assert.deepEqual(counts, { waitingEntries: 0, kvRecords: 2, positionsSearched: counts.positionsSearched, ledgerRows: 2, deadLetters: 1, complete: true });

    assert.deepEqual(await w.kvKeys("app:v2:"), [keyOf(OPEN, "bob.ray@gmail.com")], "Bob's record stays");
    assert.deepEqual((await w.deadLetters()).map((l) => l.letter.invite.email), ["bob.ray@gmail.com"], "Bob's letter stays");
    // Ann's mailbox is unknown to the ledger now; Bob's is still known.
    const invites = w.inviteRequests().length;
    assert.equal((await w.postForm(OPEN, ann({ email: "annlee@gmail.com" }))).status, 303);
    assert.equal(w.inviteRequests().length, invites + 1, "Hireflix asked: no ledger row said no");
    assert.equal((await (await w.postJson(OPEN, bob("b.obray@gmail.com"))).json()).status, "invited_by_email");

    const line = logLines(w).find((l) => l.event === "candidate_erased");
    assert.deepEqual(line?.counts, counts);
    const twice = await (await erase(w, { email: "bob@example.com" })).json();
    assert.deepEqual([twice.waitingEntries, twice.kvRecords, twice.ledgerRows, twice.deadLetters], [0, 0, 0, 0], "someone unknown: nothing");
  });
});

test("erased by another spelling of their mailbox: the KV record of the spelling they applied with goes too, counted once", async () => {
  await withWorker({}, async (w) => {
    await w.fetch(`/apply/${OPEN}`);
    const applied = "v.ictim+jobs@googlemail.com";
    assert.equal((await w.postForm(OPEN, ann({ email: applied }))).status, 303);
    assert.equal((await w.postForm(OPEN_2, ann({ email: "victim@gmail.com" }))).status, 303);
    await w.untilRemembered(OPEN, 1);
    await w.untilRemembered(OPEN_2, 1);
    assert.deepEqual((await w.kvKeys("app:v2:")).sort(), [keyOf(OPEN, applied), keyOf(OPEN_2, "victim@gmail.com")].sort());

    // Typed as the operator was given it: one record is under that spelling, one is not.
    const res = await erase(w, { email: "victim@gmail.com" });
    assert.equal(res.status, 200);
    const counts = await res.json();
    assert.deepEqual(counts, { waitingEntries: 0, kvRecords: 2, positionsSearched: counts.positionsSearched, ledgerRows: 2, deadLetters: 0, complete: true });
    assert.deepEqual(await w.kvKeys("app:v2:"), [], "no record left under any spelling");

    // The first spelling again: not answered from a record left behind, Hireflix is asked.
    const asked = w.inviteRequests().length;
    assert.equal((await w.postForm(OPEN, ann({ email: applied }))).status, 303);
    assert.equal(w.inviteRequests().length, asked + 1, "Hireflix asked: no KV record answered");
    assertCleanLogs(w.logs());
  });
});

test("a ledger that answers too late: the erasure says so, and erasing again removes the KV record of the spelling it invited", async () => {
  // The objects' storage outlives each worker here, as a deployed one's does; KV is carried over.
  const dir = await mkdtemp(join(tmpdir(), "erase-"));
  const applied = "v.ictim@gmail.com";
  const carry = async (w) => Promise.all((await w.kvKeys("app:v2:")).map(async (k) => [k, await w.kv.get(k)]));
  const restore = (w, records) => Promise.all(records.map(([k, v]) => w.kv.put(k, v)));
  try {
    let records = await withWorker({ persist: dir }, async (w) => {
      await w.fetch(`/apply/${OPEN}`);
      assert.equal((await w.postForm(OPEN, ann({ email: applied }))).status, 303);
      await w.untilRemembered(OPEN, 1);
      return carry(w);
    });
    assert.deepEqual(records.map(([k]) => k), [keyOf(OPEN, applied)]);
    // Slower than the erasure's 2 s deadline: the bucket deletes its row, its answer is lost.
    records = await withWorker({ persist: dir, vars: { LEDGER_TEST_DELAY_MS: "2500" } }, async (w) => {
      await restore(w, records);
      const res = await erase(w, { email: "victim@gmail.com" });
      assert.equal(res.status, 503);
      const counts = await res.json();
      assert.deepEqual([counts.ledgerRows, counts.complete], [null, false], "no claim that the rows went");
      await sleep(1500); // the account's late answer, so both instances are done
      return carry(w);
    });
    assert.equal(records.length, 1, "the record the ledger's row named is still there");
    await withWorker({ persist: dir }, async (w) => {
      await restore(w, records);
      const res = await erase(w, { email: "victim@gmail.com" });
      assert.equal(res.status, 200);
      const counts = await res.json();
      assert.deepEqual([counts.kvRecords, counts.ledgerRows, counts.complete], [1, 1, true], "the row the first erasure deleted, remembered");
      assert.deepEqual(await w.kvKeys("app:v2:"), [], "no record left under any spelling");
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a position the worker no longer lists can be named; a store that does not answer makes it a 503 with null counts", async () => {
  const gone = "68b43e38b19cf131a17c5abc";
  await withWorker({ ledger: false }, async (w) => {
    await w.kv.put(keyOf(gone, "ann.lee@example.com"), JSON.stringify({ state: "queued" }));
    const res = await erase(w, { email: "ann.lee@example.com", position: gone });
    assert.equal(res.status, 503);
    const counts = await res.json();
    assert.equal(counts.kvRecords, 1);
    assert.equal(counts.ledgerRows, null, "no ledger, no claim that its rows went");
    assert.equal(counts.complete, false);
    assert.deepEqual(await w.kvKeys(`app:v2:${gone}:`), []);
  });
});

test("a candidate erased while waiting in line is never invited; those behind keep their place and go no later than told", async () => {
  // One invite per 4-second "hour": a goes, b, c and d wait one window each.
  await withWorker({ vars: { INVITES_PER_POSITION_PER_HOUR: "1", BUDGET_WINDOWS_SECONDS: "4,600,6000" } }, async (w) => {
    await w.fetch(`/apply/${OPEN}`);
    while (Date.now() % 4000 > 300) await new Promise((r) => setTimeout(r, 50));
    assert.equal((await w.postForm(OPEN, ann({ email: "a@example.com" }))).status, 303);
    const told = {};
    for (const email of ["b@example.com", "c@example.com", "d@example.com"]) {
      const res = await w.postJson(OPEN, ann({ email }));
      assert.equal(res.status, 202, email);
      const { place, expectedBy } = await res.json();
      told[email] = { place, due: Date.parse(expectedBy) };
    }
    assert.deepEqual(Object.values(told).map((t) => t.place), [1, 2, 3]);

    // Erased in another spelling of the mailbox: the line knows it by its keyed hash.
    const res = await erase(w, { email: "C@Example.com" });
    assert.equal(res.status, 200);
    const counts = await res.json();
    assert.equal(counts.waitingEntries, 1, "the waiting entry is counted");
    assert.equal(counts.complete, true);
    assert.equal((await (await erase(w, { email: "c@example.com" })).json()).waitingEntries, 0, "gone the first time");
    // Those behind keep their number: never a later place than they were told.
    const d = await (await w.postJson(OPEN, ann({ email: "d@example.com" }))).json();
    assert.equal(d.place, 3);
    assert.ok(Date.parse(d.expectedBy) <= told["d@example.com"].due, "never later than told");

    await w.until(() => w.interviewsFor(OPEN, "d@example.com").length === 1, 20000, "d to be released");
    await new Promise((r) => setTimeout(r, 5000)); // c's old slot and the next have passed
    const order = w.standIn.interviews.filter((i) => i.position.id === OPEN).map((i) => i.candidate.email);
    assert.deepEqual(order, ["a@example.com", "b@example.com", "d@example.com"], "c never invited, the rest in order");
    assert.ok(!w.inviteRequests().some((r) => JSON.stringify(r).includes("c@example.com")), "Hireflix never heard of c");
    const late = w.interviewsFor(OPEN, "d@example.com")[0].createdAt - told["d@example.com"].due;
    // c's slot was 4 s before d's; the queue's batch wait (1 s) comes on top.
    assert.ok(late < -1000, `d took c's slot, a window sooner than told (${late} ms)`);
  });
});

test("erased while in line under another spelling: the record of the spelling typed goes too, so applying again is new and invited", async () => {
  // One invite per 4-second "hour": a goes, the victim waits in line.
  await withWorker({ vars: { INVITES_PER_POSITION_PER_HOUR: "1", BUDGET_WINDOWS_SECONDS: "4,600,6000" } }, async (w) => {
    await w.fetch(`/apply/${OPEN}`);
    while (Date.now() % 4000 > 300) await new Promise((r) => setTimeout(r, 50));
    assert.equal((await w.postForm(OPEN, ann({ email: "a@example.com" }))).status, 303);
    const applied = "v.ictim+jobs@googlemail.com";
    const waiting = await w.postJson(OPEN, ann({ email: applied }));
    assert.equal(waiting.status, 202);
    assert.equal((await waiting.json()).place, 1);
    await w.until(async () => (await w.kvKeys("app:v2:")).includes(keyOf(OPEN, applied)), 5000, "the 'in line' record");

    const res = await erase(w, { email: "victim@gmail.com" });
    assert.equal(res.status, 200);
    const counts = await res.json();
    assert.equal(counts.waitingEntries, 1);
    assert.ok(!(await w.kvKeys("app:v2:")).includes(keyOf(OPEN, applied)), "no 'in line' record left under the spelling typed");

    // Applying again as before is a new application: in line again, then invited (a record
    // left behind would have answered "in line" from KV, and nobody would have sent it on).
    const again = await w.postJson(OPEN, ann({ email: applied }));
    assert.equal(again.status, 202);
    await w.until(() => w.interviewsFor(OPEN, applied).length === 1, 20000, "the new application invited");
  });
});

test("a line that does not answer is named by its null (503, incomplete), and erasing again once it answers removes the entry", async () => {
  await withWorker({ lineSwitch: true, vars: { INVITES_PER_POSITION_PER_HOUR: "1" } }, async (w) => {
    await w.fetch(`/apply/${OPEN}`);
    assert.equal((await w.postForm(OPEN, ann({ email: "a@example.com" }))).status, 303);
    assert.equal((await w.postJson(OPEN, ann({ email: "b@example.com" }))).status, 202);
    w.line.down = true;
    const down = await erase(w, { email: "b@example.com" });
    assert.equal(down.status, 503);
    const counts = await down.json();
    assert.deepEqual([counts.waitingEntries, counts.complete], [null, false], "no claim that the entry went");
    w.line.down = false;
    const up = await (await erase(w, { email: "b@example.com" })).json();
    assert.deepEqual([up.waitingEntries, up.complete], [1, true]);
  });
});

// What a queue holds cannot be deleted: the erasure is kept by the ledger, and each consumer
// drops an application made before it when it comes out.
const erasedLines = (w) => logLines(w).filter((l) => l.event === "application" && l.outcome === "erased");

test("an application queued while Hireflix is down and then erased is never invited nor filed once Hireflix is back; applying again is new", async () => {
  await withWorker({ vars: { RETRY_BASE_DELAY_SECONDS: "2" } }, async (w) => {
    await w.fetch(`/apply/${OPEN}`);
    w.standIn.addFault("http500", 1000);
    const email = "ann.lee@gmail.com";
    assert.equal((await w.postForm(OPEN, ann({ email }))).status, 202);
    // The candidate's own try and one of the queue's: the application is waiting in the queue.
    await w.until(() => w.inviteRequests().length >= 2, 10000, "a queued retry to fail");

    const res = await erase(w, { email: "Ann.Lee@gmail.com" });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).complete, true);
    const asked = w.inviteRequests().length;
    await w.until(() => erasedLines(w).length > 0 || w.inviteRequests().length > asked, 15000, "the next retry");
    assert.equal(w.inviteRequests().length, asked, "Hireflix is never asked again for it");
    const [line] = erasedLines(w);
    assert.deepEqual([line.source, line.position_id, line.reason, line.candidate], ["queue", OPEN, "erased", undefined], "no tag that ties it to them");

    w.standIn.faults.length = 0; // Hireflix is back
    await new Promise((r) => setTimeout(r, 4000)); // longer than the next retry would have waited
    assert.equal(w.interviewsFor(OPEN, email).length, 0, "never invited");
    assert.equal(w.inviteRequests().length, asked);
    assert.deepEqual(await w.deadLetters(), [], "no dead letter holds their name, email or phone");
    assert.deepEqual(await w.kvKeys("app:v2:"), [], "nothing written back");
    assert.equal(erasedLines(w).length, 1, "dropped once, acked");

    // The same candidate applying again after the erasure: invited at once.
    const again = await w.postForm(OPEN, ann({ email }));
    assert.equal(again.status, 303);
    assert.equal(again.headers.get("location"), w.interviewsFor(OPEN, email)[0]?.url.public);
    assertCleanLogs(w.logs());
  });
});

test("an application on its way to the dead-letter queue when its candidate is erased is not filed; one made after it, and others, are", async () => {
  await withWorker({}, async (w) => {
    const before = Date.now() - 1000;
    const res = await erase(w, { email: "ann.lee@gmail.com" });
    assert.equal((await res.json()).complete, true);
    const after = Date.now() + 1000;
    const dlq = await w.mf.getQueueProducer("INVITE_DLQ");
    const annLee = (fields) => queued({ email: "annlee@gmail.com", phoneNumber: "+44 20 7946 0958", ...fields });
    await dlq.sendBatch([
      // Made before the erasure: dead-lettered by the invite consumer, and moved by the platform.
      { body: { invite: annLee({ appliedMs: before }), reason: "position_not_ready" } },
      { body: annLee({ appliedMs: before }) },
      // Queued before applications carried their time: older than any erasure.
      { body: { invite: annLee({}), reason: "position_not_ready" } },
      // Not even an application, but theirs.
      { body: { unreadable: JSON.stringify(annLee({ firstName: "Ann2" })), reason: "invalid_fields: firstName not_a_name" } },
      // Applied again after the erasure, and someone else.
      { body: { invite: annLee({ appliedMs: after, requestId: "later" }), reason: "position_not_ready" } },
      { body: { invite: queued({ email: "bob.ray@gmail.com", firstName: "Bob", lastName: "Ray", appliedMs: before }), reason: "position_not_ready" } },
    ]);
    await w.until(async () => erasedLines(w).length === 4 && (await w.deadLetters()).length === 2, 10000, "the letters");
    await new Promise((r) => setTimeout(r, 1500)); // none comes back later
    const filed = (await w.deadLetters()).map((l) => [l.letter.invite.email, l.letter.invite.requestId]);
    assert.deepEqual(filed.sort(), [["annlee@gmail.com", "later"], ["bob.ray@gmail.com", "r1"]]);
    assert.equal(erasedLines(w).length, 4);
    assert.ok(erasedLines(w).every((l) => l.reason === "erased" && l.candidate === undefined));
    assertCleanLogs(w.logs());
  });
});

test("a dead letter whose erasure cannot be checked (no ledger) is filed, never dropped on a guess", async () => {
  await withWorker({ ledger: false }, async (w) => {
    const dlq = await w.mf.getQueueProducer("INVITE_DLQ");
    await dlq.send({ invite: queued({ email: "ann.lee@gmail.com" }), reason: "position_not_ready" });
    await w.until(async () => (await w.deadLetters()).length === 1, 10000, "the letter");
    assert.equal(erasedLines(w).length, 0);
  });
});

test("a dead letters' object that does not answer: the candidate's letters in KV still go, and the answer says the erasure is incomplete", async () => {
  await withWorker({ lettersFail: true }, async (w) => {
    const dlq = await w.mf.getQueueProducer("INVITE_DLQ");
    await dlq.sendBatch([
      { body: { invite: queued({ firstName: "Gus", email: "gus.lee@example.com" }), reason: "position_not_ready" } },
      { body: { invite: queued({ firstName: "Bob", email: "bob.ray@example.com" }), reason: "position_not_ready" } },
    ]);
    await w.until(async () => (await w.kvKeys("failed:")).length === 2, 10000, "both letters in KV");
    const res = await erase(w, { email: "gus.lee@example.com" });
    assert.equal(res.status, 503, "the object's letters could not be searched");
    const counts = await res.json();
    assert.equal(counts.deadLetters, null, "no claim that every letter was searched");
    assert.equal(counts.complete, false);
    const left = await Promise.all((await w.kvKeys("failed:")).map((k) => w.kv.get(k)));
    assert.deepEqual(left.map((text) => JSON.parse(text).invite.email), ["bob.ray@example.com"], "Gus's letter in KV is gone, Bob's stays");
  });
});
