// Runs the BUILT worker (build/index.js + wasm) in workerd through Miniflare, with KV, the
// invite queue and its DLQ, the rate limiter, the invite ledger, the pace and the dead letters
// (SQLite Durable Objects) and
// static assets bound as wrangler.toml binds them, against a fresh local Hireflix stand-in on a
// loopback port (and, with `turnstile: true`, a local Turnstile stand-in answering siteverify).

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { after, before, beforeEach } from "node:test";
import { Miniflare } from "miniflare";
import { HireflixStandIn } from "./stand-ins/hireflix.mjs";
import { TurnstileStandIn, SECRETS, SITEKEYS } from "./stand-ins/turnstile.mjs";

export const API_KEY = "test-key-Zx81-never-shown";
export const APP_SECRET = "test-app-secret-9f3c1d2e7a6b5c4d3e2f1a0b";
/** Opens /admin/ and /healthz's details (`w.health`); `vars: { ADMIN_TOKEN: "" }` closes them. */
export const ADMIN_TOKEN = "test-admin-token-5e8d2c7b1a9f4e3d6c0b";
export const OPEN = "68b43e38b19cf131a17c543f";
export const OPEN_2 = "68b43e38b19cf131a17c5440";
export const ARCHIVED = "68b43e38b19cf131a17c5441";
export const UNKNOWN = "68b43e38b19cf131a17c5aaa";

const QUEUE = "hireflix-apply-invites";
const DLQ = "hireflix-apply-invites-dlq";

/**
 * Starts a stand-in and the worker. `vars` override the worker's vars; `http: true` also
 * listens on a loopback port (for browsers and raw HTTP); `turnstile: true` turns Turnstile on
 * against a local stand-in (`w.turnstile`) with the test sitekey and secret that pass (`vars`
 * may still override them); `positions` replaces the stand-in's positions; `ledger: false`
 * leaves the invite ledger unbound; `without` names other bindings to leave out
 * (`RATE_LIMITER`, `NETWORK_RATE_LIMITER`, `INVITE_QUEUE`, `INVITE_DLQ`, `HIREFLIX_PACE`,
 * `DEAD_LETTERS`, `POSITION_LINE`); `lettersFail: true` binds `DEAD_LETTERS` to an object that answers every
 * call with a 500 (a full or failing store); `persist` keeps the objects' storage in that folder
 * (as a deployed worker keeps it across versions); `lineSwitch: true` puts the lines behind
 * `w.line.down`; `entry` replaces build/entry.mjs as the worker's main module (one in build/
 * that imports it, to wrap what it exports). Returns helpers; call `stop()`.
 */
export async function start({
  vars = {},
  rateLimit = 1000,
  http = false,
  maxRetries = 5,
  turnstile = false,
  positions,
  ledger = true,
  without = [],
  lettersFail = false,
  persist,
  lineSwitch = false,
  entry = "build/entry.mjs",
} = {}) {
  const standIn = new HireflixStandIn({ apiKey: API_KEY, ...(positions ? { positions } : {}) });
  const origin = await standIn.listen(0);
  const turnstileStandIn = turnstile ? new TurnstileStandIn() : null;
  let turnstileVars = {};
  if (turnstileStandIn) {
    await turnstileStandIn.listen(0);
    turnstileVars = {
      TURNSTILE_SITE_KEY: SITEKEYS.pass,
      TURNSTILE_SECRET_KEY: SECRETS.pass,
      TURNSTILE_VERIFY_URL: turnstileStandIn.verifyUrl,
    };
  }
  const logs = [];
  const funnel = [];
  /** With `lineSwitch: true`, `w.line.down = true` makes every call to a position's line fail. */
  const line = { down: false };
  const mf = new Miniflare({
    cf: false,
    ...(persist ? { durableObjectsPersist: persist } : {}),
    ...(http ? { host: "127.0.0.1", port: 0 } : {}),
    handleRuntimeStdio(stdout, stderr) {
      for (const stream of [stdout, stderr]) stream.on("data", (chunk) => logs.push(chunk.toString("utf8")));
    },
    workers: [
      {
        name: "hireflix-apply",
        modules: true,
        scriptPath: entry,
        modulesRules: [
          { type: "CompiledWasm", include: ["**/*.wasm"] },
          // build/index.js, which the entry imports.
          { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
        ],
        compatibilityDate: "2026-04-26",
        assets: { directory: "public", routerConfig: { has_user_worker: true } },
        kvNamespaces: ["SUBMISSIONS"],
        queueProducers: Object.fromEntries(
          Object.entries({ INVITE_QUEUE: { queueName: QUEUE }, INVITE_DLQ: { queueName: DLQ } }).filter(([name]) => !without.includes(name)),
        ),
        queueConsumers: {
          [QUEUE]: { maxBatchSize: 10, maxBatchTimeout: 1, maxRetries, deadLetterQueue: DLQ, retryDelay: 0 },
          [DLQ]: { maxBatchSize: 10, maxBatchTimeout: 1 },
        },
        // As wrangler.toml: an IPv6 /48 gets three times one client's limit.
        ratelimits: Object.fromEntries(
          [["RATE_LIMITER", rateLimit], ["NETWORK_RATE_LIMITER", rateLimit * 3]]
            .filter(([name]) => !without.includes(name))
            .map(([name, limit]) => [name, { simple: { limit, period: 60 } }]),
        ),
        durableObjects: {
          ...(ledger ? { INVITE_LEDGER: { className: "InviteLedger", useSQLite: true } } : {}),
          ...(without.includes("HIREFLIX_PACE") ? {} : { HIREFLIX_PACE: { className: "HireflixPace", useSQLite: true } }),
          ...(without.includes("DEAD_LETTERS") ? {} : {
            DEAD_LETTERS: lettersFail ? { className: "Refuse", scriptName: "failing-letters" } : { className: "DeadLetters", useSQLite: true },
          }),
          ...(without.includes("POSITION_LINE") ? {} : { [lineSwitch ? "LINE_OBJECT" : "POSITION_LINE"]: { className: "PositionLine", useSQLite: true } }),
        },
        // Miniflare's own Analytics Engine binding keeps nothing: this one hands each data point
        // to the test (w.funnel), exactly as the worker wrote it.
        wrappedBindings: {
          FUNNEL: { scriptName: "funnel-recorder" },
          // The real lines behind a switch the test can turn off.
          ...(lineSwitch ? { POSITION_LINE: { scriptName: "line-switch" } } : {}),
        },
        bindings: {
          HIREFLIX_API_URL: `${origin}/me`,
          HIREFLIX_API_KEY: API_KEY,
          APP_SECRET: APP_SECRET,
          ALLOWED_POSITIONS: "",
          SUBMISSION_TTL_DAYS: "30",
          HIREFLIX_TIMEOUT_MS: "1000",
          RETRY_BASE_DELAY_SECONDS: "0",
          MAX_INVITE_ATTEMPTS: "30",
          // A spent quota holds invites for a second here, not three hours.
          QUOTA_RETRY_SECONDS: "1",
          // The shipped account budgets are small; tests that are not about them must not meet them.
          INVITES_PER_DAY: "1000000",
          INVITES_PER_MONTH: "1000000",
          INVITES_PER_MINUTE: "1000000",
          ADMIN_TOKEN,
          // Far above any test's calls, unless a test sets its own pace.
          HIREFLIX_MAX_CALLS_PER_SECOND: "1000",
          ...turnstileVars,
          ...vars,
        },
      },
      ...(lineSwitch ? [{
        name: "line-switch",
        modules: true,
        // Named as the runtime's own class: the worker checks its bindings' constructor names.
        script: `export default function (env) {
          class DurableObjectNamespace {
            idFromName(name) { return env.REAL.idFromName(name); }
            get(id) {
              const stub = env.REAL.get(id);
              return { async ask(call) {
                if ((await (await env.SWITCH.fetch("http://switch/")).text()) === "down") throw new Error("the line is down");
                return stub.ask(call);
              } };
            }
          }
          return new DurableObjectNamespace();
        }`,
        durableObjects: { REAL: { className: "PositionLine", scriptName: "hireflix-apply", useSQLite: true } },
        serviceBindings: { SWITCH: async () => new Response(line.down ? "down" : "up") },
      }] : []),
      {
        name: "failing-letters",
        modules: true,
        script: `import { DurableObject } from "cloudflare:workers";
          export class Refuse extends DurableObject { ask() { throw new Error("full"); } fetch() { return new Response("full", { status: 500 }); } }
          export default { fetch() { return new Response(null, { status: 404 }); } };`,
        durableObjects: { REFUSE: { className: "Refuse", useSQLite: true } },
      },
      {
        name: "funnel-recorder",
        modules: true,
        script: `export default function (env) {
          return { writeDataPoint(point) { env.SINK.fetch("http://sink/", { method: "POST", body: JSON.stringify(point) }); } };
        }`,
        serviceBindings: {
          async SINK(request) {
            funnel.push(await request.json());
            return new Response(null, { status: 204 });
          },
        },
      },
    ],
  });
  const url = await mf.ready;
  const kv = await mf.getKVNamespace("SUBMISSIONS");
  let ip = 0;
  // What the worker must never log: its secrets, and the personal data the test posted.
  const secrets = Object.entries({ HIREFLIX_API_KEY: API_KEY, APP_SECRET, ...turnstileVars, ...vars })
    .filter(([name, value]) => /SECRET|API_KEY|TOKEN/.test(name) && String(value).length >= 8)
    .map(([, value]) => String(value));
  const posted = new Set();
  const remember = (fields) => {
    // Emails are caught wherever they appear (EMAIL below); names and phones only as posted.
    for (const name of ["firstName", "lastName", "phoneNumber"]) {
      const value = fields?.[name];
      if (typeof value === "string" && value.trim()) posted.add(value.trim());
    }
  };

  const api = {
    mf,
    kv,
    standIn,
    /** The Turnstile stand-in when started with `turnstile: true`, else null. */
    turnstile: turnstileStandIn,
    origin,
    url,
    logs: () => logs.join(""),
    /** Secret values bound to the worker, and every name and phone posted to it. */
    secrets,
    posted,
    /** Every Analytics Engine data point the worker wrote, as written. */
    funnel,
    line,
    /** A request from a fresh client IP unless `ip` is given, so rate limits stay out of the way. */
    fetch(path, init = {}) {
      const headers = new Headers(init.headers);
      if (!headers.has("cf-connecting-ip")) headers.set("cf-connecting-ip", `203.0.113.${(ip++ % 250) + 1}`);
      return mf.dispatchFetch(new URL(path, "http://apply.test").toString(), { redirect: "manual", ...init, headers });
    },
    /** /healthz as the operator sees it: with the worker's admin token, so with its details. */
    health(query = "", init = {}) {
      const token = vars.ADMIN_TOKEN ?? ADMIN_TOKEN;
      return api.fetch(`/healthz${query}`, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } });
    },
    postForm(positionId, fields, init = {}) {
      remember(fields);
      return api.fetch(`/apply/${positionId}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...init.headers },
        body: new URLSearchParams(fields).toString(),
      });
    },
    postJson(positionId, fields, init = {}) {
      remember(fields);
      return api.fetch(`/api/apply/${positionId}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...init.headers },
        body: JSON.stringify(fields),
      });
    },
    inviteRequests: () => standIn.requests.filter((r) => r.query.includes("inviteCandidateToInterview")),
    interviewsFor: (positionId, email) =>
      standIn.interviews.filter((i) => i.position.id === positionId && i.candidate.email.toLowerCase() === email.toLowerCase()),
    async kvKeys(prefix) {
      return (await kv.list({ prefix })).keys.map((k) => k.name);
    },
    /**
     * Asks the dead letters' object as the worker asks it (src/letters/mod.rs `Call`, as JSON):
     * "list", { file: { id, text, expires_ms } } or { unfile: { ids } }.
     */
    async letterBox(call) {
      const namespace = await mf.getDurableObjectNamespace("DEAD_LETTERS");
      const stub = namespace.get(namespace.idFromName("letters"));
      return stub.fetch("https://dead-letters/", { method: "POST", body: JSON.stringify(call) });
    },
    /**
     * Every dead letter, from their object where they are filed and from KV (where they go
     * without it, or when it refuses one): [{ id, letter, expiresMs }].
     */
    async deadLetters() {
      const out = [];
      if (!without.includes("DEAD_LETTERS") && !lettersFail) {
        const res = await api.letterBox("list");
        assert.equal(res.status, 200, "the object lists its letters");
        for (const [id, text, expiresMs] of (await res.json()).letters) out.push({ id, letter: JSON.parse(text), expiresMs });
      }
      for (const { name, expiration } of (await kv.list({ prefix: "failed:" })).keys) {
        out.push({ id: name, letter: JSON.parse(await kv.get(name)), expiresMs: expiration * 1000 });
      }
      return out;
    },
    /** Waits for KV to hold `count` candidate records in the position (written after the response). */
    untilRemembered(positionId, count = 1) {
      return api.until(async () => (await api.kvKeys(`app:v2:${positionId}:`)).length >= count, 5000, "the KV record");
    },
    /** Polls until `check()` is truthy (queue delivery is asynchronous); fails after `ms`. */
    async until(check, ms = 15000, what = "condition") {
      const deadline = Date.now() + ms;
      for (;;) {
        const value = await check();
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      await mf.dispose();
      await standIn.close();
      await turnstileStandIn?.close();
    },
  };
  return api;
}

const EMAIL = /[\w.+-]+@[\w-]+\.[\w.]+/;

/** The worker's log lines were captured and hold neither the API key nor an email address. */
export function assertCleanLogs(logs) {
  assert.match(logs, /"event":"application"/, "the worker's log lines were captured");
  assert.ok(!logs.includes(API_KEY), "the API key must never be logged");
  assert.ok(!EMAIL.test(logs), `no email address may be logged:\n${logs}`);
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The check every started worker gets when its test is done: no secret it was given, no email
 * address, and none of the names and phone numbers posted to it in its log lines.
 */
export function assertNoPersonalData(w) {
  const logs = w.logs();
  for (const secret of w.secrets) assert.ok(!logs.includes(secret), "a secret must never be logged");
  assert.ok(!EMAIL.test(logs), `no email address may be logged:\n${logs}`);
  for (const value of w.posted) {
    const digits = value.replace(/[^\d]/g, "");
    const patterns = /^\+?[\d\s().-]+$/.test(value)
      // A phone, as posted or as bare digits (E.164 without its +).
      ? (digits.length >= 7 ? [escape(value), `(?<!\\d)${digits}(?!\\d)`] : [])
      // A name of three letters or more, as a word.
      : /^\p{L}[\p{L}' -]{2,}$/u.test(value) ? [`(?<!\\p{L})${escape(value)}(?!\\p{L})`] : [];
    for (const p of patterns) assert.doesNotMatch(logs, new RegExp(p, "u"), `"${value}" was posted and must never be logged`);
  }
}

/**
 * Starts the worker (see `start`), runs `fn(w)` and always stops it; when `fn` succeeded the
 * worker's logs must hold no personal data (`assertNoPersonalData`). Returns what `fn` returns.
 */
export async function withWorker(options, fn) {
  const w = await start(options);
  let done = false;
  try {
    const result = await fn(w);
    done = true;
    return result;
  } finally {
    await w.stop();
    // A failed test already reports its own error; a leak is reported on its own.
    if (done) assertNoPersonalData(w);
  }
}

/**
 * One worker for a whole test file: started before its tests; each test begins with fresh
 * stand-ins and no candidate records; at the end its logs must hold no personal data
 * (`assertNoPersonalData`). `setup(w)` runs once it has started (a file's own `before` hooks may
 * run alongside this one, so they cannot use it). Returns a stand-in for the started worker's
 * helpers (`w.fetch`, ...).
 */
export function sharedWorker(options = {}, setup = () => {}) {
  let w;
  before(async () => {
    w = await start(options);
    await setup(w);
  });
  after(async () => {
    await w.stop();
    // Applications were posted: their lines must have been captured, or the check proves nothing.
    if (w.posted.size) assert.match(w.logs(), /"event":"application"/, "the worker's log lines were captured");
    assertNoPersonalData(w);
  });
  beforeEach(async () => {
    w.standIn.reset();
    w.turnstile?.reset();
    for (const name of await w.kvKeys("app:")) await w.kv.delete(name);
  });
  return new Proxy({}, { get: (_, name) => w[name] });
}

/** Local rate limits count in fixed windows of the clock's minutes: start well inside one. */
export async function awayFromWindowEdge() {
  const second = new Date().getSeconds();
  if (second > 45) await new Promise((r) => setTimeout(r, (61 - second) * 1000));
}

/** The worker's JSON log lines, parsed. */
export const logLines = (w) =>
  w.logs().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));

export const ann = (overrides = {}) => ({
  firstName: "Ann",
  lastName: "Lee",
  email: "ann.lee@example.com",
  phoneNumber: "+44 20 7946 0958",
  ...overrides,
});

/**
 * Writes build/<name>.mjs: the built worker re-exported, then `source`, which may wrap an object
 * class (`worker.X` is the built one, `DurableObject` the base) to watch it. Its path is for
 * `withWorker({ entry })`.
 */
export function wrappedEntry(name, source) {
  const path = `build/${name}.mjs`;
  writeFileSync(path, `import { DurableObject } from "cloudflare:workers";
import * as worker from "./entry.mjs";
export * from "./entry.mjs";
export { default } from "./entry.mjs";
${source}`);
  return path;
}
