// The application funnel from Workers Analytics Engine (dataset hireflix_apply_funnel), through
// its SQL API: per position and per source (utm_source), form views, submits, invites and the
// conversion from view to invite. See scripts/funnel.
//
// One data point per event, as the worker writes them: index1 = position id, blob1 = event
// (form_view, submit, invalid, honeypot, turnstile_failed, rate_limited, kv_hit, invited,
// queued, parked, dead_letter), blob2 = language, blob3..5 = utm_source/medium/campaign,
// blob6 = country, double1 = 1. Analytics Engine samples at high volume, so every count is
// SUM(_sample_interval), never COUNT().

export const DATASET = "hireflix_apply_funnel";
const API_BASE = process.env.CLOUDFLARE_API_BASE || "https://api.cloudflare.com/client/v4";
const MAX_DAYS = 90; // Analytics Engine keeps three months of data

const USAGE = "usage: bash scripts/funnel [--days N]   (N from 1 to 90, default 7)\n" +
  "env: CLOUDFLARE_ACCOUNT_ID, CLOUDFLARE_API_TOKEN (a token with Account | Account Analytics | Read)";

function die(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** `--days N` only: the number goes into the SQL text, so nothing but digits gets through. */
export function parseArgs(argv) {
  let days = 7;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--days" && /^[0-9]{1,2}$/.test(argv[i + 1] ?? "") && +argv[i + 1] >= 1 && +argv[i + 1] <= MAX_DAYS) {
      days = Number(argv[++i]);
    } else if (argv[i] === "--help" || argv[i] === "-h") {
      return { help: true };
    } else {
      return { error: `unexpected argument: ${argv[i]}${argv[i] === "--days" ? ` ${argv[i + 1] ?? ""}` : ""}` };
    }
  }
  return { days };
}

export function funnelSql(days) {
  return `SELECT
  index1 AS position,
  blob3 AS source,
  blob1 AS event,
  SUM(_sample_interval) AS events
FROM ${DATASET}
WHERE timestamp > NOW() - INTERVAL '${days}' DAY
GROUP BY position, source, event
ORDER BY position, source, event
FORMAT JSON`;
}

const FUNNEL = ["form_view", "submit", "invited"];
const OTHER_EVENTS = ["invalid", "honeypot", "turnstile_failed", "rate_limited", "kv_hit", "queued", "parked", "dead_letter"];

function table(title, rows) {
  const head = [title, "views", "submits", "invited", "conversion"];
  const body = rows.map(([label, c]) => [
    label,
    String(c.form_view),
    String(c.submit),
    String(c.invited),
    c.form_view > 0 ? `${((100 * c.invited) / c.form_view).toFixed(1)}%` : "-",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(head), ...body.map(line)].join("\n");
}

function group(rows, keyOf, limit) {
  const by = new Map();
  const total = { form_view: 0, submit: 0, invited: 0 };
  for (const r of rows) {
    if (!FUNNEL.includes(r.event)) continue;
    const key = keyOf(r);
    if (!by.has(key)) by.set(key, { form_view: 0, submit: 0, invited: 0 });
    by.get(key)[r.event] += r.events;
    total[r.event] += r.events;
  }
  const sorted = [...by.entries()].sort((a, b) => b[1].form_view - a[1].form_view || b[1].invited - a[1].invited || a[0].localeCompare(b[0]));
  const shown = sorted.slice(0, limit);
  if (sorted.length > limit) {
    const rest = { form_view: 0, submit: 0, invited: 0 };
    for (const [, c] of sorted.slice(limit)) for (const e of FUNNEL) rest[e] += c[e];
    shown.push([`(${sorted.length - limit} more)`, rest]);
  }
  return [...shown, ["all", total]];
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) return console.log(USAGE);
  if (args.error) die(`${args.error}\n${USAGE}`);
  const account = process.env.CLOUDFLARE_ACCOUNT_ID ?? "";
  const token = process.env.CLOUDFLARE_API_TOKEN ?? "";
  if (!/^[A-Za-z0-9]+$/.test(account)) die(`CLOUDFLARE_ACCOUNT_ID is missing or malformed (the 32-character id from the dashboard).\n${USAGE}`);
  if (!token) die(`CLOUDFLARE_API_TOKEN is missing.\n${USAGE}`);
  const scrub = (s) => String(s).split(token).join("***");

  const sql = funnelSql(args.days);
  let res, text;
  try {
    res = await fetch(`${API_BASE}/accounts/${account}/analytics_engine/sql`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" },
      body: sql,
      signal: AbortSignal.timeout(30000),
    });
    text = await res.text();
  } catch (e) {
    die(`Cannot reach the Analytics Engine SQL API: ${scrub(e?.cause?.message ?? e?.message ?? e)}`);
  }
  if (!res.ok) {
    const hint =
      res.status === 401 || res.status === 403
        ? "\nThe token needs the permission Account | Account Analytics | Read on this account."
        : /unknown table|table .*(not found|does not exist)|no such table/i.test(text)
          ? `\nNo data yet? The dataset ${DATASET} appears with the worker's first event.`
          : "";
    die(`The SQL API answered HTTP ${res.status}: ${scrub(text.slice(0, 500))}${hint}`);
  }
  let data;
  try {
    data = JSON.parse(text).data;
  } catch {
    // handled below
  }
  if (!Array.isArray(data)) die(`Unexpected answer from the SQL API: ${scrub(text.slice(0, 300))}`);
  // UInt64 sums arrive as strings (JSON cannot hold every UInt64).
  const rows = data.map((r) => ({
    position: String(r.position ?? ""),
    source: String(r.source ?? "") || "(none)",
    event: String(r.event ?? ""),
    events: Math.round(Number(r.events)) || 0,
  }));

  console.log(`Funnel, last ${args.days} day(s), from ${DATASET} (counts weighted by _sample_interval)\n`);
  console.log(table("position", group(rows, (r) => r.position || "(none)", 50)));
  console.log();
  console.log(table("source (utm_source)", group(rows, (r) => r.source, 20)));
  const others = OTHER_EVENTS.map((e) => [e, rows.filter((r) => r.event === e).reduce((n, r) => n + r.events, 0)]);
  console.log(`\nOther events: ${others.map(([e, n]) => `${e} ${n}`).join(", ")}`);
}

await main();
