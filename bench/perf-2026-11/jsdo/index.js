// The price of one invite-ledger round trip in plain JS, for issue 12's account: a JS worker
// that reads the body, calls a JS Durable Object with SQLite storage (one SELECT and one
// INSERT, like a reservation), and answers 303. Run it with cpu.mjs like a build directory
// (the class is named InviteLedger so cpu.mjs binds it); compare with ../min303js.
import { DurableObject } from "cloudflare:workers";
export class InviteLedger extends DurableObject {
  constructor(ctx, env) { super(ctx, env); this.sql = ctx.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS invites (id INTEGER PRIMARY KEY, mailbox TEXT NOT NULL, spelling TEXT NOT NULL, position TEXT NOT NULL, at_ms INTEGER NOT NULL, UNIQUE (mailbox, position))"); }
  async fetch(req) {
    const ask = await req.json();
    const earlier = this.sql.exec("SELECT spelling FROM invites WHERE mailbox = ? AND position = ? LIMIT 1", ask.m, ask.p).toArray();
    const id = this.sql.exec("INSERT INTO invites (mailbox, spelling, position, at_ms) VALUES (?, ?, ?, ?) RETURNING id", ask.m, ask.m, ask.p, Date.now()).one().id;
    return Response.json({ id, earlier: earlier.length });
  }
}
let n = 0;
export default {
  async fetch(req, env) {
    if (req.method === "GET") return new Response("<p>ok</p>", { headers: { "content-type": "text/html" } });
    await req.text();
    const stub = env.INVITE_LEDGER.get(env.INVITE_LEDGER.idFromName("account"));
    const r = await stub.fetch("https://invite-ledger/", { method: "POST", body: JSON.stringify({ m: "mb" + (n++) + Math.random(), p: "pos" }) });
    await r.json();
    return new Response(null, { status: 303, headers: { location: "https://app.hireflix.com/x" } });
  },
};
