#!/usr/bin/env node
// CPU profile of one worker per path, through workerd's inspector (V8 sampling profiler).
//   node prof.mjs <worker dir> [--paths form,hit,new] [--seconds 8] [--interval-us 50] [--out DIR]
// Same bindings as bench.mjs --kv stub. Writes DIR/<path>.cpuprofile and prints, per path,
// the requests served, profiled us/req (non-idle samples), and the top functions by self and
// by inclusive time, in us/req.
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import WebSocket from "ws";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const o = { paths: ["form", "hit", "new"], seconds: 8, interval: 50, out: "/tmp/prof", top: 25, vars: {} };
let dir = null;
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === "--paths") o.paths = argv[++i].split(",");
  else if (a === "--seconds") o.seconds = Number(argv[++i]);
  else if (a === "--interval-us") o.interval = Number(argv[++i]);
  else if (a === "--out") o.out = argv[++i];
  else if (a === "--top") o.top = Number(argv[++i]);
  else if (a === "--var") { const [k, ...v] = argv[++i].split("="); o.vars[k] = v.join("="); }
  else dir = a;
}
fs.mkdirSync(o.out, { recursive: true });
const POSITION_ID = "68b43e38b19cf131a17c543f";
const FORM_PATH = `/apply/${POSITION_ID}`;
const CLIENT_IP = "203.0.113.7";
let entry = fs.existsSync(path.join(dir, "build/index.js")) ? path.join(dir, "build/index.js") : path.join(dir, "index.js");
// console.log under an attached inspector costs ~15 ms a call (an artifact of the inspector):
// a wrapper entry silences it; its real cost is measured without the inspector.
if (!process.env.PROF_KEEP_LOG) {
  const wrapper = path.join(path.dirname(entry), "prof-entry.mjs");
  fs.writeFileSync(wrapper, `import worker from "./${path.basename(entry)}";\nconsole.log = () => {};\nexport default worker;\n`);
  entry = wrapper;
}

const up = spawn(process.execPath, [path.join(HERE, "fake_upstream.mjs"), "--port", "0"], { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, FAKE_POSITION_ID: POSITION_ID } });
const upInfo = await new Promise((res) => { let b = ""; up.stdout.on("data", (d) => { b += d; if (b.includes("\n")) res(JSON.parse(b.split("\n")[0])); }); });

const INSPECTOR_PORT = 9400 + (process.pid % 500);
const mf = new Miniflare({
  host: "127.0.0.1", port: 0, cf: false, inspectorPort: INSPECTOR_PORT,
  handleRuntimeStdio(stdout, stderr) { const f = fs.createWriteStream(path.join(o.out, "workerd.log")); stdout.pipe(f); stderr.pipe(f); },
  workers: [
    {
      name: "prof-user", modules: true, scriptPath: entry, modulesRoot: path.dirname(entry),
      modulesRules: [{ type: "ESModule", include: ["**/*.js", "**/*.mjs"] }, { type: "CompiledWasm", include: ["**/*.wasm"] }],
      compatibilityDate: "2026-04-26",
      unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
      wrappedBindings: { SUBMISSIONS: "prof-kv" },
      queueProducers: { INVITE_QUEUE: { queueName: "hireflix-apply-invites" } },
      queueConsumers: { "hireflix-apply-invites": { maxBatchSize: 10, maxBatchTimeout: 1, maxRetries: 3, deadLetterQueue: "hireflix-apply-invites-dlq" } },
      ...(fs.readFileSync(entry, "utf8").includes("InviteLedger") ? { durableObjects: { INVITE_LEDGER: { className: "InviteLedger", useSQLite: true } } } : {}),
      ratelimits: { RATE_LIMITER: { simple: { limit: 1_000_000_000, period: 60 } } },
      bindings: { HIREFLIX_API_URL: upInfo.url, HIREFLIX_API_KEY: "bench-api-key", ALLOWED_POSITIONS: POSITION_ID, TURNSTILE_SITE_KEY: "", TURNSTILE_SECRET_KEY: "", APP_SECRET: "bench-app-secret-0123456789abcdef0123", INVITES_PER_POSITION_PER_HOUR: "0", INVITES_PER_EMAIL_PER_DAY: "0", ...o.vars },
    },
    { name: "prof-kv", modules: [{ type: "ESModule", path: path.join(HERE, "kv_stub.mjs"), contents: fs.readFileSync(path.join(HERE, "kv_stub.mjs"), "utf8") }] },
  ],
});
await mf.ready;
const url = await mf.unsafeGetDirectURL("prof-user");
const list = await (await fetch(`http://127.0.0.1:${INSPECTOR_PORT}/json/list`)).json();
const target = list.find((t) => /prof-user/.test(t.title || t.url || "") && !/kv/.test(t.title || "")) || list[0];
process.stderr.write(`inspector targets: ${list.map((t) => t.title || t.id).join(", ")}; using ${target.title}\n`);

const ws = new WebSocket(target.webSocketDebuggerUrl);
await new Promise((r) => ws.once("open", r));
let seq = 0;
const pending = new Map();
ws.on("message", (m) => { const msg = JSON.parse(m); if (msg.id && pending.has(msg.id)) { pending.get(msg.id)(msg); pending.delete(msg.id); } });
const cdp = (method, params = {}) => new Promise((res) => { const id = ++seq; pending.set(id, res); ws.send(JSON.stringify({ id, method, params })); });

const body = (email) => `firstName=Ada&lastName=Lovelace&email=${encodeURIComponent(email)}&phoneNumber=%2B14155550123&website=`;
const seed = `seed-${process.pid}@bench.example.com`;
const r0 = await fetch(new URL(FORM_PATH, url), { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "cf-connecting-ip": CLIENT_IP }, body: body(seed), redirect: "manual" });
process.stderr.write(`seed: ${r0.status} ${r0.headers.get("location")}\n`);

function wrk(mode, arg, secs) {
  const out = execFileSync("wrk", ["-t", "1", "-c", "16", "-d", `${secs}s`, "--timeout", "10s", "-s", path.join(HERE, "bench.lua"), new URL(url).origin, "--", mode, FORM_PATH, arg, "nocount", CLIENT_IP]).toString();
  const j = JSON.parse(out.split("\n").find((l) => l.startsWith("WRK_JSON ")).slice(9));
  return j;
}
function workerdPid() {
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(s.slice(s.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === process.pid && s.includes("(workerd")) return Number(d);
    } catch {}
  }
}
const wpid = workerdPid();
const ticks = () => { const f = fs.readFileSync(`/proc/${wpid}/stat`, "utf8"); const x = f.slice(f.lastIndexOf(")") + 2).split(" "); return Number(x[11]) + Number(x[12]); };

if (process.env.PROF_RUNTIME) await cdp("Runtime.enable");
await cdp("Profiler.enable");
await cdp("Profiler.setSamplingInterval", { interval: o.interval });
const summary = {};
for (const p of o.paths) {
  const mode = { form: "get", hit: "hit", new: "new" }[p];
  const arg = p === "hit" ? seed : p === "new" ? `prof-${process.pid}-${Date.now().toString(36)}` : "-";
  wrk(mode, p === "new" ? arg + "-w" : arg, 2);
  await cdp("Profiler.start");
  const t0 = ticks();
  const w = wrk(mode, arg, o.seconds);
  const t1 = ticks();
  const { result } = await cdp("Profiler.stop");
  const prof = result.profile;
  fs.writeFileSync(path.join(o.out, `${p}.cpuprofile`), JSON.stringify(prof));
  const reqs = w.requests;
  const procUs = ((t1 - t0) / 100) * 1e6 / reqs;
  summary[p] = analyse(prof, reqs, procUs, p);
}
ws.close();
await mf.dispose();
up.kill();
setTimeout(() => process.exit(0), 200);
fs.writeFileSync(path.join(o.out, "summary.json"), JSON.stringify(summary, null, 1));

function analyse(prof, reqs, procUs, name) {
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const label = (n) => {
    const cf = n.callFrame;
    const file = cf.url ? cf.url.replace(/^.*\//, "") : "";
    return `${cf.functionName || "(anon)"}${file ? ` [${file}]` : ""}`;
  };
  const self = new Map(), incl = new Map();
  let total = 0, idle = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = prof.timeDeltas[i + 1] ?? 0; // delta to the next sample is this sample's duration
    const n = byId.get(prof.samples[i]);
    const l = label(n);
    if (l.startsWith("(idle)")) { idle += dt; continue; }
    total += dt;
    self.set(l, (self.get(l) || 0) + dt);
    const seen = new Set();
    for (let id = n.id; id !== undefined; id = parent.get(id)) {
      const ll = label(byId.get(id));
      if (seen.has(ll)) continue;
      seen.add(ll);
      incl.set(ll, (incl.get(ll) || 0) + dt);
    }
  }
  const per = (us) => +(us / reqs).toFixed(2);
  const top = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, o.top).map(([k, v]) => [per(v), k]);
  const out = { requests: reqs, proc_cpu_us_per_req: +procUs.toFixed(1), profiled_busy_us_per_req: per(total), self: top(self), inclusive: top(incl) };
  process.stdout.write(`\n=== ${name}: ${reqs} requests; workerd CPU ${out.proc_cpu_us_per_req} us/req (/proc); JS thread busy in profile ${out.profiled_busy_us_per_req} us/req\n-- self us/req\n`);
  for (const [v, k] of out.self) process.stdout.write(`${String(v).padStart(8)}  ${k}\n`);
  process.stdout.write(`-- inclusive us/req\n`);
  for (const [v, k] of out.inclusive) process.stdout.write(`${String(v).padStart(8)}  ${k}\n`);
  return out;
}
