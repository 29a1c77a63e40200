// Dead letters and unreadable queue messages: each message is read on its own, an unreadable
// one keeps its real reason and frees its candidate, and nothing else in its batch waits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { sharedWorker, withWorker, ann, ADMIN_TOKEN, APP_SECRET, OPEN } from "../harness.mjs";

const keyOf = (email) =>
  `app:v2:${OPEN}:` +
  createHmac("sha256", APP_SECRET).update(`hireflix-apply/candidate/v2\0${OPEN}\0${email}\0`).digest("hex");
const queued = (fields) => ({ positionId: OPEN, phoneNumber: "", attempt: 1, requestId: "r1", ...fields });

const w = sharedWorker({}, async (x) => assert.equal((await x.fetch(`/apply/${OPEN}`)).status, 200)); // positions cached

/** The letters filed, by id. */
async function letters() {
  return Object.fromEntries((await w.deadLetters()).map((l) => [l.id, l.letter]));
}

test("a queued application today's rules refuse: filed with its real reason, its 'queued' record cleared, its batch not held back", async () => {
  // Queued before a deploy that tightened the names rule: a digit in the name.
  const stale = queued({ firstName: "Ann2", lastName: "Lee", email: "stale@example.com" });
  await w.kv.put(keyOf("stale@example.com"), JSON.stringify({ state: "queued" }));
  const good = queued({ firstName: "Bo", lastName: "Lee", email: "good@example.com" });
  const invites = await w.mf.getQueueProducer("INVITE_QUEUE");
  await invites.sendBatch([{ body: stale }, { body: good }]);

  await w.until(() => w.interviewsFor(OPEN, "good@example.com").length === 1, 10000, "the good invite");
  const filed = await w.until(async () => {
    const all = Object.values(await letters());
    return all.find((l) => l.reason !== "unreadable_body" && l.unreadable?.includes("stale@example.com"));
  }, 10000, "the stale letter");
  assert.equal(filed.reason, "invalid_fields: firstName not_a_name");
  assert.ok(Number.isFinite(filed.failedAt));
  assert.equal(JSON.parse(filed.unreadable).email, "stale@example.com", "kept for an operator");
  assert.ok(Object.keys(await letters()).some((id) => id.startsWith(`failed:v2:${OPEN}:`)), "filed under its candidate");
  assert.equal(await w.kv.get(keyOf("stale@example.com")), null, "no longer 'queued'");
  // So the candidate, applying again with a name that passes, is decided afresh.
  const again = await w.postForm(OPEN, ann({ email: "stale@example.com" }));
  assert.equal(again.status, 303);
});

test("a body that is not JSON is set aside at once in either queue, and the rest of its batch goes on", async () => {
  const before = Object.keys(await letters()).length;
  const invites = await w.mf.getQueueProducer("INVITE_QUEUE");
  const started = Date.now();
  await invites.sendBatch([
    { body: 2n ** 70n, contentType: "v8" },
    { body: queued({ firstName: "Cy", lastName: "Lee", email: "cy@example.com" }) },
  ]);
  await w.until(() => w.interviewsFor(OPEN, "cy@example.com").length === 1, 10000, "the readable invite");
  assert.ok(Date.now() - started < 8000, "not after a redelivery of the whole batch");

  const dlq = await w.mf.getQueueProducer("INVITE_DLQ");
  const letter = { invite: queued({ firstName: "Di", lastName: "Lee", email: "di@example.com" }), reason: "position_not_ready" };
  await dlq.sendBatch([{ body: 2n ** 70n, contentType: "v8" }, { body: letter }]);
  const filed = await w.until(async () => {
    const all = Object.values(await letters());
    return all.length >= before + 3 && all;
  }, 10000, "three more letters");
  assert.equal(filed.filter((l) => l.reason === "unreadable_body").length, 2);
  assert.ok(filed.every((l) => l.reason !== "unreadable_body" || l.unreadable === "bigint"), "only its type is kept");
  assert.ok(filed.some((l) => l.reason === "position_not_ready" && l.invite.email === "di@example.com"));
});

test("letters are kept by their own object, where no daily KV write quota can refuse them, until DEAD_LETTER_TTL_DAYS; without it, in KV", async () => {
  const dlq = await w.mf.getQueueProducer("INVITE_DLQ");
  const sent = Date.now();
  await dlq.send({ invite: queued({ firstName: "Eve", lastName: "Lee", email: "eve@example.com" }), reason: "position_not_ready" });
  const eve = await w.until(async () => (await w.deadLetters()).find((l) => l.letter.invite?.email === "eve@example.com"), 10000, "Eve's letter");
  assert.deepEqual(await w.kvKeys("failed:"), [], "no letter written to KV");
  const ttl = 30 * 86400 * 1000;
  assert.ok(eve.expiresMs >= sent + ttl && eve.expiresMs <= Date.now() + ttl, "expires after DEAD_LETTER_TTL_DAYS");

  await withWorker({ without: ["DEAD_LETTERS"] }, async (bare) => {
    const dlq = await bare.mf.getQueueProducer("INVITE_DLQ");
    await dlq.send({ invite: queued({ firstName: "Fay", lastName: "Lee", email: "fay@example.com" }), reason: "position_not_ready" });
    await bare.until(async () => (await bare.kvKeys("failed:")).length === 1, 10000, "Fay's letter in KV");
  });
});

test("a letter expires by the object's alarm with nothing else happening", async () => {
  const file = (id, expiresMs) => w.letterBox({ file: { id, text: JSON.stringify({ reason: "test" }), expires_ms: expiresMs } });
  assert.equal((await file("failed:v2:unreadable:soon", Date.now() + 1500)).status, 200);
  assert.equal((await file("failed:v2:unreadable:later", Date.now() + 3600000)).status, 200);
  // No call to the object until the letter is past its time, so only its alarm can remove it.
  await new Promise((r) => setTimeout(r, 3500));
  const ids = (await w.deadLetters()).map((l) => l.id);
  assert.ok(!ids.includes("failed:v2:unreadable:soon"), "expired, removed by the alarm");
  assert.ok(ids.includes("failed:v2:unreadable:later"), "a letter not yet due stays");
  assert.equal(await (await w.letterBox({ unfile: { ids: ["failed:v2:unreadable:later"] } })).text(), "1");
});

test("a store that cannot take a letter never drops it: it goes to KV, and the operator lists it", async () => {
  await withWorker({ lettersFail: true }, async (full) => {
    const dlq = await full.mf.getQueueProducer("INVITE_DLQ");
    await dlq.send({ invite: queued({ firstName: "Gus", lastName: "Lee", email: "gus@example.com" }), reason: "position_not_ready" });
    await full.until(async () => (await full.kvKeys("failed:")).length === 1, 10000, "Gus's letter in KV");
    const listed = await full.fetch("/admin/dead-letters", { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(listed.status, 200);
    const { deadLetters, complete } = await listed.json();
    assert.deepEqual(deadLetters.map((l) => [l.email, l.reason]), [["g***@example.com", "position_not_ready"]]);
    assert.equal(complete, false, "the object's letters could not be read: the list says it is partial");
    // A replay puts back what it could read, and says the same.
    const replay = await full.fetch("/admin/dead-letters/replay", { method: "POST", headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.deepEqual(await replay.json(), { replayed: 1, notReplayed: 0, complete: false });
    assert.deepEqual(await full.kvKeys("failed:"), [], "the replayed letter is gone from KV");
  });
});

test("letters the invite ledger kept before they had their own object are taken over once, then listed until they expire", async () => {
  const dir = await mkdtemp(join(tmpdir(), "letters-"));
  try {
    // The ledger's storage as a deployed worker of the previous version left it: its old table.
    const old = new Miniflare({
      durableObjectsPersist: dir,
      workers: [{
        name: "hireflix-apply",
        modules: true,
        compatibilityDate: "2026-04-26",
        script: `export class InviteLedger {
          constructor(ctx) { this.sql = ctx.storage.sql; }
          fetch(req) {
            this.sql.exec("CREATE TABLE letters (id TEXT PRIMARY KEY, text TEXT NOT NULL, expires_ms INTEGER NOT NULL)");
            for (const [id, text, at] of JSON.parse(new URL(req.url).searchParams.get("rows"))) this.sql.exec("INSERT INTO letters VALUES (?, ?, ?)", id, text, at);
            return new Response("ok");
          }
        }
        export default { fetch() { return new Response(null, { status: 404 }); } };`,
        durableObjects: { INVITE_LEDGER: { className: "InviteLedger", useSQLite: true } },
      }],
    });
    const letter = (email) => JSON.stringify({ invite: queued({ firstName: "Hal", lastName: "Lee", email }), reason: "position_not_ready", failedAt: 1 });
    const rows = [
      [`failed:v2:${OPEN}:old`, letter("hal@example.com"), Date.now() + 86400000],
      [`failed:v2:${OPEN}:gone`, letter("ida@example.com"), Date.now() - 1000],
    ];
    const ledger = await old.getDurableObjectNamespace("INVITE_LEDGER");
    const res = await ledger.get(ledger.idFromName("account")).fetch(`https://x/?rows=${encodeURIComponent(JSON.stringify(rows))}`);
    assert.equal(await res.text(), "ok");
    await old.dispose();

    await withWorker({ persist: dir }, async (w) => {
      const listed = await w.fetch("/admin/dead-letters", { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      assert.deepEqual((await listed.json()).deadLetters.map((l) => l.email), ["h***@example.com"], "the live one, not the expired one");
      const moved = await w.deadLetters();
      assert.deepEqual(moved.map((l) => [l.id, l.expiresMs]), [[rows[0][0], rows[0][2]]], "in the new object, with its expiry");
      const ns = await w.mf.getDurableObjectNamespace("INVITE_LEDGER");
      const again = await ns.get(ns.idFromName("account")).fetch("https://invite-ledger/", { method: "POST", body: JSON.stringify({ hand_over: { taken: [] } }) });
      assert.deepEqual(await again.json(), { letters: [] }, "nothing left in the ledger");
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
