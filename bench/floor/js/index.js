// Floor bench for issue 21, not part of the worker: the skeleton of the new-invite path and
// nothing more, in plain JavaScript, the same steps in the same order as ../rust/src/lib.rs, so
// the bench can say what that runtime work costs at its minimum in Rust/wasm against JS.
//
// GET: a tiny form. POST /apply/<id>: read the form, HMAC the lowercased email under
// APP_SECRET, KV get; a hit is a 303 to the stored URL; a miss asks the InviteLedger once
// (one SELECT, one INSERT), invites at Hireflix, puts the URL in KV after the response, 303.
//
//   (cd ../rust && bash build.sh) && cd /work/benchcopy && node bench.mjs \
//     /work/wt/floor/bench/floor/rust /work/wt/floor/bench/floor/js --rounds 3 --kv stub \
//     --var APP_SECRET=bench-secret-0123456789abcdef0123456789

import { DurableObject } from "cloudflare:workers";

const FORM =
  '<!doctype html><title>Apply</title><form method="post"><input name="firstName"><input name="lastName"><input name="email"><input name="phoneNumber"><button>Apply</button></form>';
const KV_TTL_SECONDS = 30 * 24 * 3600;
const LEDGER_TIMEOUT_MS = 2000;
const UPSTREAM_TIMEOUT_MS = 8000;
const INVITE_MUTATION = `mutation Invite($input: InviteCandidateToInterviewInput!) {
  inviteCandidateToInterview(input: $input) {
    __typename
    ... on InterviewType { id url { short public } }
    ... on InterviewAlreadyExistsInPositionError { code m1: message }
    ... on InterviewExternalIdAlreadyExistsInPositionError { code m2: message }
    ... on ExceededInvitesThisPeriodError { code m3: message }
    ... on PositionNotFoundError { code m4: message }
    ... on PositionNotReadyToAcceptInvitesError { code m5: message }
    ... on ValidationError { code m6: message }
  }
}`;

const encoder = new TextEncoder();
// The HMAC key, imported once per isolate.
let hmacKey = { secret: null, key: null };
async function hmacHex(secret, message) {
  if (hmacKey.secret !== secret) {
    const key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    hmacKey = { secret, key };
  }
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey.key, encoder.encode(message)));
  let out = "";
  for (let i = 0; i < mac.length; i++) out += mac[i].toString(16).padStart(2, "0");
  return out;
}

const seeOther = (url) => new Response(null, { status: 303, headers: { location: url } });

// One ask under a deadline, as the Rust side's select(answer, Delay).
async function askLedger(env, call) {
  let timer;
  const deadline = new Promise((resolve) => (timer = setTimeout(resolve, LEDGER_TIMEOUT_MS, null)));
  try {
    const stub = env.INVITE_LEDGER.get(env.INVITE_LEDGER.idFromName("account"));
    return await Promise.race([stub.ask(call), deadline]);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

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

export default {
  async fetch(request, env, ctx) {
    if (request.method !== "POST") return new Response(FORM, { headers: { "content-type": "text/html; charset=utf-8" } });
    const path = new URL(request.url).pathname;
    const position = path.startsWith("/apply/") ? path.slice(7) : "";
    const form = { firstName: "", lastName: "", email: "", phoneNumber: "" };
    for (const [name, value] of new URLSearchParams(await request.text())) if (form[name] === "") form[name] = value;
    const email = form.email.trim().toLowerCase();
    if (!email.includes("@")) return new Response("invalid", { status: 422 });
    const key = await hmacHex(env.APP_SECRET || "", email);
    const stored = await env.SUBMISSIONS.get(key);
    if (stored !== null) return seeOther(stored);

    const answer = await askLedger(env, JSON.stringify({ mailbox: key, position }));
    if (answer === null) return new Response("ledger", { status: 503 });
    const { gate } = JSON.parse(answer);
    if (gate !== "invite" && gate !== "resubmission") return new Response("check your email");

    const res = await fetch(env.HIREFLIX_API_URL, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/json", "x-api-key": env.HIREFLIX_API_KEY },
      body: JSON.stringify({
        query: INVITE_MUTATION,
        variables: {
          input: {
            positionId: position,
            externalId: key.slice(0, 40),
            candidate: { email, firstName: form.firstName, lastName: form.lastName, ...(form.phoneNumber ? { phone: form.phoneNumber } : {}) },
          },
        },
      }),
      signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
    });
    if (!res.ok) return new Response("upstream", { status: 503 });
    const url = (await res.json()).data.inviteCandidateToInterview.url.short;

    ctx.waitUntil(env.SUBMISSIONS.put(key, url, { expirationTtl: KV_TTL_SECONDS }));
    return seeOther(url);
  },
};
