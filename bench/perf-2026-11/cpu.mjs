#!/usr/bin/env node
// workerd CPU us/req of several builds, interleaved round by round (A B C ... A B C ...), so a
// busy shared machine disturbs every build alike. Same bindings as bench.mjs --kv stub, same
// wrk script; no correctness probes (bench.mjs does those).
//   node cpu.mjs DIR... [--rounds 3] [--seconds 4] [--paths form,hit,new] [--cold 0]
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const o = { rounds: 3, seconds: 4, paths: ["form", "hit", "new"], cold: 0, dirs: [] };
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === "--rounds") o.rounds = Number(argv[++i]);
  else if (a === "--seconds") o.seconds = Number(argv[++i]);
  else if (a === "--paths") o.paths = argv[++i].split(",").filter(Boolean);
  else if (a === "--cold") o.cold = Number(argv[++i]);
  else o.dirs.push(a);
}
const POSITION_ID = "68b43e38b19cf131a17c543f";
const FORM_PATH = `/apply/${POSITION_ID}`;
const CLIENT_IP = "203.0.113.7";
const KV_SRC = fs.readFileSync(path.join(HERE, "kv_stub.mjs"), "utf8");
const up = spawn(process.execPath, [path.join(HERE, "fake_upstream.mjs"), "--port", "0"], { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, FAKE_POSITION_ID: POSITION_ID } });
const upInfo = await new Promise((res) => { let b = ""; up.stdout.on("data", (d) => { b += d; if (b.includes("\n")) res(JSON.parse(b.split("\n")[0])); }); });
process.on("exit", () => up.kill("SIGKILL"));

const entryOf = (d) => (fs.existsSync(path.join(d, "build/index.js")) ? path.join(d, "build/index.js") : fs.existsSync(path.join(d, "src/index.js")) ? path.join(d, "src/index.js") : path.join(d, "index.js"));
function mfFor(dir) {
  const entry = entryOf(dir);
  return new Miniflare({
    host: "127.0.0.1", port: 0, cf: false,
    handleRuntimeStdio(stdout, stderr) { const f = fs.createWriteStream(path.join(os.tmpdir(), `cpu-workerd-${process.pid}.log`)); stdout.pipe(f); stderr.pipe(f); },
    workers: [
      {
        name: "cpu-user", modules: true, scriptPath: entry, modulesRoot: path.dirname(entry),
        modulesRules: [{ type: "ESModule", include: ["**/*.js", "**/*.mjs"] }, { type: "CompiledWasm", include: ["**/*.wasm"] }],
        compatibilityDate: "2026-04-26",
        unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
        wrappedBindings: { SUBMISSIONS: "cpu-kv" },
        queueProducers: { INVITE_QUEUE: { queueName: "hireflix-apply-invites" } },
        queueConsumers: { "hireflix-apply-invites": { maxBatchSize: 10, maxBatchTimeout: 1, maxRetries: 3, deadLetterQueue: "hireflix-apply-invites-dlq" } },
        ...(fs.readFileSync(entry, "utf8").includes("InviteLedger") ? { durableObjects: { INVITE_LEDGER: { className: "InviteLedger", useSQLite: true } } } : {}),
        ratelimits: { RATE_LIMITER: { simple: { limit: 1_000_000_000, period: 60 } } },
        bindings: { HIREFLIX_API_URL: upInfo.url, HIREFLIX_API_KEY: "bench-api-key", ALLOWED_POSITIONS: POSITION_ID, TURNSTILE_SITE_KEY: "", TURNSTILE_SECRET_KEY: "", APP_SECRET: "bench-app-secret-0123456789abcdef0123", INVITES_PER_POSITION_PER_HOUR: "0", INVITES_PER_EMAIL_PER_DAY: "0" },
      },
      { name: "cpu-kv", modules: [{ type: "ESModule", path: path.join(HERE, "kv_stub.mjs"), contents: KV_SRC }] },
    ],
  });
}
function workerdPid() {
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      if (s.includes("(workerd") && Number(s.slice(s.lastIndexOf(")") + 2).split(" ")[1]) === process.pid) return Number(d);
    } catch {}
  }
}
const ticks = (pid) => { const s = fs.readFileSync(`/proc/${pid}/stat`, "utf8"); const f = s.slice(s.lastIndexOf(")") + 2).split(" "); return Number(f[11]) + Number(f[12]); };
const machine = () => { const l = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number); return { idle: l[3] + l[4], total: l.reduce((a, b) => a + b, 0) }; };
// Async: a blocked event loop stops Miniflare draining workerd's stdout, and a worker that
// logs per request then stalls once the pipe is full.
function wrk(url, mode, arg, secs) {
  return new Promise((resolve, reject) => {
    const c = spawn("wrk", ["-t", "1", "-c", "16", "-d", `${secs}s`, "--timeout", "10s", "-s", path.join(HERE, "bench.lua"), url, "--", mode, FORM_PATH, arg, "nocount", CLIENT_IP]);
    let out = "";
    c.stdout.on("data", (d) => (out += d));
    c.on("exit", () => {
      const l = out.split("\n").find((x) => x.startsWith("WRK_JSON "));
      l ? resolve(JSON.parse(l.slice(9))) : reject(new Error(`wrk: ${out}`));
    });
  });
}
const body = (email) => `firstName=Ada&lastName=Lovelace&email=${encodeURIComponent(email)}&phoneNumber=%2B14155550123&website=`;

const results = Object.fromEntries(o.dirs.map((d) => [d, Object.fromEntries([...o.paths, "cold"].map((p) => [p, []]))]));
const busy = [];
for (let round = 1; round <= o.rounds; round++) {
  for (const dir of o.dirs) {
    for (let c = 0; c < o.cold; c++) {
      const t0 = performance.now();
      const mf = mfFor(dir);
      const url = await mf.unsafeGetDirectURL("cpu-user");
      const r = await fetch(new URL(FORM_PATH, url));
      await r.arrayBuffer();
      results[dir].cold.push(performance.now() - t0);
      await mf.dispose();
    }
    if (!o.paths.length) {
      process.stderr.write(`r${round} ${path.basename(dir).padEnd(14)} cold ${results[dir].cold.slice(-o.cold).map((x) => x.toFixed(0)).join(" ")}\n`);
      continue;
    }
    const mf = mfFor(dir);
    const url = (await mf.unsafeGetDirectURL("cpu-user")).origin;
    const pid = workerdPid();
    const tag = `${process.pid}-${round}-${path.basename(dir)}-${Date.now().toString(36)}`;
    const seed = `seed-${tag}@bench.example.com`;
    const s = await fetch(new URL(FORM_PATH, url), { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "cf-connecting-ip": CLIENT_IP }, body: body(seed), redirect: "manual" });
    if (s.status !== 303) throw new Error(`${dir}: seed answered ${s.status}`);
    const line = [];
    for (const p of o.paths) {
      const mode = { form: "get", hit: "hit", new: "new" }[p];
      const arg = p === "hit" ? seed : p === "new" ? `cpu-${tag}` : "-";
      await wrk(url, mode, p === "new" ? `${arg}-w` : arg, 1);
      const t0 = ticks(pid), m0 = machine();
      const w = await wrk(url, mode, arg, o.seconds);
      const t1 = ticks(pid), m1 = machine();
      const us = ((t1 - t0) / 100) * 1e6 / w.requests;
      const b = (1 - (m1.idle - m0.idle) / (m1.total - m0.total)) * 100 * os.cpus().length;
      busy.push(b);
      results[dir][p].push(us);
      line.push(`${p} ${us.toFixed(1)}`);
    }
    await mf.dispose();
    process.stderr.write(`r${round} ${path.basename(dir).padEnd(14)} ${line.join("  ")}  (machine ${busy.at(-1).toFixed(0)}%)\n`);
  }
}
const med = (xs) => { const v = [...xs].sort((a, b) => a - b); const m = v.length >> 1; return v.length ? (v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2) : NaN; };
const cols = [...o.paths, ...(o.cold ? ["cold"] : [])];
console.log(`workerd CPU us/req, median of ${o.rounds} interleaved rounds (min-max); machine busy median ${med(busy).toFixed(0)}% of 200%`);
console.log(["build".padEnd(16), ...cols.map((c) => c.padStart(20))].join(""));
for (const d of o.dirs)
  console.log([path.basename(d).padEnd(16), ...cols.map((c) => { const x = results[d][c]; return `${med(x).toFixed(1)} (${Math.min(...x).toFixed(0)}-${Math.max(...x).toFixed(0)})`.padStart(20); })].join(""));
up.kill("SIGKILL");
process.exit(0);
