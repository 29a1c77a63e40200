// The floor worker's main module (build.sh copies it into build/): the project's src/entry.mjs
// for one class. RPC (`ask`) is offered only on classes declared a DurableObject, and js-sys's
// executor's microtasks go through a resolved promise rather than workerd's queueMicrotask.
import { DurableObject } from "cloudflare:workers";
import * as built from "./index.js";

export { default, InviteLedger } from "./index.js";

Object.setPrototypeOf(built.InviteLedger, DurableObject);
Object.setPrototypeOf(built.InviteLedger.prototype, DurableObject.prototype);

const resolved = Promise.resolve();
globalThis.queueMicrotask = (task) => {
  resolved.then(task).catch(reportError);
};
