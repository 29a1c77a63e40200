// The go-live check against a real Hireflix account (see scripts/check-hireflix, which hands
// this the documents printed by `cargo run --example graphql-documents`). Invites nobody:
//   1. runs the Positions query: proves the key works and lists the open positions;
//   2. fetches the schema by introspection and validates every document with graphql-js;
//   3. runs the read-only documents for real (FindInterview looks up an address on the
//      reserved `.invalid` TLD, which no candidate can have);
//   4. where introspection is refused, sends each invite document WITHOUT its variables: a
//      GraphQL server validates a document before it coerces variables, so it answers either
//      the validation errors or "variable not provided", and never runs the mutation (which
//      could not invite anyone without an email anyway).
// Prints one line per document, `OK <name>` or `FAIL <name>: <GraphQL errors>`; exit 1 on
// any failure. The key is never printed: every text from the server is scrubbed of it.
//
//   node scripts/check-hireflix.mjs --documents docs.json
//   env: HIREFLIX_API_KEY (else .dev.vars), HIREFLIX_API_URL (default https://api.hireflix.com/me)

import { readFileSync, existsSync } from "node:fs";
import { buildClientSchema, getIntrospectionQuery, parse, validate, Kind } from "graphql";

const DEFAULT_URL = "https://api.hireflix.com/me";
const NOBODY = "nobody@check-hireflix.invalid";
const TIMEOUT_MS = Number(process.env.HIREFLIX_CHECK_TIMEOUT_MS ?? 20000);

const out = (line = "") => process.stdout.write(`${line}\n`);
const fail = (message) => {
  process.stderr.write(`${scrub(message)}\n`);
  process.exit(1);
};

function readKey() {
  if (process.env.HIREFLIX_API_KEY) return { key: process.env.HIREFLIX_API_KEY, from: "HIREFLIX_API_KEY" };
  if (existsSync(".dev.vars")) {
    const lines = readFileSync(".dev.vars", "utf8").split(/\r?\n/);
    const found = lines.map((l) => l.match(/^\s*HIREFLIX_API_KEY\s*=\s*(.*?)\s*$/)).filter(Boolean).pop();
    const value = found?.[1].replace(/^(["'])(.*)\1$/, "$2");
    if (value) return { key: value, from: ".dev.vars" };
  }
  return { key: "", from: "" };
}

const { key, from: keySource } = readKey();
const url = process.env.HIREFLIX_API_URL || DEFAULT_URL;
// The key must not cross a network in clear: plain http only to this machine (a stand-in).
let parsed;
try {
  parsed = new URL(url);
} catch {
  fail(`HIREFLIX_API_URL is not a URL: ${url}`);
}
if (parsed.protocol !== "https:" && !(parsed.protocol === "http:" && /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(parsed.hostname))) {
  fail(`HIREFLIX_API_URL must use https (plain http only to localhost): ${parsed.origin} would see the API key.`);
}

/** Never let the key reach the terminal, whatever a server echoes back. */
function scrub(text) {
  const s = String(text);
  return key.length >= 4 ? s.split(key).join("***") : s;
}

function documentsFromArgs() {
  const i = process.argv.indexOf("--documents");
  if (i < 0 || !process.argv[i + 1]) fail("usage: node scripts/check-hireflix.mjs --documents FILE");
  const documents = JSON.parse(readFileSync(process.argv[i + 1], "utf8"));
  if (!Array.isArray(documents) || documents.length === 0) fail("no GraphQL documents to check");
  return documents;
}

/** POST one GraphQL request. Returns { status, body } or { networkError }. */
async function post(query, variables) {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", "x-api-key": key },
      body: JSON.stringify(variables === undefined ? { query } : { query, variables }),
      redirect: "manual", // a redirect would carry the key to another host
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const text = await res.text();
    let body = null;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: an HTML error page, a proxy; reported by status below.
    }
    return { status: res.status, body, text };
  } catch (e) {
    return { networkError: e?.cause?.message ?? e?.message ?? String(e) };
  }
}

const messages = (errors) => [...new Set((errors ?? []).map((e) => scrub(e?.message ?? JSON.stringify(e))))];
const describe = (answer) =>
  answer.networkError
    ? `cannot reach ${url}: ${answer.networkError}`
    : messages(answer.body?.errors).join(" | ") || `HTTP ${answer.status}: ${scrub(answer.text.slice(0, 200))}`;

const AUTH_WORDS = /unauthori[sz]ed|unauthenticated|forbidden|api[ -_]?key|not authori[sz]ed|authentication|invalid token/i;
function isAuthFailure(answer) {
  if (answer.status === 401 || answer.status === 403) return true;
  return (answer.body?.errors ?? []).some(
    (e) => AUTH_WORDS.test(e?.message ?? "") || /UNAUTHENTICATED|FORBIDDEN/.test(e?.extensions?.code ?? ""),
  );
}

function operationOf(query) {
  const doc = parse(query);
  const op = doc.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  return { doc, op };
}

// --- 1. the key, and the open positions ------------------------------------------------------

const documents = documentsFromArgs();
if (!key) {
  fail(
    "No Hireflix API key: set HIREFLIX_API_KEY (Hireflix admin -> My account -> API keys) or put\n" +
      "HIREFLIX_API_KEY=... in .dev.vars.",
  );
}
out(`Hireflix: ${url} (key from ${keySource})`);

const positionsDoc = documents.find((d) => d.name === "Positions");
if (!positionsDoc) fail("The worker's documents have no Positions query: nothing to prove the key with.");
const positionsAnswer = await post(positionsDoc.query);
if (positionsAnswer.networkError) fail(`FAIL: ${describe(positionsAnswer)}`);
if (isAuthFailure(positionsAnswer)) {
  fail(
    `FAIL: Hireflix refused the API key from ${keySource} (${describe(positionsAnswer)}).\n` +
      "Check the key in Hireflix admin -> My account -> API keys, and that HIREFLIX_API_URL is the API it belongs to.",
  );
}
const positions = positionsAnswer.body?.data?.positions;
if (!Array.isArray(positions) || positionsAnswer.body?.errors) {
  fail(`FAIL Positions: ${describe(positionsAnswer)}`);
}
const open = positions.filter((p) => p && p.archived == null);
out(`Key: accepted. ${open.length} open position(s), ${positions.length - open.length} archived:`);
for (const p of open) out(`  ${p.id}  ${scrub(p.name)}`);
out();

// --- 2. the schema ---------------------------------------------------------------------------

let schema = null;
const introspection = await post(getIntrospectionQuery());
if (introspection.body?.data?.__schema && !introspection.body.errors) {
  try {
    schema = buildClientSchema(introspection.body.data);
    out(`Schema: fetched by introspection; validating ${documents.length} documents with graphql-js.`);
  } catch (e) {
    out(`Schema: the introspection answer is unusable (${scrub(e.message)}).`);
  }
} else {
  const refusals = messages(introspection.body?.errors);
  const why = refusals.length > 1 ? `${refusals[0]} (and ${refusals.length - 1} more)` : describe(introspection);
  out(`Schema: introspection is not available here (${why}).`);
}
if (!schema) {
  out(
    "Checking on the server instead: read-only documents run for real; invite documents are sent\n" +
      "without their variables, so the server validates them and stops before running them.",
  );
}

// --- 3. every document -----------------------------------------------------------------------

const firstPosition = (open[0] ?? positions[0])?.id;
const knownVariables = { positionId: firstPosition, email: NOBODY, id: firstPosition };

async function check(document) {
  let op;
  try {
    ({ op } = operationOf(document.query));
  } catch (e) {
    return { ok: false, detail: `does not parse: ${e.message}` };
  }
  const done = [];
  if (schema) {
    const errors = validate(schema, parse(document.query));
    if (errors.length) return { ok: false, detail: messages(errors).join(" | ") };
    done.push("valid");
  }
  if (document.readOnly) {
    if (document.query === positionsDoc.query) return { ok: true, detail: [...done, "ran for real"].join("; ") };
    const variables = {};
    for (const def of op?.variableDefinitions ?? []) {
      const name = def.variable.name.value;
      if (knownVariables[name] === undefined) {
        const why = name === "positionId" ? "the account has no position to look in" : `no test value for $${name}`;
        return { ok: !!schema, detail: [...done, `not run: ${why}`].join("; ") };
      }
      variables[name] = knownVariables[name];
    }
    const answer = await post(document.query, variables);
    if (answer.networkError || answer.body?.errors || !answer.body?.data) return { ok: false, detail: describe(answer) };
    const given = Object.entries(variables).map(([k, v]) => `${k}=${v}`).join(", ");
    return { ok: true, detail: [...done, `ran for real${given ? ` with ${given}` : ""}`].join("; ") };
  }
  if (schema) return { ok: true, detail: done.join("; ") };
  // No schema and not safe to run: let the server validate it, without variables.
  const required = (op?.variableDefinitions ?? []).filter((d) => d.type.kind === Kind.NON_NULL_TYPE && !d.defaultValue);
  if (required.length === 0) {
    return { ok: false, detail: "cannot be checked without introspection: it has no required variable to withhold" };
  }
  const answer = await post(document.query);
  if (answer.networkError) return { ok: false, detail: describe(answer) };
  const errors = answer.body?.errors ?? [];
  const onlyMissingVariables =
    errors.length > 0 && answer.body?.data == null && errors.every((e) => /^Variable "\$[A-Za-z0-9_]+"/.test(e?.message ?? ""));
  if (onlyMissingVariables) return { ok: true, detail: "validated by the server; not run" };
  return { ok: false, detail: errors.length ? messages(errors).join(" | ") : `unexpected answer: ${describe(answer)}` };
}

let failures = 0;
for (const document of documents) {
  const { ok, detail } = await check(document);
  if (ok) out(`OK ${document.name}${detail ? ` (${detail})` : ""}`);
  // An optional document only adds detail (which field a validation error is about): its
  // failure is worth knowing, not a reason to stay offline.
  else if (document.optional) out(`WARN ${document.name} (optional, the worker does without it): ${detail}`);
  else {
    failures++;
    out(`FAIL ${document.name}: ${detail}`);
  }
}
out();
if (failures) {
  out(`${failures} of ${documents.length} documents FAILED: every invite using them would fail. Do not go live.`);
  process.exit(1);
}
out(`All ${documents.length} documents OK against ${url}.`);
