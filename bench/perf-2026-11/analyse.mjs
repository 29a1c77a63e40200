#!/usr/bin/env node
// Per-request account of a .cpuprofile from prof.mjs: each non-idle sample goes to the deepest
// frame on its stack that matches a category (ordered patterns below), and within that to the
// kind of its leaf frame (our wasm, wasm-bindgen JS glue, a runtime API, GC, V8/workerd native).
//   node analyse.mjs DIR/path.cpuprofile REQUESTS [--detail CATEGORY]
import fs from "node:fs";

const [file, reqsArg, ...rest] = process.argv.slice(2);
const reqs = Number(reqsArg);
const detail = rest[0] === "--detail" ? rest[1] : null;
const prof = JSON.parse(fs.readFileSync(file, "utf8"));

// [category, regexp on "functionName [file]"]; the deepest match on the stack wins.
const CATS = [
  ["runtime + shim (outside our code)", /^(?!)/], // default: samples under no pattern below
  ["JS shim: Entrypoint Proxy, fetch export", /^(construct|WorkerEntrypoint|E\.fetch|apply|Y|fetch externref shim) \[/],
  ["async glue (JsFuture, microtasks)", /queueMicrotask|schedule_task|JsFuture|cb_unref|Closure|closure::|raw_wake|Task::|__wbg_new_typed|__wbg_then|__wbg_resolve/],
  ["request in: worker::Request, path, method", /FromRequest|worker::request::Request::(path|method|url|new|inner)|__wbg_url_|__wbg_method_/],
  ["config + Services::from_env", /Services::from_env|Config::from_env|RawConfig|Env::(kv|queue|var|secret|get_binding|rate_limiter)|HireflixClient::new|TrustedHosts::for_api|parse_api_url|parse_allowed/],
  ["positions lookup (memo)", /positions::|Services::lookup/],
  ["query/prefill parse", /parse_urlencoded|repair_unencoded_plus|query_of/],
  ["body read (stream, headers)", /read_capped|ByteStream|read_application|ReadableStream|getReader|releaseLock|__wbg_read_/],
  ["form parse + validation (domain)", /ApplicationForm|domain::|form_urlencoded/],
  ["rate limiter", /within_rate_limit|RateLimiter|__wbg_limit_/],
  ["SHA-256 (key, names)", /CandidateKey|names_tag|sha2::|Sha256/],
  ["KV get", /Store::get|GetOptionsBuilder/],
  ["KV put (+ waitUntil)", /Store::put|put_text|Pipeline::remember|wait_until|PutOptionsBuilder/],
  ["interview URL check", /InterviewUrl::parse|HttpUrl::parse/],
  ["log line (JSON, console.log, request id)", /ApplicationLog|request_id|console|__wbg_log_|serialize_entry/],
  ["Hireflix call: build, fetch, parse", /HireflixClient|documents::|classify_invites|outcome::|Fetch::|AbortSignal|serde_json/],
  ["askama render + page model", /pages::|FormPage|MessagePage|askama|field_view/],
  ["response out: Response, Headers", /respond::|worker::response|Headers::(set|new|default)|__wbg_set_|new_with_opt_str_and_init|new_with_opt_buffer|__wbg_headers_|^Response \[|^Headers \[|IntoResponse/],
];
const kind = (cf) => {
  const u = cf.url || "";
  const n = cf.functionName || "";
  if (n === "(garbage collector)") return "GC";
  if (n === "(program)") return "native";
  if (/\.wasm/.test(u) && /^(js-to-wasm|wasm-to-js)/.test(n)) return "crossing";
  if (/^(js-to-wasm|wasm-to-js)/.test(n)) return "crossing";
  if (/\.wasm/.test(u)) return "wasm";
  if (/index\.js$/.test(u)) return "glue JS";
  return "runtime API";
};
const KINDS = ["wasm", "glue JS", "crossing", "runtime API", "GC", "native"];

const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children || []) parent.set(c, n.id);
const label = (n) => `${n.callFrame.functionName || "(anon)"} [${(n.callFrame.url || "").replace(/^.*\//, "")}]`;
const table = new Map(CATS.map(([c]) => [c, Object.fromEntries(KINDS.map((k) => [k, 0]))]));
const det = new Map();
let total = 0;
for (let i = 0; i < prof.samples.length; i++) {
  const dt = prof.timeDeltas[i + 1] ?? 0;
  const leaf = byId.get(prof.samples[i]);
  if (leaf.callFrame.functionName === "(idle)") continue;
  total += dt;
  const stack = [];
  for (let id = leaf.id; id !== undefined; id = parent.get(id)) stack.push(byId.get(id));
  let cat = CATS[0][0];
  outer: for (const n of stack) {
    // leaf first: the deepest frame that matches any category
    const l = label(n);
    for (let c = CATS.length - 1; c >= 1; c--)
      if (CATS[c][1].test(l)) {
        cat = CATS[c][0];
        break outer;
      }
  }
  table.get(cat)[kind(leaf.callFrame)] += dt;
  if (detail && cat === detail) det.set(label(leaf), (det.get(label(leaf)) || 0) + dt);
}
const scaleTo = Number(process.env.SCALE_TO || 0); // express as shares of this us/req (e.g. the bench's /proc figure)
const f = (us) => (scaleTo ? (us / total) * scaleTo : us / reqs).toFixed(1).padStart(7);
console.log(`${file}: ${reqs} requests, JS thread busy ${(total / reqs).toFixed(1)} us/req${scaleTo ? `; figures below are shares of ${scaleTo} us/req` : ""}`);
console.log(`${"category".padEnd(46)}${"total".padStart(7)} ${KINDS.map((k) => k.padStart(11)).join("")}`);
const rows = [...table].map(([c, k]) => [c, k, Object.values(k).reduce((a, b) => a + b, 0)]).filter((r) => r[2] > 0).sort((a, b) => b[2] - a[2]);
for (const [c, k, t] of rows) console.log(`${c.padEnd(46)}${f(t)} ${KINDS.map((x) => f(k[x]).padStart(11)).join("")}  ${((100 * t) / total).toFixed(1).padStart(5)}%`);
if (detail) {
  console.log(`\n-- leaves in "${detail}"`);
  for (const [l, v] of [...det].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${f(v)}  ${l}`);
}
