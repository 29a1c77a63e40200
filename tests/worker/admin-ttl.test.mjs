// An admin replay writes the candidate's "queued" record for SUBMISSION_TTL_DAYS, like every
// other record (it was a fixed 30 days).
import { test } from "node:test";
import assert from "node:assert/strict";
import { withWorker, OPEN } from "../harness.mjs";

const ADMIN_TOKEN = "admin-token-Tt52-never-shown-0123456789";
const DAY_MS = 86_400_000;

test("a replayed dead letter's record expires after SUBMISSION_TTL_DAYS", async () => {
  // Without the ledger a queued invite is only requeued (long delay), so nothing but the replay
  // writes the record, and letters live in KV where the test can file one.
  await withWorker({
    ledger: false,
    vars: { ADMIN_TOKEN, SUBMISSION_TTL_DAYS: "2", MAX_INVITE_ATTEMPTS: "5", RETRY_BASE_DELAY_SECONDS: "3600" },
  }, async (w) => {
    const invite = {
      positionId: OPEN,
      firstName: "Fay",
      lastName: "Lost",
      email: "fay.lost@example.com",
      attempt: 5,
      requestId: "r-replay-ttl",
    };
    await w.kv.put("failed:replay-ttl", JSON.stringify({ reason: "gave_up_after_5_attempts: http_5xx", failedAt: Date.now(), invite }));
    const replay = await w.fetch("/admin/dead-letters/replay", { method: "POST", headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(replay.status, 200);
    assert.deepEqual(await replay.json(), { replayed: 1, notReplayed: 0, complete: true });
    const { keys } = await w.kv.list({ prefix: `app:v2:${OPEN}:` });
    assert.equal(keys.length, 1, "the candidate is queued again");
    const lifeMs = keys[0].expiration * 1000 - Date.now();
    assert.ok(Math.abs(lifeMs - 2 * DAY_MS) < 60_000, `the record lives ${(lifeMs / DAY_MS).toFixed(2)} days, not 2`);
  });
});
