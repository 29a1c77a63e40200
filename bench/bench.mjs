// Measures the built worker in workerd: throughput and latency per path against the
// static-asset floor, cold start, and bundle size. Run through `bash bench/run`.
import { Miniflare } from "miniflare";
import { execFile, spawnSync } from "node:child_process";
import http from "node:http";
import { promisify } from "node:util";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { HireflixStandIn } from "../tests/stand-ins/hireflix.mjs";

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL_REQUESTS ?? 3000);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 7);
const POSITION = "68b43e38b19cf131a17c543f";
const KEY = "bench-key";

function options(standInOrigin, port) {
  return {
    modules: true,
    scriptPath: "build/entry.mjs",
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-04-26",
    cf: false,
    host: "127.0.0.1",
    port,
    assets: { directory: "public", routerConfig: { has_user_worker: true } },
    kvNamespaces: ["SUBMISSIONS"],
    queueProducers: { INVITE_QUEUE: { queueName: "q" }, INVITE_DLQ: { queueName: "dlq" } },
    ratelimits: { RATE_LIMITER: { simple: { limit: 1e9, period: 60 } } },
    bindings: { HIREFLIX_API_URL: `${standInOrigin}/me`, HIREFLIX_API_KEY: KEY, APP_SECRET: "bench-app-secret-0123456789abcdef0123" },
    // The worker logs a line per application: drain and drop them (an unread pipe fills up and
    // blocks workerd), so they stay out of the table.
    handleRuntimeStdio(stdout, stderr) {
      stdout.resume();
      stderr.resume();
    },
  };
}

// Asynchronous on purpose: this process also runs the stand-in and drains workerd's output,
// and a blocked event loop would stall the worker under test.
async function wrk(url, script, seconds) {
  const args = ["-t2", `-c${CONNECTIONS}`, `-d${seconds}s`, "--latency"];
  if (script) args.push("-s", script);
  const { stdout: out } = await promisify(execFile)("wrk", [...args, url], { encoding: "utf8" });
  const rps = Number(out.match(/Requests\/sec:\s+([\d.]+)/)?.[1]);
  const ms = (label) => {
    const m = out.match(new RegExp(`^\\s+${label}%\\s+([\\d.]+)(us|ms|s)\\s*$`, "m"));
    if (!m) return NaN;
    return Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]];
  };
  const non2xx = Number(out.match(/Non-2xx or 3xx responses:\s+(\d+)/)?.[1] ?? 0);
  const errors = out.match(/Socket errors:.*/)?.[0] ?? "";
  return { rps, p50: ms("50"), p99: ms("99"), non2xx, errors };
}

// Latency one request at a time over one keep-alive connection. wrk -c1 reported 15-50 ms p99
// on every path, the static file included, which this client does not see on the same server:
// that tail was the load generator's, so percentiles come from here (an upper bound, as they
// include this client's own time).
async function sequential(url, body) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const target = new URL(url);
  let n = 0;
  const once = () =>
    new Promise((resolve, reject) => {
      const payload = body?.(n++);
      const req = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: payload ? "POST" : "GET",
          agent,
          headers: payload ? { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(payload) } : {},
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode));
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  for (let i = 0; i < Math.min(300, SEQUENTIAL); i++) await once();
  const times = [];
  let bad = 0;
  for (let i = 0; i < SEQUENTIAL; i++) {
    const start = process.hrtime.bigint();
    const status = await once();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (status >= 400) bad++;
  }
  agent.destroy();
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  return { p50: at(0.5), p99: at(0.99), bad };
}

// The same runtime, bindings and assets with a JS worker that only answers "ok": what starting
// workerd costs before any code of ours runs.
function trivialWorker(standInOrigin) {
  const { scriptPath, modulesRules, ...rest } = options(standInOrigin, 0);
  return { ...rest, script: 'export default { fetch() { return new Response("ok"); } }' };
}

async function coldStarts(makeOptions, path) {
  const runs = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const t0 = performance.now();
    const mf = new Miniflare(makeOptions());
    const url = await mf.ready;
    const ready = performance.now();
    const res = await fetch(new URL(path, url));
    await res.text();
    const first = performance.now();
    if (res.status !== 200) throw new Error(`cold start answered ${res.status}`);
    const t2 = performance.now();
    await (await fetch(new URL(path, url))).text();
    const warm = performance.now() - t2;
    await mf.dispose();
    runs.push({ total: first - t0, runtime: ready - t0, firstRequest: first - ready, warm });
  }
  const median = (key) => runs.map((r) => r[key]).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
  return { total: median("total"), runtime: median("runtime"), firstRequest: median("firstRequest"), warmRequest: median("warm") };
}

const standIn = new HireflixStandIn({ apiKey: KEY, recordRequests: false });
const standInOrigin = await standIn.listen(0);
const mf = new Miniflare(options(standInOrigin, 0));
const base = await mf.ready;
const at = (path) => new URL(path, base).toString();

const fixedBody = readFileSync("bench/post-fixed.lua", "utf8").match(/wrk.body = "(.*)"/)[1];
// Positions cached, and the fixed applicant invited once, so every fixed POST is a KV hit.
await (await fetch(at(`/apply/${POSITION}`))).text();
const seed = await fetch(at(`/apply/${POSITION}`), {
  method: "POST",
  redirect: "manual",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: fixedBody,
});
if (seed.status !== 303) throw new Error(`seeding the KV-hit applicant answered ${seed.status}`);

const paths = [
  { name: "static asset (floor)", url: at("/style.css") },
  { name: "GET form", url: at(`/apply/${POSITION}`) },
  { name: "POST, already in KV", url: at(`/apply/${POSITION}`), script: "bench/post-fixed.lua", body: () => fixedBody },
  {
    name: "POST, new invite",
    url: at(`/apply/${POSITION}`),
    script: "bench/post-new.lua",
    body: (n) => `firstName=Ann&lastName=Lee&email=seq-${n}%40example.com`,
  },
];
const only = process.env.BENCH_ONLY; // a substring of a path name, to measure one path
const results = [];
for (const path of paths.filter((p, i) => !only || i === 0 || p.name.includes(only))) {
  await wrk(path.url, path.script, WARMUP);
  // Throughput with the runtime saturated; latency with one request at a time, so the
  // percentiles are the path's own and not the queue in front of a saturated runtime.
  const loaded = await wrk(path.url, path.script, DURATION);
  const single = await sequential(path.url, path.body);
  results.push({ ...path, rps: loaded.rps, loadedP99: loaded.p99, p50: single.p50, p99: single.p99, non2xx: loaded.non2xx + single.bad });
}
await mf.dispose();

// /healthz runs our code (config, routing) without I/O, so the first 200 is the worker's own.
const cold = await coldStarts(() => options(standInOrigin, 0), "/healthz");
const coldFloor = await coldStarts(() => trivialWorker(standInOrigin), "/healthz");
await standIn.close();

const wasm = readFileSync("build/index_bg.wasm");
const js = readFileSync("build/index.js");
const size = { wasmRaw: wasm.length, wasmGzip: gzipSync(wasm).length, jsRaw: js.length, jsGzip: gzipSync(js).length };
const floor = results[0].rps;
const cpu = spawnSync("sh", ["-c", "nproc; grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], { encoding: "utf8" }).stdout.trim().split("\n");

const pad = (s, n) => String(s).padEnd(n);
const num = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : "n/a");
console.log(`\nhireflix-apply benchmark, ${cpu[0]} cores,${cpu[1] ?? ""}: per path ${WARMUP} s warm-up, then`);
console.log(`${DURATION} s of wrk -t2 -c${CONNECTIONS} (req/s, p99 loaded) and ${SEQUENTIAL} requests one at a time (p50, p99)\n`);
console.log(`| ${pad("path", 22)} | req/s  | x floor | p50 ms | p99 ms | p99 loaded ms | errors      |`);
console.log(`|${"-".repeat(24)}|--------|---------|--------|--------|---------------|-------------|`);
for (const r of results) {
  console.log(`| ${pad(r.name, 22)} | ${pad(num(r.rps), 6)} | ${pad(num(r.rps / floor, 2), 7)} | ${pad(num(r.p50, 2), 6)} | ${pad(num(r.p99, 2), 6)} | ${pad(num(r.loadedP99, 1), 13)} | ${pad(r.non2xx, 11)} |`);
}
console.log(`\ncold start (median of ${COLD_RUNS}): ${num(cold.total)} ms from starting workerd to the first 200` +
  ` (runtime up ${num(cold.runtime)} ms, first request ${num(cold.firstRequest, 1)} ms, a warm one ${num(cold.warmRequest, 1)} ms);`);
console.log(`  floor, the same bindings with a JS worker answering "ok": ${num(coldFloor.total)} ms (runtime up ${num(coldFloor.runtime)} ms, first request ${num(coldFloor.firstRequest, 1)} ms);` +
  ` ours minus the floor: ${num(cold.total - coldFloor.total)} ms`);
console.log(`bundle: index_bg.wasm ${size.wasmRaw} B raw / ${size.wasmGzip} B gzip; index.js ${size.jsRaw} B raw / ${size.jsGzip} B gzip\n`);
console.log(JSON.stringify({
  bench: "hireflix-apply",
  seconds: DURATION,
  connections: CONNECTIONS,
  paths: Object.fromEntries(results.map((r) => [r.name, { rps: r.rps, ratio: r.rps / floor, p50_ms: r.p50, p99_ms: r.p99, loaded_p99_ms: r.loadedP99, non2xx: r.non2xx }])),
  cold_start_ms: cold,
  cold_start_floor_ms: coldFloor,
  size_bytes: size,
}));
