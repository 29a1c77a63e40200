// A variant main module for the floor bench (build.sh copies it into build/): the Rust worker's
// fetch handler with the JavaScript InviteLedger of ../js/index.js (same class, same SQL), so
// that a run against the all-Rust entry splits the new path's gap into the object's side (the
// Rust `ask` in wasm) and the caller's side.
//   node bench.mjs /work/wt/floor/bench/floor/rust /work/wt/floor/bench/floor/rust-jsdo --paths new ...
import { DurableObject } from "cloudflare:workers";

export { default } from "./index.js";

export class InviteLedger extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS invites (mailbox TEXT NOT NULL, position TEXT NOT NULL,
      at_ms INTEGER NOT NULL, UNIQUE (mailbox, position))`);
  }

  ask(call) {
    const { mailbox, position } = JSON.parse(call);
    const prior = this.sql.exec("SELECT at_ms FROM invites WHERE mailbox = ? AND position = ?", mailbox, position).toArray().length > 0;
    if (!prior) this.sql.exec("INSERT INTO invites (mailbox, position, at_ms) VALUES (?, ?, ?)", mailbox, position, Date.now());
    return JSON.stringify({ gate: prior ? "resubmission" : "invite" });
  }
}

// As entry.mjs: js-sys's executor's microtasks through a resolved promise.
const resolved = Promise.resolve();
globalThis.queueMicrotask = (task) => {
  resolved.then(task).catch(reportError);
};
