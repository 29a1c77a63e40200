// The worker's main module (scripts/build copies it into build/, beside worker-build's output):
// what worker-build made, with two changes to how the runtime runs it.
import { DurableObject } from "cloudflare:workers";
import * as built from "./index.js";

export { default, InviteLedger, PositionLine, HireflixPace, DeadLetters } from "./index.js";

// The runtime offers RPC (the objects' `ask`, see src/objects.rs) only on classes declared a
// `DurableObject`, and worker-build's panic-recovery shim exports ours as plain classes in
// proxies.
for (const name of ["InviteLedger", "PositionLine", "HireflixPace", "DeadLetters"]) {
  Object.setPrototypeOf(built[name], DurableObject);
  Object.setPrototypeOf(built[name].prototype, DurableObject.prototype);
}

// Every Rust future that wakes is run by js-sys's executor from a microtask it asks for with
// `queueMicrotask`, a dozen or more times a request. workerd's `queueMicrotask` goes through
// the runtime's C++ on each call; a resolved promise's `then` queues the same microtask inside
// V8 and cost 12-18% less CPU per request on every path (docs/performance.md). An exception
// still reaches the global `error` event, as from `queueMicrotask`: the shim's panic recovery
// listens there. (js-sys calls the global by its name, so the first request already uses this.)
const resolved = Promise.resolve();
globalThis.queueMicrotask = (task) => {
  resolved.then(task).catch(reportError);
};
