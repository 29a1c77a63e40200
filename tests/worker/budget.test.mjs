// The invite ledger (a SQLite Durable Object) in workerd: budgets park applications until
// their window reopens, one mailbox gets one interview per position however its address is
// spelled, a spent quota stops Hireflix calls until a probe finds it back, and a scripted
// red-team run cannot get more invites than configured.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withWorker, ann, assertCleanLogs, logLines, OPEN, OPEN_2 } from "../harness.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Five open positions, so "positions per mailbox per day" can be reached (default 3). */
const FIVE = Array.from({ length: 5 }, (_, i) => ({
  id: `68b43e38b19cf131a17c55${String(i).padStart(2, "0")}`,
  name: `Position ${i + 1}`,
  archived: null,
}));

/** Waits until a fixed window of `seconds` has just begun, so a burst of posts lands in one window. */
async function windowStart(seconds) {
  const len = seconds * 1000;
  while (Date.now() % len > 300) await sleep(Math.min(100, len - (Date.now() % len)));
}

const warnings = (w, event) => logLines(w).filter((l) => l.event === event);

test("per-position budget: the third application of the hour is parked (202), then invited once the window reopens", async () => {
  await withWorker({
    // Short windows for the test: an "hour" of 4 s.
    vars: { INVITES_PER_POSITION_PER_HOUR: "2", BUDGET_WINDOWS_SECONDS: "4,600,6000" },
  }, async (w) => {
    await w.fetch(`/apply/${OPEN}`);
    await windowStart(4);
    assert.equal((await w.postForm(OPEN, ann({ email: "a@example.com" }))).status, 303);
    assert.equal((await w.postForm(OPEN, ann({ email: "b@example.com" }))).status, 303);
    const calls = w.inviteRequests().length;

    const parked = await w.postForm(OPEN, ann({ email: "c@example.com" }));
    assert.equal(parked.status, 202, "the ordinary queued answer, nothing refused");
    assert.match(await parked.text(), /will email you the link to your interview/);
    const parkedJson = await w.postJson(OPEN, ann({ email: "d@example.com" }));
    assert.equal(parkedJson.status, 202);
    assert.equal((await parkedJson.json()).status, "queued");
    // Another position has its own budget.
    assert.equal((await w.postForm(OPEN_2, ann({ email: "c@example.com" }))).status, 303);
    assert.equal(w.inviteRequests().length, calls + 1, "no Hireflix call for the parked ones");
    assert.equal(w.interviewsFor(OPEN, "c@example.com").length, 0);

    await w.until(
      () => ["c@example.com", "d@example.com"].every((e) => w.interviewsFor(OPEN, e).length === 1),
      15000,
      "the parked applications to be invited after the window reopens",
    );
    for (const e of ["a@example.com", "b@example.com", "c@example.com", "d@example.com"]) {
      assert.equal(w.interviewsFor(OPEN, e).length, 1, `exactly one interview for ${e}`);
    }
    // Made in the next window, not before.
    const madeAt = (e) => w.standIn.interviews.find((i) => i.position.id === OPEN && i.candidate.email === e).createdAt;
    const reopened = Math.floor(madeAt("a@example.com") / 4000) * 4000 + 4000;
    assert.ok(madeAt("c@example.com") >= reopened - 50, "invited only once the window reopened");

    await w.until(() => logLines(w).filter((l) => l.source === "queue" && l.outcome === "invited").length === 2, 5000, "log lines");
    const lines = logLines(w);
    const reached = warnings(w, "budget_reached");
    assert.equal(reached.length, 1, "one warning per budget and window, not one per application");
    assert.equal(reached[0].level, "warn");
    assert.equal(reached[0].budget, "position_hour");
    assert.equal(reached[0].limit, 2);
    assert.equal(reached[0].position_id, OPEN);
    const parkedLines = lines.filter((l) => l.outcome === "parked");
    assert.equal(parkedLines.length, 2);
    assert.ok(parkedLines.every((l) => l.reason === "position_line"), "waiting in the position's line");
    // Parking used no try: the queue's invite is the application's first Hireflix call.
    assert.ok(lines.filter((l) => l.source === "queue" && l.outcome === "invited").every((l) => l.attempt === 1));
    assertCleanLogs(w.logs());
  });
});

test("one mailbox, many spellings: one interview per position, and at most INVITES_PER_EMAIL_PER_DAY positions a day", async () => {
  await withWorker({ positions: FIVE }, async (w) => {
    const [p1, p2, p3, p4, p5] = FIVE.map((p) => p.id);
    await w.fetch(`/apply/${p1}`);
    assert.equal((await w.postForm(p1, ann({ email: "victim@gmail.com" }))).status, 303);
    for (const email of ["v.ictim@gmail.com", "victim+1@gmail.com", "VICTIM@googlemail.com"]) {
      const res = await w.postJson(p1, ann({ email }));
      assert.equal(res.status, 200, email);
      assert.equal((await res.json()).status, "invited_by_email", email);
      const page = await w.postForm(p1, ann({ email }));
      assert.equal(page.status, 200);
      assert.match(await page.text(), /emailed you the link/);
    }
    assert.equal(w.standIn.interviews.length, 1, "one interview in the position, whatever the spelling");
    assert.equal(w.inviteRequests().length, 1, "no Hireflix call for the other spellings");

    // The same exact address again still reaches its interview (Hireflix deduplicates it).
    const again = await w.postForm(p1, ann({ email: "victim@gmail.com" }));
    assert.equal(again.status, 303);

    // Other positions: two more today (3 in all), then parked.
    assert.equal((await w.postForm(p2, ann({ email: "vic.tim@gmail.com" }))).status, 303);
    assert.equal((await w.postForm(p3, ann({ email: "victim+jobs@googlemail.com" }))).status, 303);
    assert.equal((await w.postForm(p4, ann({ email: "Victim@gmail.com" }))).status, 202);
    assert.equal((await w.postForm(p5, ann({ email: "v.i.c.t.i.m@gmail.com" }))).status, 202);
    await sleep(1500); // time for the queue to (not) deliver: the parked ones wait for the next UTC day
    assert.equal(w.standIn.interviews.length, 3, "three positions a day for one mailbox");
    assert.deepEqual(new Set(w.standIn.interviews.map((i) => i.position.id)), new Set([p1, p2, p3]));
    // A different person is not held back by the victim's budget.
    assert.equal((await w.postForm(p4, ann({ email: "someone.else@gmail.com" }))).status, 303);

    const reached = warnings(w, "budget_reached");
    assert.equal(reached.length, 1);
    assert.equal(reached[0].budget, "email_day");
    assert.ok(logLines(w).some((l) => l.outcome === "already_invited" && l.reason === "same_mailbox"));
    assertCleanLogs(w.logs());
  });
});

test("quota exhausted: new applications are parked without calling Hireflix, probed later, invited after, attempts untouched", async () => {
  await withWorker({
    // One allowed try would dead-letter any application whose quota refusals counted.
    vars: { QUOTA_RETRY_SECONDS: "3", MAX_INVITE_ATTEMPTS: "1" },
  }, async (w) => {
    await w.fetch(`/apply/${OPEN}`);
    // The candidate's own call and the first probe are refused; the second probe succeeds.
    w.standIn.addFault("quota", 2);
    assert.equal((await w.postForm(OPEN, ann({ email: "first@example.com" }))).status, 202);
    assert.equal(w.inviteRequests().length, 1);
    const refusedAt = w.inviteRequests()[0].at;

    // While the quota is held: parked, no Hireflix call at all.
    for (const email of ["second@example.com", "third@example.com"]) {
      assert.equal((await w.postJson(OPEN, ann({ email }))).status, 202);
    }
    assert.equal((await w.postJson(OPEN_2, ann({ email: "fourth@example.com" }))).status, 202);
    assert.equal(w.inviteRequests().length, 1, "no invite call while the quota is held");

    const people = ["first@example.com", "second@example.com", "third@example.com"];
    await w.until(
      () => people.every((e) => w.interviewsFor(OPEN, e).length === 1) && w.interviewsFor(OPEN_2, "fourth@example.com").length === 1,
      25000,
      "every application to be invited once the quota is back",
    );
    const calls = w.inviteRequests();
    console.log(`quota: invite calls at +${calls.map((c) => `${c.at - refusedAt} ms${c.fault ? ` (${c.fault})` : ""}`).join(", +")}`);
    // After each refusal, no call until the hold (3 s here) is over: then one probe.
    for (let i = 1; i < calls.length; i++) {
      if (calls[i - 1].fault !== "quota") continue;
      assert.ok(calls[i].at - calls[i - 1].at >= 2800, `call ${i} came ${calls[i].at - calls[i - 1].at} ms after a quota refusal`);
    }
    assert.ok(calls.length <= 4, `${calls.length} invite calls`);
    assert.equal(calls[1].fault, "quota", "the first probe found the quota still spent");
    assert.ok(calls[1].at - refusedAt >= 2800);
    for (const e of people) assert.equal(w.interviewsFor(OPEN, e).length, 1);
    assert.deepEqual((await w.deadLetters()).map((l) => l.id), [], "nothing dead-lettered: quota refusals are not attempts");

    await w.until(() => logLines(w).filter((l) => l.source === "queue" && l.outcome === "invited").length === 4, 5000, "log lines");
    const quota = warnings(w, "quota_exhausted");
    assert.equal(quota.length, 1, "one quota line per hour");
    assert.equal(quota[0].level, "warn");
    const lines = logLines(w);
    assert.ok(lines.some((l) => l.outcome === "queued" && l.reason === "quota_exceeded"));
    assert.equal(lines.filter((l) => l.outcome === "parked" && l.reason === "quota_exhausted" && l.source !== "queue").length, 3);
    assertCleanLogs(w.logs());
  });
});

test("parked past MAX_WAIT_HOURS by a spent quota: a dead letter (waited_too_long) when it comes out, never invited late", async () => {
  // An "hour" of 1 s and MAX_WAIT_HOURS 1: nothing may be invited from the queue 2 s (the
  // longest wait and the hour of grace) after it was posted. The quota holds every invite for
  // 4 s, and Hireflix takes invites again by then.
  await withWorker({ vars: { BUDGET_WINDOWS_SECONDS: "1,600,6000", MAX_WAIT_HOURS: "1", QUOTA_RETRY_SECONDS: "4" } }, async (w) => {
    await w.fetch(`/apply/${OPEN}`);
    w.standIn.addFault("quota", 1);
    // Refused for quota on its own try, then parked by the ledger while the quota is held.
    assert.equal((await w.postForm(OPEN, ann({ email: "first@example.com" }))).status, 202);
    assert.equal((await w.postJson(OPEN, ann({ email: "second@example.com" }))).status, 202);
    await w.until(async () => (await w.deadLetters()).length === 2, 15000, "both dead letters");
    const letters = (await w.deadLetters()).map((l) => l.letter);
    assert.deepEqual(letters.map((l) => l.reason), ["waited_too_long", "waited_too_long"]);
    assert.deepEqual(letters.map((l) => l.invite.email).sort(), ["first@example.com", "second@example.com"], "kept for an operator");
    assert.equal(w.inviteRequests().length, 1, "no call after the refusal: the quota was back, the wait was over");
    assert.equal(w.standIn.interviews.length, 0);
    // Not stuck as "queued": applying again is a new application, invited now.
    assert.equal((await w.postForm(OPEN, ann({ email: "first@example.com" }))).status, 303);
    assert.equal(w.interviewsFor(OPEN, "first@example.com").length, 1);
    const setAside = (l) => l.event === "unreadable_message" && l.reason === "waited_too_long" && l.level === "warn";
    await w.until(() => logLines(w).filter(setAside).length === 2, 5000, "the consumer's log lines");
  });
});

test("without the ledger no invite is made unchecked, and nothing is lost: queued, then dead-lettered for an operator", async () => {
  await withWorker({ ledger: false, vars: { MAX_INVITE_ATTEMPTS: "2" } }, async (w) => {
    await w.fetch(`/apply/${OPEN}`);
    const res = await w.postForm(OPEN, ann());
    assert.equal(res.status, 202);
    await w.until(async () => (await w.deadLetters()).length === 1, 15000, "the dead letter");
    assert.equal(w.inviteRequests().length, 0, "never invited without the ledger's check");
    const letter = (await w.deadLetters())[0].letter;
    assert.equal(letter.reason, "gave_up_after_2_attempts: ledger_unavailable");
    assert.equal(letter.invite.email, "ann.lee@example.com", "kept for a replay");
    assert.ok(logLines(w).some((l) => l.outcome === "queued" && l.reason === "ledger_unavailable"));
  });
});

/** Spellings of one Gmail mailbox: dots, +tags, case, googlemail. */
function spellings(user, count) {
  const out = new Set();
  for (let i = 0; out.size < count; i++) {
    let local = user;
    const dot = 1 + (i % (user.length - 1));
    if (i % 2) local = local.slice(0, dot) + "." + local.slice(dot);
    if (i % 3 === 1) local = `${local}+${i}`;
    if (i % 5 === 2) local = local.toUpperCase();
    out.add(`${local}@${i % 4 === 3 ? "googlemail.com" : "gmail.com"}`);
  }
  return [...out];
}

test("red team: many spellings of one gmail address and many addresses of one IPv6 /64 get at most the configured invites", async () => {
  const limits = { INVITES_PER_EMAIL_PER_DAY: "3", INVITES_PER_POSITION_PER_HOUR: "4", INVITES_PER_DAY: "10" };
  await withWorker({ positions: FIVE, vars: limits }, async (w) => {
    const ids = FIVE.map((p) => p.id);
    await w.fetch(`/apply/${ids[0]}`);
    let posts = 0;
    const statuses = new Map();
    const post = async (position, email, ip) => {
      const res = await w.postJson(position, ann({ email }), { headers: { "cf-connecting-ip": ip } });
      posts++;
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      await res.arrayBuffer();
    };

    // 1. One victim's mailbox, 30 spellings, against every position.
    const victim = spellings("victim", 30);
    for (const [i, email] of victim.entries()) {
      for (const position of ids) await post(position, email, `2001:db8:1:2::${i.toString(16)}`);
    }
    const victimInterviews = w.standIn.interviews.length;

    // 2. Forty different addresses from forty addresses of one /64, spread over the positions.
    for (let i = 0; i < 40; i++) {
      await post(ids[i % ids.length], `bot${i}@example.com`, `2001:db8:1:2::${(0x1000 + i).toString(16)}`);
    }
    await sleep(1500); // the queue would have delivered anything not parked by now

    const invites = w.standIn.interviews.length;
    const perPosition = ids.map((id) => w.standIn.interviews.filter((i) => i.position.id === id).length);
    console.log(
      `red team: ${posts} posts sent (${victim.length} spellings of one gmail mailbox x ${ids.length} positions, ` +
        `40 addresses from one /64), ${invites} invites created (${victimInterviews} to the victim's mailbox; ` +
        `per position ${perPosition.join("/")}); answers ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    assert.ok(victimInterviews <= 3, `the victim's mailbox got ${victimInterviews} interviews`);
    assert.ok(invites <= 10, `${invites} invites against an account budget of 10 a day`);
    assert.ok(perPosition.every((n) => n <= 4), `per position: ${perPosition}`);
    assert.equal(invites, 10, "the budget was used, not more");
    // Nobody was refused: over budget means queued, not an error.
    assert.deepEqual([...statuses.keys()].sort(), [200, 202].sort(), JSON.stringify([...statuses]));
    assertCleanLogs(w.logs());
  });
});
