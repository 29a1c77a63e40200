// scripts/funnel against a local fake of the Workers Analytics Engine SQL API: it holds data
// points as the worker writes them (index1 position, blob1 event, blob3 utm_source, a
// _sample_interval), records each request, and answers the funnel query in the documented
// `FORMAT JSON` shape ({meta, data, rows}; UInt64 sums as strings, as ClickHouse sends them),
// honouring the query's time window and grouping.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:http";

const ROOT = new URL("../..", import.meta.url).pathname;
const ACCOUNT = "0123456789abcdef0123456789abcdef";
const TOKEN = "cf-token-Vv28-never-shown";
const DAY = 86400_000;
const A = "68b43e38b19cf131a17c543f";
const B = "68b43e38b19cf131a17c5440";

class FakeSqlApi {
  constructor(points) {
    this.points = points;
    this.requests = [];
    this.fail = null;
  }

  listen() {
    this.server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => this.answer(req, body, res));
    });
    return new Promise((r) => this.server.listen(0, "127.0.0.1", () => r(`http://127.0.0.1:${this.server.address().port}/client/v4`)));
  }

  close() {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(r));
  }

  answer(req, sql, res) {
    this.requests.push({ method: req.method, path: req.url, authorization: req.headers.authorization, sql });
    const send = (status, text) => {
      res.writeHead(status, { "content-type": status === 200 ? "application/json" : "text/plain" });
      res.end(text);
    };
    if (req.method !== "POST" || req.url !== `/client/v4/accounts/${ACCOUNT}/analytics_engine/sql`) return send(404, "not found");
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, "Authentication error");
    if (this.fail) return send(this.fail.status, this.fail.text);
    const table = sql.match(/\bFROM\s+(\w+)/i)?.[1];
    if (table !== "hireflix_apply_funnel") return send(422, `unknown table: ${table}`);
    const days = Number(sql.match(/timestamp > NOW\(\) - INTERVAL '(\d+)' DAY/)?.[1]);
    if (!days) return send(422, "this fake only answers queries bounded by timestamp > NOW() - INTERVAL 'N' DAY");
    if (!/GROUP BY position, source, event/.test(sql) || !/SUM\(_sample_interval\) AS events/.test(sql)) {
      return send(422, "this fake only answers the funnel grouping");
    }
    const groups = new Map();
    for (const p of this.points.filter((p) => p.timestamp > Date.now() - days * DAY)) {
      const key = JSON.stringify([p.index1, p.blob3, p.blob1]);
      groups.set(key, (groups.get(key) ?? 0) + p._sample_interval);
    }
    const data = [...groups].map(([key, n]) => {
      const [position, source, event] = JSON.parse(key);
      return { position, source, event, events: String(n) };
    });
    const meta = [
      { name: "position", type: "String" },
      { name: "source", type: "String" },
      { name: "event", type: "String" },
      { name: "events", type: "UInt64" },
    ];
    send(200, JSON.stringify({ meta, data, rows: data.length, rows_before_limit_at_least: data.length }));
  }
}

/** `n` data points of one event, `sampleInterval` each, `ageDays` old. */
function points(n, { position, event, source = "", ageDays = 1, sampleInterval = 1 }) {
  return Array.from({ length: n }, () => ({
    timestamp: Date.now() - ageDays * DAY,
    index1: position,
    blob1: event,
    blob2: "en",
    blob3: source,
    blob6: "GB",
    double1: 1,
    _sample_interval: sampleInterval,
  }));
}

const DATA = [
  ...points(10, { position: A, event: "form_view", source: "linkedin" }),
  ...points(4, { position: A, event: "form_view", source: "linkedin", sampleInterval: 10 }), // sampled: 40 views
  ...points(5, { position: A, event: "submit", source: "linkedin" }),
  ...points(5, { position: A, event: "invited", source: "linkedin" }),
  ...points(20, { position: A, event: "form_view" }),
  ...points(3, { position: A, event: "submit" }),
  ...points(2, { position: A, event: "invited" }),
  ...points(1, { position: A, event: "invalid" }),
  ...points(10, { position: B, event: "form_view", source: "newsletter" }),
  ...points(1, { position: B, event: "submit", source: "newsletter" }),
  ...points(1, { position: B, event: "dead_letter", source: "newsletter" }),
  // Two weeks old: outside the default week, inside --days 30.
  ...points(30, { position: B, event: "form_view", source: "newsletter", ageDays: 14 }),
  ...points(6, { position: B, event: "invited", source: "newsletter", ageDays: 14 }),
];

const api = new FakeSqlApi(DATA);
const base = await api.listen();
after(() => api.close());

function funnel(args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn("bash", ["scripts/funnel", ...args], {
      cwd: ROOT,
      env: { ...process.env, CLOUDFLARE_API_BASE: base, CLOUDFLARE_ACCOUNT_ID: ACCOUNT, CLOUDFLARE_API_TOKEN: TOKEN, ...env },
    });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (out += c));
    child.on("exit", (code) => resolve({ code, out }));
  });
}

/** The row of a table whose first cell is `label`, as its cells. */
function row(out, section, label) {
  const lines = out.split("\n");
  const start = lines.findIndex((l) => l.startsWith(section));
  const line = lines.slice(start + 1).find((l) => l.split(/\s{2,}/)[0] === label);
  return line?.split(/\s{2,}/).slice(1);
}

/** The expected cells, from the data points directly. */
function expected({ days, match }) {
  const inWindow = DATA.filter((p) => p.timestamp > Date.now() - days * DAY && match(p));
  const sum = (event) => inWindow.filter((p) => p.blob1 === event).reduce((n, p) => n + p._sample_interval, 0);
  const [views, submits, invited] = [sum("form_view"), sum("submit"), sum("invited")];
  return [String(views), String(submits), String(invited), views ? `${((100 * invited) / views).toFixed(1)}%` : "-"];
}

test("the SQL: the dataset, the window from --days, grouped by position, source and event, sampling-weighted", async () => {
  api.requests.length = 0;
  const { code, out } = await funnel(["--days", "30"]);
  assert.equal(code, 0, out);
  assert.equal(api.requests.length, 1);
  const [request] = api.requests;
  assert.equal(request.method, "POST");
  assert.equal(request.path, `/client/v4/accounts/${ACCOUNT}/analytics_engine/sql`);
  assert.equal(request.authorization, `Bearer ${TOKEN}`);
  assert.match(request.sql, /FROM hireflix_apply_funnel\b/);
  assert.match(request.sql, /WHERE timestamp > NOW\(\) - INTERVAL '30' DAY/);
  assert.match(request.sql, /index1 AS position,\s+blob3 AS source,\s+blob1 AS event,\s+SUM\(_sample_interval\) AS events/);
  assert.match(request.sql, /GROUP BY position, source, event/);
  assert.ok(!/COUNT\(/i.test(request.sql), "COUNT() would undercount sampled data");
  assert.ok(!out.includes(TOKEN));
});

test("the tables: per position and per source, views, submits, invited, conversion; default window a week", async () => {
  for (const days of [7, 30]) {
    const { code, out } = await funnel(days === 7 ? [] : ["--days", String(days)]);
    assert.equal(code, 0, out);
    assert.match(out, new RegExp(`last ${days} day`));
    assert.deepEqual(row(out, "position", A), expected({ days, match: (p) => p.index1 === A }), out);
    assert.deepEqual(row(out, "position", B), expected({ days, match: (p) => p.index1 === B }), out);
    assert.deepEqual(row(out, "position", "all"), expected({ days, match: () => true }), out);
    assert.deepEqual(row(out, "source", "linkedin"), expected({ days, match: (p) => p.blob3 === "linkedin" }), out);
    assert.deepEqual(row(out, "source", "newsletter"), expected({ days, match: (p) => p.blob3 === "newsletter" }), out);
    assert.deepEqual(row(out, "source", "(none)"), expected({ days, match: (p) => p.blob3 === "" }), out);
    assert.match(out, /Other events: invalid 1, .*dead_letter 1/);
  }
});

test("a refused token: non-zero, says which permission it needs, never prints the token", async () => {
  const wrong = "wrong-cf-token-Rr66";
  const { code, out } = await funnel([], { CLOUDFLARE_API_TOKEN: wrong });
  assert.equal(code, 1);
  assert.match(out, /HTTP 401/);
  assert.match(out, /Account Analytics \| Read/);
  assert.ok(!out.includes(wrong));
});

test("an API error is shown; a dataset with no data yet says why", async () => {
  api.fail = { status: 422, text: "unknown table: hireflix_apply_funnel" };
  try {
    const { code, out } = await funnel([]);
    assert.equal(code, 1);
    assert.match(out, /HTTP 422: unknown table/);
    assert.match(out, /appears with the worker's first event/);
  } finally {
    api.fail = null;
  }
});

test("bad arguments and missing settings: a usage message, no request", async () => {
  api.requests.length = 0;
  for (const args of [["--days", "0"], ["--days", "7;DROP"], ["--days"], ["--weeks", "2"], ["--days", "91"]]) {
    const { code, out } = await funnel(args);
    assert.equal(code, 1, args.join(" "));
    assert.match(out, /usage: bash scripts\/funnel/);
  }
  const { code, out } = await funnel([], { CLOUDFLARE_ACCOUNT_ID: "" });
  assert.equal(code, 1);
  assert.match(out, /CLOUDFLARE_ACCOUNT_ID is missing/);
  assert.equal(api.requests.length, 0);
});
