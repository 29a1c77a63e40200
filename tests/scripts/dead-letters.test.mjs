// scripts/dead-letters against a small fake of the worker's admin API (the JSON it is specified
// to answer): it keeps dead letters, checks the bearer token, answers 404 without a token
// configured, and a replay removes what it puts back on the queue.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:http";

const ROOT = new URL("../..", import.meta.url).pathname;
const TOKEN = "admin-Jj47-never-shown-0123456789";
const A = "68b43e38b19cf131a17c543f";
const B = "68b43e38b19cf131a17c5440";
const LETTERS = [
  { position: A, reason: "position_closed", failedAt: Date.UTC(2026, 10, 20, 9, 30, 0), attempts: 1, email: "a***@example.com" },
  { position: B, reason: "attempts_exhausted", failedAt: Date.UTC(2026, 10, 21, 14, 5, 7), attempts: 30, email: "j***@example.org" },
  { position: A, reason: "validation_error", failedAt: Date.UTC(2026, 10, 19, 8, 0, 0), attempts: 2, email: "m***@example.net" },
];

class FakeAdmin {
  constructor() {
    this.token = TOKEN; // null: the worker has no ADMIN_TOKEN, every /admin/ path is 404
    this.letters = LETTERS.map((l) => ({ ...l }));
    this.complete = true; // false: as when the letters' store did not answer
    this.requests = [];
  }

  listen() {
    this.server = createServer((req, res) => {
      const url = new URL(req.url, "http://x");
      this.requests.push({ method: req.method, path: url.pathname, query: url.search, authorization: req.headers.authorization });
      const json = (status, value) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(value));
      };
      // As the worker: every unauthenticated /admin/ request is the same 404.
      if (!this.token || !url.pathname.startsWith("/admin/") || req.headers.authorization !== `Bearer ${this.token}`) {
        return json(404, { error: "not_found" });
      }
      if (req.method === "GET" && url.pathname === "/admin/dead-letters") return json(200, { deadLetters: this.letters, complete: this.complete });
      if (req.method === "POST" && url.pathname === "/admin/dead-letters/replay") {
        const position = url.searchParams.get("position");
        const replayed = this.letters.filter((l) => position == null || l.position === position);
        this.letters = this.letters.filter((l) => !replayed.includes(l));
        return json(200, { replayed: replayed.length, notReplayed: 0, complete: this.complete });
      }
      return json(405, { error: "method_not_allowed" });
    });
    return new Promise((r) => this.server.listen(0, "127.0.0.1", () => r(`http://127.0.0.1:${this.server.address().port}`)));
  }

  close() {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(r));
  }
}

const admin = new FakeAdmin();
const url = await admin.listen();
after(() => admin.close());

function deadLetters(args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn("bash", ["scripts/dead-letters", ...args], { cwd: ROOT, env: { ...process.env, WORKER_URL: url, ADMIN_TOKEN: TOKEN, ...env } });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (out += c));
    child.on("exit", (code) => resolve({ code, out }));
  });
}

const cells = (line) => line.trim().split(/\s{2,}/);

test("list: one row per dead letter, oldest first, with position, reason, UTC time, attempts, masked email", async () => {
  admin.letters = LETTERS.map((l) => ({ ...l }));
  const { code, out } = await deadLetters(["list"]);
  assert.equal(code, 0, out);
  const lines = out.split("\n");
  assert.deepEqual(cells(lines[0]), ["position", "reason", "failed at (UTC)", "attempts", "email"]);
  const rows = lines.slice(1, 1 + LETTERS.length).map(cells);
  const oldestFirst = [...LETTERS].sort((a, b) => a.failedAt - b.failedAt);
  assert.deepEqual(
    rows,
    oldestFirst.map((l) => [l.position, l.reason, new Date(l.failedAt).toISOString().slice(0, 19).replace("T", " "), String(l.attempts), l.email]),
  );
  assert.match(out, /3 dead letter\(s\)/);
  assert.deepEqual(admin.requests.at(-1), { method: "GET", path: "/admin/dead-letters", query: "", authorization: `Bearer ${TOKEN}` });
  assert.ok(!out.includes(TOKEN));
});

test("replay --position: only that position's letters go back; the count is printed; then replay the rest", async () => {
  admin.letters = LETTERS.map((l) => ({ ...l }));
  const one = await deadLetters(["replay", "--position", A]);
  assert.equal(one.code, 0, one.out);
  assert.match(one.out, new RegExp(`Replayed ${LETTERS.filter((l) => l.position === A).length} dead letter\\(s\\) of position ${A}`));
  assert.deepEqual(admin.requests.at(-1), { method: "POST", path: "/admin/dead-letters/replay", query: `?position=${A}`, authorization: `Bearer ${TOKEN}` });
  assert.deepEqual(admin.letters.map((l) => l.position), [B]);

  const rest = await deadLetters(["replay"]);
  assert.equal(rest.code, 0, rest.out);
  assert.match(rest.out, /Replayed 1 dead letter\(s\): back on the invite queue/);
  assert.equal(admin.requests.at(-1).query, "");
  const empty = await deadLetters(["list"]);
  assert.match(empty.out, /^No dead letters\.$/m);
});

test("a partial list or replay (the letters' store did not answer): what was read, a plain warning, non-zero", async () => {
  admin.letters = LETTERS.slice(0, 1).map((l) => ({ ...l }));
  admin.complete = false;
  try {
    const listed = await deadLetters(["list"]);
    assert.equal(listed.code, 1, listed.out);
    assert.match(listed.out, /1 dead letter\(s\)/);
    assert.match(listed.out, /Not every dead letter could be read .*run this again/);
    admin.letters = [];
    const none = await deadLetters(["list"]);
    assert.doesNotMatch(none.out, /No dead letters|dead letter\(s\)|position/, "no 'none', no empty table, when some could not be read");
    assert.match(none.out, /Not every dead letter could be read/);
    const replayed = await deadLetters(["replay"]);
    assert.equal(replayed.code, 1);
    assert.match(replayed.out, /Replayed 0 dead letter\(s\)[^]*Not every dead letter could be read/);
  } finally {
    admin.complete = true;
  }
});

test("a wrong token, or a worker without ADMIN_TOKEN: non-zero, a clear reason, the token never printed", async () => {
  const wrong = "wrong-admin-Ss12-0123456789-abcdefghijkl";
  const refused = await deadLetters(["list"], { ADMIN_TOKEN: wrong });
  assert.equal(refused.code, 1);
  assert.match(refused.out, /404 .*refused ADMIN_TOKEN/);
  assert.ok(!refused.out.includes(wrong));

  admin.token = null;
  try {
    const off = await deadLetters(["replay"]);
    assert.equal(off.code, 1);
    assert.match(off.out, /404 .*has no such secret/);
    assert.ok(!off.out.includes(TOKEN));
  } finally {
    admin.token = TOKEN;
  }
});

test("bad usage and missing settings: a usage message, no request", async () => {
  const before = admin.requests.length;
  for (const args of [[], ["purge"], ["replay", "--position", "not-an-id"], ["list", "--position", A], ["replay", "extra"]]) {
    const { code, out } = await deadLetters(args);
    assert.equal(code, 1, args.join(" "));
    assert.match(out, /usage: bash scripts\/dead-letters/);
  }
  assert.match((await deadLetters(["list"], { WORKER_URL: "" })).out, /WORKER_URL is missing/);
  assert.match((await deadLetters(["list"], { ADMIN_TOKEN: "" })).out, /ADMIN_TOKEN is missing/);
  assert.match((await deadLetters(["list"], { ADMIN_TOKEN: "admin" })).out, /ADMIN_TOKEN is shorter than 32 characters/);
  for (const far of ["http://apply.example.com", "http://10.0.0.5:8787", "http://127.0.0.1.nip.io"]) {
    assert.match((await deadLetters(["list"], { WORKER_URL: far })).out, /WORKER_URL must use https/, far);
  }
  assert.equal(admin.requests.length, before);
});
