// Issue 17 item 3 (the ledger's part): each mailbox's rules live in one of 64 bucket objects
// picked by its HMAC, the account's budgets in the `account` object as counters. A bucket's
// reservation that the account refuses is released: the refused candidate holds no mailbox.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { withWorker, wrappedEntry, ann, APP_SECRET, OPEN } from "../harness.mjs";

// The built worker with the ledger's class wrapped to count the account's `take` calls (module
// state: every object of the worker runs in its isolate); any instance answers the count.
const TAKE_CALLS = wrappedEntry("take-calls", `let takes = 0;
export class InviteLedger extends DurableObject {
  constructor(state, env) { super(state, env); this.inner = new worker.InviteLedger(state, env); }
  ask(call) {
    if (call.startsWith('{"take"')) takes += 1;
    return this.inner.ask(call);
  }
  fetch(request) {
    if (new URL(request.url).pathname === "/__takes") return Response.json(takes);
    return this.inner.fetch(request);
  }
  alarm(...args) { return this.inner.alarm(...args); }
}
`);

/** The bucket object and the keys the worker derives for an address already canonical. */
function keysOf(canonical, exact = canonical) {
  const mac = (label, value) => createHmac("sha256", APP_SECRET).update(`${label}\0${value}`).digest("hex");
  const mailbox = mac("hireflix-apply/mailbox/v1", canonical);
  return { mailbox, spelling: mac("hireflix-apply/spelling/v1", exact), bucket: `mailbox-${parseInt(mailbox.slice(0, 2), 16) % 64}` };
}

async function reserveIn(w, keys, instance = keys.bucket) {
  const namespace = await w.mf.getDurableObjectNamespace("INVITE_LEDGER");
  const stub = namespace.get(namespace.idFromName(instance));
  const call = {
    reserve: {
      asks: [{ mailbox: keys.mailbox, spelling: keys.spelling, position: OPEN }],
      limits: { email_day: 0, account_day: 0, account_month: 0, account_minute: 0 },
      windows: { hour_seconds: 3600, day_seconds: 86400, month_seconds: 0 },
    },
  };
  const res = await stub.fetch("https://invite-ledger/", { method: "POST", body: JSON.stringify(call) });
  assert.equal(res.status, 200);
  const [answer] = (await res.json()).answers;
  return typeof answer === "string" ? answer : Object.keys(answer)[0];
}

test("the mailbox's bucket keeps its invite; a refusal by the account's budget leaves the bucket holding nothing", async () => {
  await withWorker({ vars: { INVITES_PER_DAY: "1" } }, async (w) => {
    await w.fetch(`/apply/${OPEN}`);
    assert.equal((await w.postForm(OPEN, ann({ email: "first@example.com" }))).status, 303);
    const parked = await w.postJson(OPEN, ann({ email: "second@example.com" }));
    assert.equal(parked.status, 202, "over the account's day: parked");
    assert.equal(w.inviteRequests().length, 1);
    // The invited mailbox is held in its own bucket; the parked one is not held anywhere.
    // (in flight for a few seconds after its call, then a resubmission: held either way)
    assert.ok(["in_flight", "resubmission"].includes(await reserveIn(w, keysOf("first@example.com"))));
    assert.equal(await reserveIn(w, keysOf("second@example.com")), "granted", "released when the account refused");
  });
});

test("after the upgrade from one account object, the invites it recorded still count: no second spelling, budgets from their rows", async () => {
  await withWorker({ vars: { INVITES_PER_DAY: "3" } }, async (w) => {
    await w.fetch(`/apply/${OPEN}`);
    // As the single `account` ledger recorded them before the buckets: three invites today.
    for (const email of ["victim@gmail.com", "a@example.com", "b@example.com"]) {
      assert.equal(await reserveIn(w, keysOf(email), "account"), "granted");
    }
    const other = await w.postJson(OPEN, ann({ email: "v.ictim@gmail.com" }));
    assert.equal((await other.json()).status, "invited_by_email", "the recorded mailbox is not invited again");
    const over = await w.postJson(OPEN, ann({ email: "new@example.com" }));
    assert.equal(over.status, 202, "the day's counter starts from the three recorded invites");
    assert.equal(w.inviteRequests().length, 0);
  });
});

test("with the account's budgets off, an isolate's new invites spend a lease: the account is asked once per lease, not per invite", async () => {
  const vars = { INVITES_PER_DAY: "0", INVITES_PER_MONTH: "0", INVITES_PER_MINUTE: "0" };
  await withWorker({ vars, entry: TAKE_CALLS }, async (w) => {
    await w.fetch(`/apply/${OPEN}`);
    const invites = 24;
    for (let i = 0; i < invites; i++) {
      assert.equal((await w.postForm(OPEN, ann({ email: `lease${i}@example.com` }))).status, 303, `candidate ${i}`);
    }
    assert.equal(w.inviteRequests().length, invites, "every one invited");
    const namespace = await w.mf.getDurableObjectNamespace("INVITE_LEDGER");
    const takes = await (await namespace.get(namespace.idFromName("count")).fetch("https://count/__takes")).json();
    // Leases of 16: two takes, one more for each lease that ended early (a minute's end, 10 s).
    assert.ok(takes >= 2 && takes <= 4, `${takes} account calls for ${invites} new invites`);
  });
});

test("leases never pass a budget: with 40 a day (leases of 2), exactly 40 of 45 new candidates are invited, the rest wait", async () => {
  const vars = { INVITES_PER_DAY: "40", INVITES_PER_MONTH: "0", INVITES_PER_MINUTE: "0" };
  await withWorker({ vars, entry: TAKE_CALLS }, async (w) => {
    await w.fetch(`/apply/${OPEN}`);
    const statuses = [];
    for (let i = 0; i < 45; i++) statuses.push((await w.postForm(OPEN, ann({ email: `day${i}@example.com` }))).status);
    assert.equal(w.inviteRequests().length, 40, "the day's budget, no more and (one isolate) no less");
    assert.deepEqual(statuses.slice(40), [202, 202, 202, 202, 202], "over the day: queued");
    const namespace = await w.mf.getDurableObjectNamespace("INVITE_LEDGER");
    const takes = await (await namespace.get(namespace.idFromName("count")).fetch("https://count/__takes")).json();
    assert.ok(takes < 40, `${takes} account calls for 40 invites`);
  });
});
