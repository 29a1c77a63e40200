// The main module (src/entry.mjs) changes how workerd runs the built worker: its objects answer
// over RPC (every other test file relies on that), and microtasks are queued through a resolved
// promise. This file checks what that must keep: an exception thrown from a microtask still
// reaches the global `error` event, where worker-build's shim listens to recover from a panic.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { withWorker } from "../harness.mjs";

const PROBE = "build/microtask-probe.mjs";
writeFileSync(
  PROBE,
  `export * from "./entry.mjs";
const reported = [];
addEventListener("error", (event) => reported.push(event.error?.message));
export default {
  async fetch() {
    let ran = false;
    queueMicrotask(() => { ran = true; });
    queueMicrotask(() => { throw new Error("thrown in a microtask"); });
    await new Promise((resolve) => setTimeout(resolve, 10));
    return Response.json({ ran, reported, replaced: !String(queueMicrotask).includes("[native code]") });
  },
};
`,
);

test("a microtask runs, and its exception reaches the global error event (the panic recovery's signal)", async () => {
  await withWorker({ entry: PROBE }, async (w) => {
    const answer = await (await w.fetch("/")).json();
    assert.deepEqual(answer, { ran: true, reported: ["thrown in a microtask"], replaced: true });
  });
});
