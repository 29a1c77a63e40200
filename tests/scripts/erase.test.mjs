// scripts/erase against the built worker in workerd: it erases the one candidate named, says
// how many of each kind went (a place in a waiting line too), never prints the token, and
// stops at the admin 404.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { withWorker, ann, ADMIN_TOKEN, OPEN } from "../harness.mjs";

function script(args, env) {
  return new Promise((resolve) => {
    const child = spawn("bash", ["scripts/erase", ...args], { env: { ...process.env, ...env } });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (out += c));
    child.on("exit", (code) => resolve({ code, out }));
  });
}

test("scripts/erase removes one candidate and prints the counts", async () => {
  // One invite an hour: Bob waits in the position's line.
  await withWorker({ http: true, vars: { INVITES_PER_POSITION_PER_HOUR: "1" } }, async (w) => {
    const env = { WORKER_URL: w.url.toString(), ADMIN_TOKEN };
    await w.fetch(`/apply/${OPEN}`);
    assert.equal((await w.postForm(OPEN, ann({ email: "ann.lee@example.com" }))).status, 303);
    assert.equal((await w.postForm(OPEN, ann({ firstName: "Bob", email: "bob@example.com" }))).status, 202);
    await w.untilRemembered(OPEN, 2);

    const bad = await script(["not-an-address"], env);
    assert.equal(bad.code, 1);
    assert.match(bad.out, /not an email address/);
    const wrong = await script(["ann.lee@example.com"], { ...env, ADMIN_TOKEN: "x".repeat(40) });
    assert.equal(wrong.code, 1);
    assert.match(wrong.out, /answered 404/);
    assert.equal((await w.kvKeys(`app:v2:${OPEN}:`)).length, 2, "nothing erased without the token");

    const { code, out } = await script(["ann.lee@example.com"], env);
    assert.equal(code, 0, out);
    assert.match(out, /waiting-line entries: 0\n/);
    assert.match(out, /KV records \(of \d+ position\(s\) searched\): 1\n/);
    assert.match(out, /invite ledger rows: 1\n/);
    assert.match(out, /dead letters: 0\n/);
    assert.match(out, /delete the candidate there too/);
    assert.ok(!out.includes(ADMIN_TOKEN));
    assert.equal((await w.kvKeys(`app:v2:${OPEN}:`)).length, 1, "Bob's record stays");
    const bob = await script(["bob@example.com"], env);
    assert.equal(bob.code, 0, bob.out);
    assert.match(bob.out, /waiting-line entries: 1\n/);
  });
});
