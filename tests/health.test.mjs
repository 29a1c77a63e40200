// /healthz tells an operator what is missing or unsafe, by name and never by value: 200 with
// "warnings" when the worker still serves, 503 with "problems" when it cannot.
import { test } from "node:test";
import assert from "node:assert/strict";
import { start, ann, API_KEY, APP_SECRET, OPEN } from "./harness.mjs";

/** A configuration with nothing to warn about besides what a test takes away. */
const COMPLETE = { BRAND_NAME: "Example Ltd", PRIVACY_URL: "https://example.com/privacy", CONTACT_EMAIL: "jobs@example.com" };

async function health(options = {}) {
  const w = await start({ ...options, vars: { ...COMPLETE, ...options.vars } });
  try {
    const res = await w.fetch("/healthz");
    return { status: res.status, body: await res.json() };
  } finally {
    await w.stop();
  }
}

/** Nothing secret or configured may show: only setting names. */
function assertNoValues(body, ...values) {
  const text = JSON.stringify(body);
  for (const value of [API_KEY, APP_SECRET, ...values]) assert.ok(!text.includes(value), `${value} shown`);
}

test("a working configuration is 200 with nothing to say", async () => {
  const { status, body } = await health();
  assert.equal(status, 200);
  assert.deepEqual(body, { status: "ok" });
});

test("without the rate limiter the worker serves, and /healthz warns by name", async () => {
  const w = await start({ without: ["RATE_LIMITER"], vars: COMPLETE });
  try {
    const res = await w.fetch("/healthz");
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.status, "ok");
    assert.equal(body.warnings.length, 1);
    assert.match(body.warnings[0], /^RATE_LIMITER binding is missing/);
    assert.equal((await w.postForm(OPEN, ann())).status, 303, "still taking applications");
  } finally {
    await w.stop();
  }
});

test("a missing ledger or queues and a plain http landing page are warnings, named", async () => {
  const { status, body } = await health({
    ledger: false,
    without: ["INVITE_QUEUE", "INVITE_DLQ"],
    vars: { ALLOWED_ORIGINS: "http://careers.example.com" },
  });
  assert.equal(status, 200);
  const names = body.warnings.map((w) => w.split(" ")[0]).sort();
  assert.deepEqual(names, ["ALLOWED_ORIGINS", "INVITE_DLQ", "INVITE_LEDGER", "INVITE_QUEUE"]);
  assertNoValues(body, "careers.example.com");
});

test("no APP_SECRET, a Turnstile site key without its secret, or malformed ALLOWED_ORIGINS: 503, each by name", async () => {
  const cases = [
    [{ APP_SECRET: "" }, "APP_SECRET"],
    [{ APP_SECRET: "too-short-to-key-anything" }, "APP_SECRET"],
    [{ TURNSTILE_SITE_KEY: "1x00000000000000000000AA" }, "TURNSTILE_SECRET_KEY"],
    [{ ALLOWED_ORIGINS: "careers.example.com/jobs" }, "ALLOWED_ORIGINS"],
  ];
  for (const [vars, name] of cases) {
    const { status, body } = await health({ vars, without: ["RATE_LIMITER"] });
    assert.equal(status, 503, name);
    assert.equal(body.status, "misconfigured");
    assert.ok(body.problems.some((p) => p.includes(name)), `${name}: ${body.problems}`);
    assert.ok(body.warnings.some((w) => w.startsWith("RATE_LIMITER")), "warnings come with the problems");
    assertNoValues(body, ...Object.values(vars).filter(Boolean));
  }
});
