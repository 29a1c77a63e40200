// The worker's main module (scripts/build copies it into build/, beside worker-build's output):
// what worker-build made, with each Durable Object class declared a `DurableObject`. The runtime
// offers RPC (the objects' `ask`, see src/objects.rs) only on such classes, and worker-build's
// panic-recovery shim exports them as plain classes in proxies.
import { DurableObject } from "cloudflare:workers";
import * as built from "./index.js";

export { default, InviteLedger, PositionLine, HireflixPace, DeadLetters } from "./index.js";

for (const name of ["InviteLedger", "PositionLine", "HireflixPace", "DeadLetters"]) {
  Object.setPrototypeOf(built[name], DurableObject);
  Object.setPrototypeOf(built[name].prototype, DurableObject.prototype);
}
