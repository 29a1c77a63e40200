// /healthz tells an operator what is missing or unsafe, by name and never by value: 200 with
// "warnings" when the worker still serves, 503 with "problems" when it cannot. Everyone else
// gets the status alone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withWorker, ann, API_KEY, APP_SECRET, ADMIN_TOKEN, OPEN } from "../harness.mjs";

/** A configuration with nothing to warn about besides what a test takes away (Turnstile with Cloudflare's test keys). */
const COMPLETE = {
  BRAND_NAME: "Example Ltd",
  PRIVACY_URL: "https://example.com/privacy",
  CONTACT_EMAIL: "jobs@example.com",
  TURNSTILE_SITE_KEY: "1x00000000000000000000AA",
  TURNSTILE_SECRET_KEY: "1x0000000000000000000000000000000AA",
};

async function health(options = {}) {
  return withWorker({ ...options, vars: { ...COMPLETE, ...options.vars } }, async (w) => {
    const res = await w.health();
    return { status: res.status, body: await res.json() };
  });
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
  await withWorker({ without: ["RATE_LIMITER"], turnstile: true, vars: COMPLETE }, async (w) => {
    const res = await w.health();
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.status, "ok");
    assert.equal(body.warnings.length, 1);
    assert.match(body.warnings[0], /^RATE_LIMITER binding is missing/);
    const { token } = w.turnstile.mint({ hostname: "apply.test", action: "apply", cdata: OPEN });
    assert.equal((await w.postForm(OPEN, { ...ann(), "cf-turnstile-response": token })).status, 303, "still taking applications");
  });
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
    [{ TURNSTILE_SITE_KEY: "1x00000000000000000000AA", TURNSTILE_SECRET_KEY: "" }, "TURNSTILE_SECRET_KEY"],
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

test("the shipped defaults are quiet; every unsafe choice is a warning by name", async () => {
  const shipped = await health();
  assert.deepEqual(shipped.body, { status: "ok" }, "budgets, Turnstile and both rate limiters on");
  const { status, body } = await health({
    without: ["NETWORK_RATE_LIMITER"],
    vars: { INVITES_PER_DAY: "0", INVITES_PER_MONTH: "0", BUDGET_WINDOWS_SECONDS: "2,4,8", TURNSTILE_SITE_KEY: "" },
  });
  assert.equal(status, 200, "the worker still serves");
  assert.deepEqual(body.warnings.map((w) => w.split(" ")[0]), [
    "NETWORK_RATE_LIMITER",
    "INVITES_PER_DAY",
    "TURNSTILE_SITE_KEY",
    "BUDGET_WINDOWS_SECONDS",
  ]);
  assert.match(body.warnings[1], /INVITES_PER_DAY and INVITES_PER_MONTH are both 0/);
});

test("without the admin token /healthz is the status alone: no warnings, no problems, no deep check", async () => {
  await withWorker({ vars: { INVITES_PER_DAY: "0", INVITES_PER_MONTH: "0" } }, async (w) => {
    for (const headers of [{}, { authorization: "Bearer wrong-token-of-the-right-length-0123456789" }, { authorization: ADMIN_TOKEN }]) {
      for (const query of ["", "?deep=1"]) {
        const res = await w.fetch(`/healthz${query}`, { headers });
        assert.equal(res.status, 200);
        assert.deepEqual(await res.json(), { status: "ok" }, `${JSON.stringify(headers)} ${query}`);
      }
    }
    assert.equal(w.standIn.requests.length, 0, "nobody but the operator makes the worker ask Hireflix");
    const operator = await (await w.health("?deep=1")).json();
    assert.ok(operator.warnings.some((w) => w.startsWith("INVITES_PER_DAY")));
    assert.equal(operator.hireflix, "ok");
  });
  await withWorker({ vars: { APP_SECRET: "" } }, async (broken) => {
    const res = await broken.fetch("/healthz");
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), { status: "misconfigured" });
    assert.ok((await (await broken.health()).json()).problems.some((p) => p.startsWith("APP_SECRET")));
  });
});
