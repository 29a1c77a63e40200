// scripts/check-hireflix against the local stand-in, playing Hireflix accounts whose schema
// matches ours, lacks a field our documents select, or refuses introspection. The documents are
// the worker's own, printed by `cargo run --example graphql-documents`.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HireflixStandIn, POSITIONS, SCHEMA_TEXT } from "../stand-ins/hireflix.mjs";

const run = promisify(execFile);
const ROOT = new URL("../..", import.meta.url).pathname;
const KEY = "check-key-Qw7-never-shown";
const dir = mkdtempSync(join(tmpdir(), "check-hireflix-"));
const docsFile = join(dir, "documents.json");
let documents;

before(async () => {
  const { stdout } = await run("cargo", ["run", "--quiet", "--example", "graphql-documents"], { cwd: ROOT, maxBuffer: 1 << 24 });
  writeFileSync(docsFile, stdout);
  documents = JSON.parse(stdout);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function env(extra) {
  const e = { ...process.env, ...extra };
  for (const [k, v] of Object.entries(e)) if (v == null) delete e[k];
  return e;
}

/** Runs a command; resolves { code, out } (stdout and stderr together) whatever the exit code. */
async function runCheck(cmd, args, { key = KEY, url, cwd = ROOT } = {}) {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd, env: env({ HIREFLIX_API_KEY: key, HIREFLIX_API_URL: url }), maxBuffer: 1 << 24 });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    if (typeof e.code !== "number") throw e;
    return { code: e.code, out: String(e.stdout) + String(e.stderr) };
  }
}

async function withStandIn(options, fn) {
  const standIn = new HireflixStandIn({ apiKey: KEY, ...options });
  const origin = await standIn.listen(0);
  try {
    return await fn(standIn, `${origin}/me`);
  } finally {
    await standIn.close();
  }
}

const check = (url, opts = {}) => runCheck("node", [join(ROOT, "scripts/check-hireflix.mjs"), "--documents", docsFile], { url, ...opts });
const lineOf = (out, name) =>
  out.split("\n").find((l) => l.startsWith(`OK ${name}`) || l.startsWith(`FAIL ${name}:`) || l.startsWith(`WARN ${name} `));
/** A required document that fails is FAIL; an optional one (it only adds detail) is WARN. */
const failed = (d) => (d.optional ? "WARN" : "FAIL");
const OPEN = POSITIONS.filter((p) => p.archived == null);
const ARCHIVED = POSITIONS.filter((p) => p.archived != null);

test("the worker's documents pass against the stand-in's schema; open positions listed; nobody invited", async () => {
  await withStandIn({}, async (standIn, url) => {
    const { code, out } = await runCheck("bash", ["scripts/check-hireflix"], { url });
    assert.equal(code, 0, out);
    assert.ok(documents.length >= 4, "Positions, FindInterview and the invite documents");
    for (const d of documents) assert.match(lineOf(out, d.name) ?? "", /^OK /, `${d.name}\n${out}`);
    for (const p of OPEN) assert.match(out, new RegExp(`${p.id}\\s+${p.name.replace(/[()]/g, "\\$&")}`));
    for (const p of ARCHIVED) assert.ok(!out.includes(p.id), "archived positions are not offered");
    assert.match(out, /introspection/);
    assert.equal(standIn.state().interviews.length, 0);
    assert.ok(!out.includes(KEY));
  });
});

test("a schema without InterviewType.url fails every document selecting it, by name and field", async () => {
  const schemaText = SCHEMA_TEXT.replace(/\n  url: InterviewUrlType!\n/, "\n");
  assert.notEqual(schemaText, SCHEMA_TEXT);
  await withStandIn({ schemaText }, async (_standIn, url) => {
    const { code, out } = await check(url);
    assert.equal(code, 1, out);
    const selectingUrl = documents.filter((d) => /\burl\s*\{/.test(d.query));
    assert.ok(selectingUrl.some((d) => !d.readOnly), "the invite documents select the interview's url");
    for (const d of documents) {
      if (selectingUrl.includes(d)) {
        assert.match(lineOf(out, d.name) ?? "", new RegExp(`^${failed(d)} .*Cannot query field "url" on type "InterviewType"`), out);
      }
      else assert.match(lineOf(out, d.name) ?? "", /^OK /, out);
    }
    assert.match(out, /FAILED/);
  });
});

test("ValidationError.fieldErrors as a scalar only warns about the optional detail document", async () => {
  const schemaText = SCHEMA_TEXT.replace("fieldErrors: [ValidationFieldError!]!", "fieldErrors: JSON") + "\nscalar JSON\n";
  assert.notEqual(schemaText, SCHEMA_TEXT);
  await withStandIn({ schemaText }, async (_standIn, url) => {
    const { code, out } = await check(url);
    const selecting = documents.filter((d) => /\bfieldErrors\s*\{/.test(d.query));
    assert.ok(selecting.length > 0 && selecting.every((d) => d.optional), "only optional documents select fieldErrors");
    assert.ok(documents.some((d) => d.name.startsWith("Invite (one)") && !/fieldErrors/.test(d.query)), "the invite every candidate needs does not");
    assert.equal(code, 0, out);
    for (const d of documents) {
      if (selecting.includes(d)) assert.match(lineOf(out, d.name) ?? "", /^WARN .*Field "fieldErrors" must not have a selection/, out);
      else assert.match(lineOf(out, d.name) ?? "", /^OK /, out);
    }
  });
});

test("a wrong key: non-zero, says the key was refused, never prints it", async () => {
  await withStandIn({}, async (_standIn, url) => {
    const wrong = "wrong-key-Zt93-secret";
    const { code, out } = await check(url, { key: wrong });
    assert.equal(code, 1);
    assert.match(out, /refused the API key/);
    assert.ok(!out.includes(wrong), out);
    assert.ok(!/^OK /m.test(out), "no document is reported OK without a working key");
  });
});

test("an auth error in `errors` with HTTP 200, echoing the key, is reported without the key", async () => {
  const wrong = "echoed-key-Pp41-secret";
  const server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ data: null, errors: [{ message: `Unauthorized: API key ${req.headers["x-api-key"]} is not valid` }] }));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  try {
    const { code, out } = await check(`http://127.0.0.1:${server.address().port}/me`, { key: wrong });
    assert.equal(code, 1);
    assert.match(out, /refused the API key .*Unauthorized: API key \*\*\* is not valid/);
    assert.ok(!out.includes(wrong), out);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test("introspection refused: says so, runs the read-only documents for real, has the server validate the rest", async () => {
  await withStandIn({ introspection: false }, async (standIn, url) => {
    const { code, out } = await check(url);
    assert.equal(code, 0, out);
    assert.match(out, /introspection is not available here \(GraphQL introspection has been disabled/);
    for (const d of documents) {
      const line = lineOf(out, d.name) ?? "";
      if (d.readOnly) assert.match(line, /^OK .*ran for real/, out);
      else assert.match(line, /^OK .*validated by the server; not run/, out);
    }
    const lookups = standIn.state().requests.filter((r) => /query FindInterview/.test(r.query));
    assert.equal(lookups.length, 1);
    assert.match(lookups[0].variables.email, /\.invalid$/);
    assert.equal(lookups[0].variables.positionId, OPEN[0].id);
    assert.equal(standIn.state().interviews.length, 0, "nobody invited");
  });
});

test("introspection refused and a field missing: the server's own validation errors fail the documents", async () => {
  const schemaText = SCHEMA_TEXT.replace(/\n  url: InterviewUrlType!\n/, "\n");
  await withStandIn({ introspection: false, schemaText }, async (standIn, url) => {
    const { code, out } = await check(url);
    assert.equal(code, 1, out);
    for (const d of documents.filter((d) => /\burl\s*\{/.test(d.query))) {
      assert.match(lineOf(out, d.name) ?? "", new RegExp(`^${failed(d)} .*Cannot query field "url" on type "InterviewType"`), out);
    }
    assert.equal(standIn.state().interviews.length, 0);
  });
});

test("the key can come from .dev.vars; without any key it says where to put one", async () => {
  await withStandIn({}, async (_standIn, url) => {
    const cwd = mkdtempSync(join(dir, "vars-"));
    const missing = await check(url, { key: null, cwd });
    assert.equal(missing.code, 1);
    assert.match(missing.out, /No Hireflix API key: set HIREFLIX_API_KEY/);
    writeFileSync(join(cwd, ".dev.vars"), `# local\nHIREFLIX_API_KEY="${KEY}"\n`);
    const { code, out } = await check(url, { key: null, cwd });
    assert.equal(code, 0, out);
    assert.match(out, /key from \.dev\.vars/);
    assert.ok(!out.includes(KEY));
  });
});
