// Issue 17 item 7 (the ledger's part): the invite ledger's alarm deletes rows no rule needs any
// more, in bounded batches. Asked as the worker asks it, with a short uniqueness period.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withWorker } from "../harness.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Reserves one invite per mailbox; windows of a second, rows kept for `keepMs`. */
function reserve(stub, mailboxes, keepMs) {
  const call = {
    reserve: {
      asks: mailboxes.map((m) => ({ mailbox: m, spelling: `${m}-spelling`, position: "p1" })),
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
