// Lists and replays the worker's dead letters through its admin API (see scripts/dead-letters):
//   GET  /admin/dead-letters                      -> {"deadLetters":[{position, reason, failedAt, attempts, email}]}
//   POST /admin/dead-letters/replay[?position=ID] -> {"replayed": n}
// Both with `Authorization: Bearer $ADMIN_TOKEN`. The worker masks the emails; this prints
// what it gets and never the token.

const USAGE = "usage: bash scripts/dead-letters list|replay [--position ID]\n" +
  "env: WORKER_URL (e.g. https://apply.example.com), ADMIN_TOKEN (the worker's secret of that name)";

function die(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

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
const token = process.env.ADMIN_TOKEN ?? "";
const scrub = (s) => (token ? String(s).split(token).join("***") : String(s));
let base;
try {
  base = new URL(process.env.WORKER_URL ?? "");
  if (!/^https?:$/.test(base.protocol)) throw new Error();
} catch {
  die(`WORKER_URL is missing or not a URL.\n${USAGE}`);
}
// The token must not cross a network in clear: plain http only to this machine.
if (base.protocol === "http:" && !/^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(base.hostname)) {
  die(`WORKER_URL must use https (plain http only to localhost): ${base.origin} would see ADMIN_TOKEN.`);
}
if (!token) die(`ADMIN_TOKEN is missing.\n${USAGE}`);
if (token.trim().length < 32) die("ADMIN_TOKEN is shorter than 32 characters: the worker refuses such a token (openssl rand -hex 32).");

async function call(method, path) {
  const url = new URL(path, base);
  let res, text;
  try {
    res = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${token}`, accept: "application/json" },
      redirect: "manual", // the token must not follow a redirect elsewhere
      signal: AbortSignal.timeout(30000),
    });
    text = await res.text();
  } catch (e) {
    die(`Cannot reach ${url.origin}: ${scrub(e?.cause?.message ?? e?.message ?? e)}`);
  }
  if (res.status === 404) {
    // The worker answers every unauthenticated /admin/ request alike, so this cannot say which.
    die(`${url.origin} answered 404 for ${url.pathname}: the worker refused ADMIN_TOKEN (use the value of its ADMIN_TOKEN secret), has no such secret, saw too many tries from here (wait a minute), or WORKER_URL is not this worker.`);
  }
  if (!res.ok) die(`${method} ${url.pathname}: HTTP ${res.status}: ${scrub(text.slice(0, 300))}`);
  try {
    return JSON.parse(text);
  } catch {
    die(`${method} ${url.pathname}: not JSON: ${scrub(text.slice(0, 300))}`);
  }
}

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
  if (letters.length === 0) console.log("No dead letters.");
  else {
    printTable([...letters].sort((a, b) => (a.failedAt ?? 0) - (b.failedAt ?? 0)));
    console.log(`\n${letters.length} dead letter(s). After fixing the cause: bash scripts/dead-letters replay [--position ID]`);
  }
} else {
  const path = args.position ? `/admin/dead-letters/replay?position=${encodeURIComponent(args.position)}` : "/admin/dead-letters/replay";
  const body = await call("POST", path);
  if (!Number.isInteger(body?.replayed)) die(`Unexpected answer: ${scrub(JSON.stringify(body).slice(0, 300))}`);
  console.log(`Replayed ${body.replayed} dead letter(s)${args.position ? ` of position ${args.position}` : ""}: back on the invite queue.`);
}
