// Lists and replays the worker's dead letters through its admin API (see scripts/dead-letters):
//   GET  /admin/dead-letters                      -> {"deadLetters":[{position, reason, failedAt, attempts, email}], "complete"}
//   POST /admin/dead-letters/replay[?position=ID] -> {"replayed": n, "notReplayed": n, "complete"}
// "complete": false when some letters could not be read (their object or a KV page did not answer).
// Both with `Authorization: Bearer $ADMIN_TOKEN`. The worker masks the emails; this prints
// what it gets and never the token.

import { connect, die } from "./admin-api.mjs";

const USAGE = "usage: bash scripts/dead-letters list|replay [--position ID]\n" +
  "env: WORKER_URL (e.g. https://apply.example.com), ADMIN_TOKEN (the worker's secret of that name)";

function parseArgs(argv) {
  const [command, ...rest] = argv;
  if (command !== "list" && command !== "replay") return { error: command ? `unknown command: ${command}` : "no command" };
  let position = null;
  for (let i = 0; i < rest.length; i++) {
    if (command === "replay" && rest[i] === "--position" && /^[0-9a-fA-F]{24}$/.test(rest[i + 1] ?? "")) position = rest[++i];
    else if (rest[i] === "--position") return { error: `--position takes a Hireflix position id (24 hex digits), not "${rest[i + 1] ?? ""}"${command === "list" ? " (and only with replay)" : ""}` };
    else return { error: `unexpected argument: ${rest[i]}` };
  }
  return { command, position };
}

const args = parseArgs(process.argv.slice(2));
if (args.error) die(`${args.error}\n${USAGE}`);
const { call, scrub } = connect(USAGE);

function printTable(letters) {
  const head = ["position", "reason", "failed at (UTC)", "attempts", "email"];
  const rows = letters.map((l) => [
    String(l.position ?? ""),
    String(l.reason ?? ""),
    Number.isFinite(l.failedAt) ? new Date(l.failedAt).toISOString().replace("T", " ").slice(0, 19) : "?",
    String(l.attempts ?? "?"),
    String(l.email ?? ""),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
  console.log([line(head), ...rows.map(line)].join("\n"));
}

if (args.command === "list") {
  const body = await call("GET", "/admin/dead-letters");
  const letters = body?.deadLetters;
  if (!Array.isArray(letters)) die(`Unexpected answer: ${scrub(JSON.stringify(body).slice(0, 300))}`);
  if (letters.length === 0) {
    if (body.complete !== false) console.log("No dead letters.");
  } else {
    printTable([...letters].sort((a, b) => (a.failedAt ?? 0) - (b.failedAt ?? 0)));
    console.log(`\n${letters.length} dead letter(s). After fixing the cause: bash scripts/dead-letters replay [--position ID]`);
  }
  if (body.complete === false) warnPartial();
} else {
  const path = args.position ? `/admin/dead-letters/replay?position=${encodeURIComponent(args.position)}` : "/admin/dead-letters/replay";
  const body = await call("POST", path);
  if (!Number.isInteger(body?.replayed)) die(`Unexpected answer: ${scrub(JSON.stringify(body).slice(0, 300))}`);
  console.log(`Replayed ${body.replayed} dead letter(s)${args.position ? ` of position ${args.position}` : ""}: back on the invite queue.`);
  if (body.notReplayed > 0) console.log(`${body.notReplayed} could not be replayed (unreadable, or the queue refused it): they stay listed.`);
  if (body.complete === false) warnPartial();
}

function warnPartial() {
  console.error("Not every dead letter could be read (their store did not answer): run this again in a minute.");
  process.exitCode = 1;
}
