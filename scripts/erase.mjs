// Erases one candidate through the worker's admin API (see scripts/erase):
//   POST /admin/erase {"email", "position"?} -> {waitingEntries, kvRecords, positionsSearched, ledgerRows, deadLetters, complete}
// with `Authorization: Bearer $ADMIN_TOKEN`. A count is null where that store did not answer
// (HTTP 503): nothing is reported erased that was not, and erasing again is safe.

import { connect, die } from "./admin-api.mjs";

const USAGE = "usage: bash scripts/erase EMAIL [--position ID]\n" +
  "env: WORKER_URL (e.g. https://apply.example.com), ADMIN_TOKEN (the worker's secret of that name)";

const [email, ...rest] = process.argv.slice(2);
if (!email || !email.includes("@")) die(`${email ? `not an email address: ${email}` : "no email address"}\n${USAGE}`);
let position;
if (rest.length === 2 && rest[0] === "--position" && /^[0-9a-fA-F]{24}$/.test(rest[1])) position = rest[1];
else if (rest.length) die(`unexpected arguments: ${rest.join(" ")} (--position takes a Hireflix position id, 24 hex digits)\n${USAGE}`);

const { call, scrub } = connect(USAGE);
const done = await call("POST", "/admin/erase", { email, ...(position ? { position } : {}) }, [422, 503]);
if (done?.error === "invalid_request") die(`The worker refused the address or the position as invalid.\n${USAGE}`);
if (done?.error) die(`The worker could not erase: ${scrub(done.error)} (see its /healthz).`);
const count = (n, what) => (n == null ? `${what}: NOT ERASED (no answer)` : `${what}: ${n}`);
console.log([
  count(done.waitingEntries, "waiting-line entries"),
  count(done.kvRecords, `KV records (of ${done.positionsSearched} position(s) searched)`),
  count(done.ledgerRows, "invite ledger rows"),
  count(done.deadLetters, "dead letters"),
].join("\n"));
if (!done.complete) die("Incomplete: run the same command again (erasing twice is safe).");
console.log("Erased. Hireflix keeps its own copy of the interview: delete the candidate there too.");
