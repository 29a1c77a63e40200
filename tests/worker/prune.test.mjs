// Issue 17 item 7 (the ledger's part): the invite ledger's alarm deletes rows no rule needs any
// more, in bounded batches. Asked as the worker asks it, with a short uniqueness period.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withWorker } from "../harness.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Reserves one invite per mailbox; windows of a second, rows kept for `keepMs`; each application made at `appliedMs`. */
function reserve(stub, mailboxes, keepMs, appliedMs = Date.now()) {
  const call = {
    reserve: {
      asks: mailboxes.map((m) => ({ mailbox: m, spelling: `${m}-spelling`, position: "p1", applied_ms: appliedMs })),
      limits: { email_day: 0, account_day: 0, account_month: 0, account_minute: 0 },
      windows: { hour_seconds: 1, day_seconds: 1, month_seconds: 1 },
      flight_ms: 0,
      keep_ms: keepMs,
    },
  };
  return stub.fetch("https://invite-ledger/", { method: "POST", body: JSON.stringify(call) }).then(async (res) => {
    assert.equal(res.status, 200);
    return (await res.json()).answers.map((a) => Object.keys(a === null || typeof a !== "object" ? { [a]: 1 } : a)[0]);
  });
}

test("rows past the uniqueness period and every budget window are pruned by the alarm, a backlog in batches", async () => {
  await withWorker({}, async (w) => {
    const namespace = await w.mf.getDurableObjectNamespace("INVITE_LEDGER");
    const stub = namespace.get(namespace.idFromName("prune-test"));
    const many = Array.from({ length: 1200 }, (_, i) => `m${i}`);
    assert.deepEqual(new Set(await reserve(stub, many, 1500)), new Set(["granted"]));
    // Within the period the mailbox is still known: the same address again is a resubmission.
    assert.deepEqual(await reserve(stub, ["m0"], 1500), ["resubmission"]);

    const started = Date.now();
    let answers;
    for (;;) {
      await sleep(500);
      answers = await reserve(stub, [many[many.length - 1]], 1500);
      if (answers[0] === "granted" || Date.now() - started > 15000) break;
    }
    assert.deepEqual(answers, ["granted"], "the last row was pruned: the mailbox is new again");
    // 1,200 rows at 500 an alarm: three alarms, a second apart once the first found a full batch.
    assert.ok(Date.now() - started >= 1500, "not before the period was over");
    assert.deepEqual(new Set(await reserve(stub, many.slice(0, 1199), 1500)), new Set(["granted"]), "every row went");
  });
});

test("an erasure's mark drops the mailbox's older applications, not a later one, until its time; then the alarm prunes it", async () => {
  await withWorker({}, async (w) => {
    const namespace = await w.mf.getDurableObjectNamespace("INVITE_LEDGER");
    const stub = namespace.get(namespace.idFromName("erasure-test"));
    const old = Date.now() - 60000;
    assert.deepEqual(await reserve(stub, ["m1", "m2"], 1500, old), ["granted", "granted"]);
    const forget = { forget: { mailbox: "m1", remember_ms: 2000 } };
    const res = await stub.fetch("https://invite-ledger/", { method: "POST", body: JSON.stringify(forget) });
    // The rows that went, as `position:record` each (the record's KV key; '' here, none made).
    assert.deepEqual((await res.text()).split(" ").filter(Boolean), ["p1:"], "its row went");
    const erased = Date.now();
    assert.deepEqual(await reserve(stub, ["m1", "m3"], 1500, old), ["erased", "granted"], "only the erased mailbox");
    assert.deepEqual(await reserve(stub, ["m1"], 1500, 0), ["erased"], "a message from before applications carried a time");
    await sleep(5);
    assert.deepEqual(await reserve(stub, ["m1"], 1500, Date.now()), ["granted"], "applied again after the erasure");

    let answers;
    for (;;) {
      await sleep(500);
      answers = await reserve(stub, ["m1"], 1500, old);
      if (answers[0] !== "erased" || Date.now() - erased > 15000) break;
    }
    assert.ok(Date.now() - erased >= 2000, "kept for the time it was given");
    assert.notDeepEqual(answers, ["erased"], "then pruned: nothing grows without bound");
  });
});
