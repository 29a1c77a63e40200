// What an operator runs against the built worker in workerd: the deep health check and the
// dead-letter admin API, also through scripts/dead-letters.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { withWorker, ann, assertCleanLogs, OPEN, OPEN_2 } from "../harness.mjs";

const ADMIN_TOKEN = "admin-token-Qv27-never-shown-0123456789";

function script(args, env) {
  return new Promise((resolve) => {
    const child = spawn("bash", ["scripts/dead-letters", ...args], { env: { ...process.env, ...env } });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (out += c));
    child.on("exit", (code) => resolve({ code, out }));
  });
}

test("/healthz?deep=1 asks Hireflix at most once a minute and names what is wrong", async () => {
  await withWorker({}, async (w) => {
    const positionCalls = () => w.standIn.requests.filter((r) => r.query.includes("positions")).length;
    const deep = await w.health("?deep=1");
    assert.equal(deep.status, 200);
    const body = await deep.json();
    assert.equal(body.status, "ok");
    assert.equal(body.hireflix, "ok");
    for (let i = 0; i < 5; i++) assert.equal((await w.health("?deep=1")).status, 200);
    assert.equal(positionCalls(), 1, "the answer is kept: the check cannot be used to spend calls");
    assert.equal((await (await w.health()).json()).hireflix, undefined, "the plain check asks nobody");
  });
  await withWorker({ vars: { HIREFLIX_API_KEY: "a-key-Hireflix-refuses" } }, async (refused) => {
    const res = await refused.health("?deep=1");
    assert.equal(res.status, 503);
    const body = await res.json();
    assert.equal(body.status, "degraded");
    assert.equal(body.hireflix, "unauthorized");
  });
  await withWorker({ vars: { HIREFLIX_API_URL: "http://127.0.0.1:9/me" } }, async (down) => {
    const body = await (await down.health("?deep=1")).json();
    assert.equal(body.hireflix, "unreachable");
    assert.equal(body.status, "degraded");
  });
});

test("without ADMIN_TOKEN every /admin/ path is 404", async () => {
  await withWorker({ vars: { ADMIN_TOKEN: "" } }, async (w) => {
    for (const [method, path] of [["GET", "/admin/dead-letters"], ["POST", "/admin/dead-letters/replay"], ["GET", "/admin/"]]) {
      const res = await w.fetch(path, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      assert.equal(res.status, 404, `${method} ${path}`);
    }
  });
});

test("a persistent failure is dead-lettered, listed masked, replayed after recovery and invited exactly once", async () => {
  await withWorker({ http: true, vars: { ADMIN_TOKEN, MAX_INVITE_ATTEMPTS: "2" } }, async (w) => {
    const env = { WORKER_URL: w.url.toString(), ADMIN_TOKEN };
    await w.fetch(`/apply/${OPEN}`);
    w.standIn.addFault("http500", 100);
    assert.equal((await w.postForm(OPEN, ann({ email: "dora.lost@example.com" }))).status, 202);
    assert.equal((await w.postForm(OPEN_2, ann({ email: "eve.lost@example.com" }))).status, 202);
    await w.until(async () => (await w.deadLetters()).length === 2, 20000, "two dead letters");

    const wrong = await w.fetch("/admin/dead-letters", { headers: { authorization: "Bearer nope" } });
    assert.equal(wrong.status, 404, "the same 404 as no token at all (tests/admin-door.test.mjs)");
    const listed = await w.fetch("/admin/dead-letters", { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(listed.status, 200);
    const { deadLetters, complete } = await listed.json();
    assert.equal(deadLetters.length, 2);
    assert.equal(complete, true, "every letter was read");
    const dora = deadLetters.find((l) => l.position === OPEN);
    assert.equal(dora.email, "d***@example.com");
    assert.match(dora.reason, /^gave_up_after_2_attempts: http_5xx$/);
    assert.equal(dora.attempts, 2);
    assert.ok(Date.now() - dora.failedAt < 60000);

    const list = await script(["list"], env);
    assert.equal(list.code, 0, list.out);
    assert.match(list.out, /d\*\*\*@example\.com/);
    assert.ok(!list.out.includes("dora.lost"), "no address in the operator's terminal");
    assert.ok(!list.out.includes(ADMIN_TOKEN));

    // Hireflix recovers; only one position is replayed, then the rest.
    w.standIn.faults = [];
    const one = await script(["replay", "--position", OPEN], env);
    assert.equal(one.code, 0, one.out);
    await w.until(() => w.interviewsFor(OPEN, "dora.lost@example.com").length === 1, 15000, "Dora's interview");
    assert.equal(w.interviewsFor(OPEN_2, "eve.lost@example.com").length, 0, "the other position waits");
    assert.equal((await w.deadLetters()).length, 1);

    const rest = await script(["replay"], env);
    assert.equal(rest.code, 0, rest.out);
    await w.until(() => w.interviewsFor(OPEN_2, "eve.lost@example.com").length === 1, 15000, "Eve's interview");
    assert.deepEqual((await w.deadLetters()).map((l) => l.id), []);
    const again = await (await w.fetch("/admin/dead-letters/replay", { method: "POST", headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
    assert.equal(again.replayed, 0, "a replayed letter is gone");
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(w.interviewsFor(OPEN, "dora.lost@example.com").length, 1, "exactly once");
    assertCleanLogs(w.logs());
  });
});

test("the funnel gets one data point per step, by position, with no personal data", async () => {
  await withWorker({ rateLimit: 4, vars: { ADMIN_TOKEN, MAX_INVITE_ATTEMPTS: "1" } }, async (w) => {
    const events = () => w.funnel.map((p) => p.blobs[0]);
    const until = (n, what) => w.until(() => w.funnel.length >= n, 5000, what);
    const ip = { "cf-connecting-ip": "198.51.100.99" };
    // A view counts under the campaign of the link it came by, as the link's posts do.
    assert.equal((await w.fetch(`/apply/${OPEN}?utm_source=jobs_board&utm_medium=ad`)).status, 200);
    await until(1, "the view");
    // Miniflare gives every request its default `cf` data, whose country is US.
    assert.deepEqual(w.funnel[0], { indexes: [OPEN], blobs: ["form_view", "en", "jobs_board", "ad", "", "US"], doubles: [1] });

    assert.equal((await w.postForm(OPEN, ann(), { headers: ip })).status, 303);
    assert.equal((await w.postForm(OPEN, ann(), { headers: ip })).status, 303);
    assert.equal((await w.postForm(OPEN, ann({ email: "nope" }), { headers: ip })).status, 422);
    assert.equal((await w.postForm(OPEN, { ...ann(), website: "x" }, { headers: ip })).status, 202);
    assert.equal((await w.postForm(OPEN, ann(), { headers: ip })).status, 429);
    await until(11, "the posts");
    // Points reach the test over a pipe each: compare them as a set of counts, not an order.
    const counted = (list) => list.reduce((m, e) => ({ ...m, [e]: (m[e] ?? 0) + 1 }), {});
    assert.deepEqual(counted(events().slice(1, 11)), {
      submit: 5, invited: 1, kv_hit: 1, invalid: 1, honeypot: 1, rate_limited: 1,
    });

    w.standIn.addFault("http500", 2);
    assert.equal((await w.postForm(OPEN_2, ann({ email: "q@example.com" }))).status, 202);
    await w.until(() => events().includes("dead_letter"), 15000, "the dead letter's point");
    assert.deepEqual(counted(events().slice(11)), { submit: 1, queued: 1, dead_letter: 1 });
    assert.ok(w.funnel.slice(11).every((p) => p.indexes[0] === OPEN_2));

    const all = JSON.stringify(w.funnel);
    for (const secret of ["ann.lee", "example.com", "Ann", "Lee", "7946", "198.51.100"]) {
      assert.ok(!all.includes(secret), `no ${secret} in the funnel`);
    }
  });
});

test("every log line has a level, and a refused key raises its own error line to alert on", async () => {
  await withWorker({}, async (w) => {
    await w.fetch(`/apply/${OPEN}`); // the positions are cached first: the fault hits the invite
    w.standIn.addFault("401", 1);
    assert.equal((await w.postForm(OPEN, ann({ email: "key@example.com" }))).status, 202);
    await w.until(() => w.interviewsFor(OPEN, "key@example.com").length === 1, 15000, "the retried invite");
    await w.until(() => w.logs().includes("hireflix_unauthorized"), 5000, "the alert line");
    // The retry's own line follows its KV write and the ledger's settle: wait for it, not race it.
    await w.until(() => w.logs().includes('"source":"queue","outcome":"invited"'), 5000, "the retry's line");
    const lines = w.logs().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
    assert.ok(lines.length >= 3);
    for (const line of lines) assert.ok(["info", "warn", "error"].includes(line.level), JSON.stringify(line));
    const alert = lines.find((l) => l.event === "hireflix_unauthorized");
    assert.equal(alert.level, "error");
    const queued = lines.find((l) => l.outcome === "queued");
    assert.equal(queued.level, "error", "a refused key is an error even though nothing was lost");
    assertCleanLogs(w.logs());
  });
});
