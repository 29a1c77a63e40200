// One GET, one new POST, one repeat POST against a build, printing status, location, logs.
import { spawn } from "node:child_process";
import fs from "node:fs"; import path from "node:path";
import { Miniflare } from "miniflare";
const HERE = path.dirname(new URL(import.meta.url).pathname);
const dir = process.argv[2];
const entry = path.join(dir, "build/index.js");
const POSITION_ID = "68b43e38b19cf131a17c543f";
const up = spawn(process.execPath, [path.join(HERE, "fake_upstream.mjs"), "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
const upInfo = await new Promise((res) => { let b = ""; up.stdout.on("data", (d) => { b += d; if (b.includes("\n")) res(JSON.parse(b.split("\n")[0])); }); });
const mf = new Miniflare({ host: "127.0.0.1", port: 0, cf: false,
  workers: [{ name: "u", modules: true, scriptPath: entry, modulesRoot: path.dirname(entry),
    modulesRules: [{ type: "ESModule", include: ["**/*.js", "**/*.mjs"] }, { type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-04-26",
    kvNamespaces: ["SUBMISSIONS"],
    durableObjects: { INVITE_LEDGER: { className: "InviteLedger", useSQLite: true } },
    queueProducers: { INVITE_QUEUE: { queueName: "q" } }, queueConsumers: { q: { maxBatchSize: 10, maxBatchTimeout: 1 } },
    ratelimits: { RATE_LIMITER: { simple: { limit: 1_000_000_000, period: 60 } } },
    bindings: { HIREFLIX_API_URL: upInfo.url, HIREFLIX_API_KEY: "k", ALLOWED_POSITIONS: POSITION_ID, TURNSTILE_SITE_KEY: "", TURNSTILE_SECRET_KEY: "", APP_SECRET: "bench-app-secret-0123456789abcdef0123", INVITES_PER_POSITION_PER_HOUR: "0", INVITES_PER_EMAIL_PER_DAY: "0" } }] });
const url = await mf.ready;
const body = (e) => `firstName=Ada&lastName=Lovelace&email=${encodeURIComponent(e)}&phoneNumber=%2B14155550123&website=`;
const post = async (e) => { const r = await mf.dispatchFetch(new URL(`/apply/${POSITION_ID}`, url), { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded", "cf-connecting-ip": "203.0.113.7" }, body: body(e) }); console.log("POST", r.status, r.headers.get("location"), [...r.headers.keys()].join(",")); await r.text(); };
const g = await mf.dispatchFetch(new URL(`/apply/${POSITION_ID}`, url)); console.log("GET", g.status, [...g.headers].map(x=>x.join(": ")).join(" | ")); const gt = await g.text(); console.log("form bytes", gt.length);
await post("a1@bench.example.com"); await post("a1@bench.example.com"); await post("a2@bench.example.com");
await new Promise(r => setTimeout(r, 1500));
console.log("upstream", await (await fetch(upInfo.url.replace("/me", "/__stats"))).text());
await mf.dispose(); up.kill();
