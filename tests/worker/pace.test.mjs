// Hireflix at a steady pace (issue 18): live posts and the queue share one rate, throttling
// is honoured without amplification, and a spent quota is probed by one call at a time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withWorker, ann, ADMIN_TOKEN, OPEN } from "../harness.mjs";

const isInvite = (r) => r.query.includes("inviteCandidateToInterview");
const forced = (r) => r.throttled || r.fault !== null;
const aliases = (r) => (r.query.match(/\br\d+: inviteCandidateToInterview/g) ?? []).length;
const carries = (r, email) => JSON.stringify(r.variables).includes(`"${email}"`);
const emailsOf = (r) => [...JSON.stringify(r.variables).matchAll(/"email":"([^"]+)"/g)].map((m) => m[1]);

/** The most requests that fell in any one second. */
function busiestSecond(requests) {
  const times = requests.map((r) => r.at).sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** Every candidate ends with exactly one interview, made by exactly one unforced call. */
function assertEachInvitedOnceByOneCall(w, emails) {
  const invites = w.standIn.requests.filter(isInvite);
  for (const email of emails) {
    assert.equal(w.interviewsFor(OPEN, email).length, 1, `${email}: one interview`);
    const calls = invites.filter((r) => carries(r, email));
    const unforced = calls.filter((r) => !forced(r));
    assert.equal(unforced.length, 1, `${email}: 1 call plus the ${calls.length - 1} the stand-in forced`);
  }
  assert.equal(w.standIn.interviews.length, emails.length, "nobody invited twice, nobody else");
}

test("a burst of live posts on top of a queue backlog stays at the pace: none lost, none doubled", async () => {
  const PACE = 4;
  // The harness's 1 s Hireflix timeout is tight for 40 posts on a loaded 2-core machine: a call
  // past it is ambiguous and rightly made again, which "one call each" below would count.
  const vars = { HIREFLIX_MAX_CALLS_PER_SECOND: String(PACE), HIREFLIX_TIMEOUT_MS: "4000" };
  await withWorker({ vars }, async (w) => {
    assert.equal((await w.fetch(`/apply/${OPEN}`)).status, 200); // positions now cached
    // The backlog: ten candidates whose own call failed, now on the queue (Hireflix down while
    // they post, however often the queue retries meanwhile, so each is queued).
    w.standIn.addFault("http500", 1000);
    const backlog = Array.from({ length: 10 }, (_, i) => `backlog${i}@example.com`);
    // Hireflix itself refuses past one call more than our pace, with Retry-After.
    w.standIn.setRateLimit({ perSecond: PACE + 1, mode: "http429", retryAfter: "1" });
    const burstStarted = Date.now();
    const queued = await Promise.all(backlog.map((email) => w.postForm(OPEN, ann({ email }))));
    assert.deepEqual(queued.map((r) => r.status), backlog.map(() => 202));
    w.standIn.clearFaults();
    const live = Array.from({ length: 30 }, (_, i) => `live${i}@example.com`);
    const liveStarted = Date.now();
    const answers = await Promise.all(live.map((email) => w.postForm(OPEN, ann({ email }))));
    const liveSeconds = (Date.now() - liveStarted) / 1000;
    const statuses = answers.map((r) => r.status);
    // Each is invited at once (303) or told "within minutes" (202): nobody waits long, no 5xx.
    assert.ok(statuses.every((s) => s === 303 || s === 202), `statuses: ${statuses}`);
    assert.ok(statuses.includes(202), "past the pace, live posts are queued rather than kept waiting");
    // The whole line (backlog and burst) at the pace takes 10 s; the burst alone is timed, so a
    // loaded machine's slow backlog posts do not count against it.
    const wholeLineSeconds = (backlog.length + live.length) / PACE;
    assert.ok(liveSeconds < wholeLineSeconds, `live posts never wait for the whole line: ${liveSeconds} s`);
    for (const r of answers) {
      if (r.status === 202) assert.match(await r.text(), /will email you the link to your interview/);
    }
    const everyone = [...backlog, ...live];
    await w.until(() => w.standIn.interviews.length >= everyone.length, 60_000, "every invite");
    await new Promise((r) => setTimeout(r, 1500)); // nothing more arrives
    const calls = w.standIn.requests.filter((r) => r.at >= burstStarted);
    const busiest = busiestSecond(calls);
    assert.ok(busiest <= PACE + 2, `at most ${PACE} calls a second plus the margin; saw ${busiest}`);
    assertEachInvitedOnceByOneCall(w, everyone);
    assert.match(w.logs(), /"event":"application"/, "the log lines were captured, so the personal-data check proves something");
  });
});

test("throttled with HTTP 200 and errors: the batch waits out Retry-After and comes back whole", async () => {
  await withWorker({}, async (w) => {
    await w.fetch(`/apply/${OPEN}`);
    // Hireflix down while they apply, however often the queue retries meanwhile: each is queued.
    w.standIn.addFault("http500", 1000);
    const emails = Array.from({ length: 6 }, (_, i) => `q${i}@example.com`);
    for (const email of emails) assert.equal((await w.postForm(OPEN, ann({ email }))).status, 202);
    const queuedAt = Date.now();
    // Back, throttling: the first batch whenever it comes, then past one call a second.
    w.standIn.setRateLimit({ perSecond: 1, mode: "graphql", retryAfter: "2", firstBatch: true });
    w.standIn.clearFaults();
    await w.until(() => w.standIn.interviews.length >= emails.length, 40_000, "every invite");
    const invites = w.standIn.requests.filter((r) => isInvite(r) && r.at >= queuedAt);
    const throttled = invites.filter((r) => r.throttled);
    assert.ok(throttled.length > 0, "the stand-in did throttle");
    assert.ok(throttled.some((t) => aliases(t) > 1), "a whole batch was throttled");
    for (const t of throttled) {
      // Nobody starts a call before the Retry-After is up (calls already under way land
      // within 100 ms; a little slack for the clocks).
      const early = w.standIn.requests.filter((r) => r.at > t.at + 100 && r.at < t.at + 1_900);
      assert.deepEqual(early.map((r) => r.at - t.at), [], "Retry-After honoured by every caller");
      // A throttled batch is never split into single calls for its members.
      const split = invites.filter((r) => r.at > t.at && r.at < t.at + 1_900 && emailsOf(r).some((e) => emailsOf(t).includes(e)));
      assert.deepEqual(split.map(aliases), [], "no member of a throttled batch is retried at once");
    }
    assertEachInvitedOnceByOneCall(w, emails);
  });
});

test("a quota hold ends with exactly one probe; refused again, the hold lengthens; its success reopens", async () => {
  await withWorker({ vars: { QUOTA_RETRY_SECONDS: "2" } }, async (w) => {
    await w.fetch(`/apply/${OPEN}`);
    w.standIn.quotaSpent = true;
    const first = await w.postForm(OPEN, ann({ email: "first@example.com" }));
    assert.equal(first.status, 202);
    const refusedAt = Date.now();
    const others = Array.from({ length: 5 }, (_, i) => `wait${i}@example.com`);
    for (const email of others) assert.equal((await w.postForm(OPEN, ann({ email }))).status, 202);
    assert.equal(w.standIn.requests.filter(isInvite).length, 1, "nobody calls during the hold");

    // The hold (2 s) ends: exactly one call probes, with one invite, and is refused.
    await w.until(() => w.standIn.requests.filter(isInvite).length >= 2, 15_000, "the probe");
    const probe = w.standIn.requests.filter(isInvite)[1];
    assert.ok(probe.at - refusedAt >= 1_900, "not before the hold was over");
    assert.equal(aliases(probe), 1, "the probe carries one application");
    // The refused probe doubled the hold to 4 s: still nobody else calls.
    await new Promise((r) => setTimeout(r, 3_000));
    assert.equal(w.standIn.requests.filter(isInvite).length, 2, "one probe per hold, nothing else");

    // The plan is raised: the next probe succeeds and everyone follows.
    w.standIn.quotaSpent = false;
    await w.until(() => w.standIn.interviews.length >= 6, 40_000, "every invite after the quota is back");
    const invites = w.standIn.requests.filter(isInvite);
    assert.equal(aliases(invites[2]), 1, "the next probe is alone too");
    assert.ok(invites[2].at - probe.at >= 3_900, "after the lengthened hold");
    for (const email of ["first@example.com", ...others]) assert.equal(w.interviewsFor(OPEN, email).length, 1);
  });
});

test("the operator sees the quota hold at /admin/quota and lifts it after raising the plan", async () => {
  await withWorker({ vars: { QUOTA_RETRY_SECONDS: "3600" } }, async (w) => {
    const admin = (method, path) => w.fetch(path, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    await w.fetch(`/apply/${OPEN}`);
    assert.equal((await admin("POST", "/admin/quota/lift")).status, 200);
    assert.equal((await w.fetch("/admin/quota")).status, 404, "not without the token: the same 404 as any unknown page");
    w.standIn.addFault("quota", 1);
    assert.equal((await w.postForm(OPEN, ann({ email: "one@example.com" }))).status, 202);
    const held = await (await admin("GET", "/admin/quota")).json();
    assert.equal(held.held, true);
    assert.ok(held.hold.untilMs > Date.now() + 3_000_000, "held for QUOTA_RETRY_SECONDS");
    // Held: a new application is queued without a call.
    assert.equal((await w.postForm(OPEN, ann({ email: "two@example.com" }))).status, 202);
    assert.equal(w.standIn.requests.filter(isInvite).length, 1);

    const lifted = await (await admin("POST", "/admin/quota/lift")).json();
    assert.deepEqual([lifted.held, lifted.lifted], [false, true]);
    const three = await w.postForm(OPEN, ann({ email: "three@example.com" }));
    assert.equal(three.status, 303, "invited at once after the lift");
    assert.equal(w.interviewsFor(OPEN, "three@example.com").length, 1);
  });
});

test("positions: the Cron Trigger refreshes them; when old, one caller asks while the rest, and a down Hireflix, use the last good copy", async () => {
  await withWorker({}, async (w) => {
    const positionCalls = () => w.standIn.requests.filter((r) => r.query.includes("positions")).length;
    // The scheduled event reads Hireflix into KV, with when.
    const worker = await w.mf.getWorker("hireflix-apply");
    const before = Date.now();
    await worker.scheduled({ cron: "*/5 * * * *" });
    assert.equal(positionCalls(), 1);
    const [readAt, list] = JSON.parse(await w.kv.get("positions:v2"));
    assert.ok(readAt >= before && list.some((p) => p.id === OPEN));

    // A copy a day old, and ten page views at once from an isolate that has not read the
    // list: while one caller asks a slow Hireflix, the others answer from the copy; with
    // Hireflix down, everyone does.
    const old = [{ id: OPEN, name: "Kept From Yesterday", archived: null }];
    for (const fault of ["slow", "http500"]) {
      await withWorker({}, async (cold) => {
        await cold.kv.put("positions:v2", JSON.stringify([Date.now() - 86_400_000, old]));
        cold.standIn.addFault(fault, 10, 800);
        const pages = await Promise.all(Array.from({ length: 10 }, () => cold.fetch("/")));
        const texts = await Promise.all(pages.map((p) => p.text()));
        assert.deepEqual(pages.map((p) => p.status), pages.map(() => 200));
        const fromCopy = texts.filter((t) => t.includes("Kept From Yesterday")).length;
        assert.ok(fault === "http500" ? fromCopy === 10 : fromCopy >= 9, `${fault}: ${fromCopy} answered from the copy`);
        const calls = cold.standIn.requests.filter((r) => r.query.includes("positions")).length;
        assert.equal(calls, 1, `${fault}: one caller at a time`);
      });
    }
  });
});
