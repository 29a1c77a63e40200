// The local Turnstile stand-in behaves as Cloudflare documents siteverify and the widget, so the
// worker's Turnstile tests exercise the real contract: node tests of siteverify, then Chromium
// loading the fake api.js through a strict Content-Security-Policy.
import { test, describe, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { launchChromium } from "./chromium.mjs";
import { TurnstileStandIn, SECRETS, SITEKEYS, DUMMY_TOKEN, TOKEN_TTL_MS } from "./stand-in/turnstile.mjs";

const POSITION = "68b43e38b19cf131a17c543f";

/** POSTs to siteverify as a server would; `as` picks the body encoding. */
async function siteverify(standIn, fields, { as = "form", signal } = {}) {
  const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  let init;
  if (as === "json") init = { headers: { "content-type": "application/json" }, body: JSON.stringify(defined) };
  else if (as === "multipart") {
    const form = new FormData();
    for (const [k, v] of Object.entries(defined)) form.append(k, v);
    init = { body: form };
  } else init = { headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(defined).toString() };
  const res = await fetch(standIn.verifyUrl, { method: "POST", signal, ...init });
  const type = res.headers.get("content-type") ?? "";
  return { status: res.status, body: type.startsWith("application/json") ? await res.json() : await res.text() };
}

describe("siteverify", () => {
  let clock = Date.parse("2026-05-01T09:00:00.000Z");
  const standIn = new TurnstileStandIn({ now: () => clock });
  before(() => standIn.listen(0));
  after(() => standIn.close());
  beforeEach(() => standIn.reset());

  const mint = (over = {}) =>
    standIn.mint({ sitekey: SITEKEYS.pass, hostname: "apply.example.com", action: "apply", cdata: POSITION, ...over }).token;

  for (const as of ["form", "json", "multipart"]) {
    test(`a fresh token passes once, echoing the widget's hostname, action and cData (${as})`, async () => {
      const solvedAt = clock;
      const token = mint();
      clock += 20_000;
      const first = await siteverify(standIn, { secret: SECRETS.pass, response: token, remoteip: "203.0.113.7" }, { as });
      assert.equal(first.status, 200);
      assert.deepEqual(first.body, {
        success: true,
        challenge_ts: new Date(solvedAt).toISOString(),
        hostname: "apply.example.com",
        "error-codes": [],
        action: "apply",
        cdata: POSITION,
        metadata: { interactive: false },
      });
      const again = await siteverify(standIn, { secret: SECRETS.pass, response: token }, { as });
      assert.deepEqual(again.body, { success: false, "error-codes": ["timeout-or-duplicate"], messages: [] });
      assert.deepEqual(
        standIn.requests.map((r) => [r.secret, r.response === token, r.remoteip, r.answer.success]),
        [[SECRETS.pass, true, "203.0.113.7", true], [SECRETS.pass, true, null, false]],
      );
    });
  }

  test("a token verifies until 300 s after the solve, then answers timeout-or-duplicate", async () => {
    const early = mint();
    const late = mint();
    clock += TOKEN_TTL_MS - 1;
    assert.equal((await siteverify(standIn, { secret: SECRETS.pass, response: early })).body.success, true);
    clock += 1;
    assert.deepEqual((await siteverify(standIn, { secret: SECRETS.pass, response: late })).body["error-codes"], ["timeout-or-duplicate"]);
  });

  test("a retry with the first call's idempotency_key gets the first answer; any other call is a duplicate", async () => {
    const token = mint();
    const key = randomUUID();
    const first = await siteverify(standIn, { secret: SECRETS.pass, response: token, idempotency_key: key });
    assert.equal(first.body.success, true);
    const retry = await siteverify(standIn, { secret: SECRETS.pass, response: token, idempotency_key: key }, { as: "json" });
    assert.deepEqual(retry.body, first.body);
    for (const other of [{ idempotency_key: randomUUID() }, {}]) {
      const { body } = await siteverify(standIn, { secret: SECRETS.pass, response: token, ...other });
      assert.deepEqual(body["error-codes"], ["timeout-or-duplicate"]);
    }
    // The key belongs to that token only.
    const { body } = await siteverify(standIn, { secret: SECRETS.pass, response: mint({ action: "other" }), idempotency_key: key });
    assert.equal(body.action, "other");
    // A refusal is replayed as well.
    const refused = mint({ sitekey: SITEKEYS.fail });
    const key2 = randomUUID();
    const no = await siteverify(standIn, { secret: SECRETS.pass, response: refused, idempotency_key: key2 });
    assert.deepEqual(no.body["error-codes"], ["invalid-input-response"]);
    assert.deepEqual((await siteverify(standIn, { secret: SECRETS.pass, response: refused, idempotency_key: key2 })).body, no.body);
  });

  test("the test secrets: 2x always fails, 3x is always spent, anything else is an invalid secret", async () => {
    const token = mint();
    const codes = async (secret, response = token) => (await siteverify(standIn, { secret, response })).body["error-codes"];
    assert.deepEqual(await codes(SECRETS.fail), ["invalid-input-response"]);
    assert.deepEqual(await codes(SECRETS.spent), ["timeout-or-duplicate"]);
    assert.deepEqual(await codes("0x4AAAAAAAA-not-a-test-secret"), ["invalid-input-secret"]);
    // None of those spent the token.
    assert.deepEqual(await codes(SECRETS.pass), []);
  });

  test("missing, unknown, oversized and failing-sitekey responses", async () => {
    const codes = async (fields, as) => (await siteverify(standIn, fields, { as })).body["error-codes"];
    assert.deepEqual(await codes({}), ["missing-input-secret", "missing-input-response"]);
    assert.deepEqual(await codes({ response: mint() }), ["missing-input-secret"]);
    assert.deepEqual(await codes({ secret: SECRETS.pass }, "json"), ["missing-input-response"]);
    assert.deepEqual(await codes({ secret: "wrong" }), ["invalid-input-secret", "missing-input-response"]);
    assert.deepEqual(await codes({ secret: SECRETS.pass, response: "0.made-up-by-a-bot" }), ["invalid-input-response"]);
    assert.deepEqual(await codes({ secret: SECRETS.pass, response: mint() + "x".repeat(2048) }), ["invalid-input-response"]);
    assert.deepEqual(await codes({ secret: SECRETS.pass, response: mint({ sitekey: SITEKEYS.fail }) }), ["invalid-input-response"]);
    assert.deepEqual(await codes({ secret: SECRETS.pass, response: mint(), idempotency_key: "not-a-uuid" }), ["bad-request"]);
  });

  test("Cloudflare's dummy token passes with the passing test secret, every time", async () => {
    for (let i = 0; i < 2; i++) {
      const { body } = await siteverify(standIn, { secret: SECRETS.pass, response: DUMMY_TOKEN });
      assert.equal(body.success, true);
      assert.equal(body.hostname, "example.com");
      assert.equal(body.action, "");
    }
    assert.equal((await siteverify(standIn, { secret: SECRETS.fail, response: DUMMY_TOKEN })).body.success, false);
  });

  test("malformed requests are bad-request", async () => {
    const post = (headers, body) => fetch(standIn.verifyUrl, { method: "POST", headers, body });
    let res = await post({ "content-type": "application/json" }, "{not json");
    assert.equal(res.status, 400);
    assert.deepEqual((await res.json())["error-codes"], ["bad-request"]);
    res = await post({ "content-type": "text/plain" }, `secret=${SECRETS.pass}`);
    assert.equal(res.status, 400);
    res = await fetch(standIn.verifyUrl);
    assert.equal(res.status, 405);
    assert.equal(res.headers.get("content-type"), "application/json");
  });

  test("faults: http500, internalError and malformed touch nothing; the token still verifies", async () => {
    const token = mint();
    standIn.addFault("http500");
    standIn.addFault("internalError");
    standIn.addFault("malformed");
    const a = await siteverify(standIn, { secret: SECRETS.pass, response: token });
    assert.equal(a.status, 500);
    const b = await siteverify(standIn, { secret: SECRETS.pass, response: token });
    assert.deepEqual(b.body, { success: false, "error-codes": ["internal-error"], messages: [] });
    const c = await siteverify(standIn, { secret: SECRETS.pass, response: token });
    assert.equal(c.status, 200);
    assert.match(c.body, /^<!doctype html>/);
    assert.equal((await siteverify(standIn, { secret: SECRETS.pass, response: token })).body.success, true);
    assert.deepEqual(standIn.requests.map((r) => r.fault), ["http500", "internalError", "malformed", null]);
  });

  test("fault refuse: a good token is spent and refused", async () => {
    const token = mint();
    standIn.addFault("refuse");
    assert.deepEqual((await siteverify(standIn, { secret: SECRETS.pass, response: token })).body["error-codes"], ["invalid-input-response"]);
    assert.deepEqual((await siteverify(standIn, { secret: SECRETS.pass, response: token })).body["error-codes"], ["timeout-or-duplicate"]);
    assert.equal((await siteverify(standIn, { secret: SECRETS.pass, response: mint() })).body.success, true);
  });

  test("fault hang: no answer, yet the token is spent; the idempotent retry gets the answer that was lost", async () => {
    const token = mint();
    const key = randomUUID();
    standIn.addFault("hang");
    const started = Date.now();
    await assert.rejects(
      siteverify(standIn, { secret: SECRETS.pass, response: token, idempotency_key: key }, { signal: AbortSignal.timeout(300) }),
      { name: "TimeoutError" },
    );
    assert.ok(Date.now() - started >= 290);
    assert.equal(standIn.requests[0].status, null);
    assert.deepEqual((await siteverify(standIn, { secret: SECRETS.pass, response: token })).body["error-codes"], ["timeout-or-duplicate"]);
    const retry = await siteverify(standIn, { secret: SECRETS.pass, response: token, idempotency_key: key });
    assert.equal(retry.body.success, true);
    assert.equal(retry.body.cdata, POSITION);
  });

  test("fault hang with delayMs answers late", async () => {
    standIn.addFault("hang", 1, 250);
    const started = Date.now();
    const { body } = await siteverify(standIn, { secret: SECRETS.pass, response: mint() });
    assert.equal(body.success, true);
    assert.ok(Date.now() - started >= 240);
  });

  test("control endpoints: mint with CORS, faults, state, reset", async () => {
    const pageOrigin = "http://127.0.0.1:9";
    const preflight = await fetch(`${standIn.origin}/__stand-in/token`, {
      method: "OPTIONS",
      headers: { origin: pageOrigin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), pageOrigin);
    assert.match(preflight.headers.get("access-control-allow-headers"), /content-type/);

    const minted = await fetch(`${standIn.origin}/__stand-in/token`, {
      method: "POST",
      headers: { origin: pageOrigin, "content-type": "application/json" },
      body: JSON.stringify({ sitekey: SITEKEYS.interactive, action: "apply", cdata: POSITION, interactive: true }),
    });
    assert.equal(minted.headers.get("access-control-allow-origin"), pageOrigin);
    const { token, ttlMs, expiresAt } = await minted.json();
    assert.equal(ttlMs, TOKEN_TTL_MS);
    assert.equal(expiresAt, new Date(clock + TOKEN_TTL_MS).toISOString());
    const { body } = await siteverify(standIn, { secret: SECRETS.pass, response: token });
    // No hostname in the body: the Origin header's.
    assert.equal(body.hostname, "127.0.0.1");
    assert.deepEqual(body.metadata, { interactive: true });

    for (const [fields, code] of [
      [{ sitekey: "0x4AAAAAAAreal" }, "110100"],
      [{ sitekey: SITEKEYS.pass, action: "apply now" }, "110420"],
      [{ sitekey: SITEKEYS.pass, cdata: "x".repeat(256) }, "110430"],
    ]) {
      const res = await fetch(`${standIn.origin}/__stand-in/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(fields) });
      assert.equal(res.status, 400);
      assert.equal((await res.json()).error, code);
    }

    const faults = await fetch(`${standIn.origin}/__stand-in/faults`, { method: "POST", body: JSON.stringify({ kind: "http500", count: 2 }) });
    assert.deepEqual(await faults.json(), { pending: 2 });
    const bad = await fetch(`${standIn.origin}/__stand-in/faults`, { method: "POST", body: JSON.stringify({ kind: "explode" }) });
    assert.equal(bad.status, 400);
    const state = await (await fetch(`${standIn.origin}/__stand-in/state`)).json();
    assert.equal(state.pendingFaults, 2);
    assert.equal(state.tokens.length, 1);
    assert.ok(state.tokens[0].spentAt);
    assert.equal(state.requests.length, 1);
    await fetch(`${standIn.origin}/__stand-in/reset`, { method: "POST" });
    assert.deepEqual(standIn.state(), { tokens: [], requests: [], pendingFaults: 0 });
    assert.deepEqual((await siteverify(standIn, { secret: SECRETS.pass, response: token })).body["error-codes"], ["invalid-input-response"]);
  });
});

test("runs standalone for scripts/dev: node tests/stand-in/turnstile.mjs --port N", async () => {
  const child = spawn(process.execPath, ["tests/stand-in/turnstile.mjs", "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    const line = await new Promise((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (c) => {
        out += c;
        if (out.includes("\n")) resolve(out);
      });
      child.on("exit", (code) => reject(new Error(`exited with ${code}`)));
    });
    const verifyUrl = line.match(/siteverify (http:\/\/\S+?),/)[1];
    const origin = new URL(verifyUrl).origin;
    const { token } = await (
      await fetch(`${origin}/__stand-in/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ hostname: "127.0.0.1" }) })
    ).json();
    const res = await fetch(verifyUrl, { method: "POST", body: new URLSearchParams({ secret: SECRETS.pass, response: token }) });
    assert.equal((await res.json()).hostname, "127.0.0.1");
    const script = await fetch(`${origin}/turnstile/v0/api.js`);
    assert.match(script.headers.get("content-type"), /javascript/);
    assert.match(await script.text(), /window\.turnstile = /);
  } finally {
    child.kill();
  }
});

// ---- In Chromium ---------------------------------------------------------------------------

describe("the fake api.js in Chromium", () => {
  const standIn = new TurnstileStandIn();
  const shortLived = new TurnstileStandIn({ tokenTtlMs: 3000 });
  let site, browser;
  const submissions = [];

  // The page's CSP admits Cloudflare's origin for scripts and frames and nothing else outside.
  const CSP = "default-src 'self'; script-src 'self' https://challenges.cloudflare.com; frame-src https://challenges.cloudflare.com; style-src 'self'";
  const implicitPage = (sitekey) => `<!doctype html><html lang="en"><meta charset="utf-8"><title>Apply</title>
<script src="/page.js"></script>
<script src="https://challenges.cloudflare.com/turnstile/v0/api.js" async defer></script>
<form method="post" action="/submit">
  <label>First name <input name="firstName" value="Mia"></label>
  <div class="cf-turnstile" data-sitekey="${sitekey}" data-action="apply" data-cdata="${POSITION}"
       data-callback="onSolved" data-error-callback="onFailed" data-refresh-expired="auto"></div>
  <button>Apply</button>
</form>`;
  const explicitPage = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Explicit</title>
<script src="/page.js"></script>
<script src="https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit&onload=onTurnstileLoad" defer></script>
<form><div class="cf-turnstile" data-sitekey="${SITEKEYS.pass}"></div><div id="slot"></div></form>`;
  const pageJs = `window.solved = []; window.failed = []; window.expired = []; window.loaded = false;
function onSolved(token) { solved.push(token); }
function onFailed(code) { failed.push(code); }
function onTurnstileLoad() {
  window.loaded = true;
  window.widgetId = turnstile.render("#slot", {
    sitekey: "${SITEKEYS.pass}", action: "explicit", cData: "c-1", language: "de",
    callback: onSolved, "expired-callback": function (t) { expired.push(t); },
  });
}`;

  before(async () => {
    await Promise.all([standIn.listen(0), shortLived.listen(0)]);
    site = createServer(async (req, res) => {
      const url = new URL(req.url, "http://127.0.0.1");
      const chunks = [];
      for await (const c of req) chunks.push(c);
      if (req.method === "POST" && url.pathname === "/submit") {
        // What the worker does with the field, against the stand-in.
        const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
        const { body } = await siteverify(standIn, { secret: SECRETS.pass, response: form.get("cf-turnstile-response") ?? "", remoteip: "127.0.0.1" });
        submissions.push({ firstName: form.get("firstName"), outcome: body });
        res.writeHead(200, { "content-type": "text/html", "content-security-policy": CSP });
        return res.end(`<!doctype html><title>Sent</title><h1>${body.success ? "Verified" : "Refused"}</h1>`);
      }
      const html = url.pathname === "/explicit" ? explicitPage : url.pathname === "/" ? implicitPage(url.searchParams.get("sitekey")) : null;
      if (url.pathname === "/page.js") {
        res.writeHead(200, { "content-type": "text/javascript" });
        return res.end(pageJs);
      }
      if (!html) return res.writeHead(404).end();
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-security-policy": CSP });
      res.end(html);
    });
    await new Promise((resolve) => site.listen(0, "127.0.0.1", resolve));
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await new Promise((resolve) => (site ? site.close(resolve) : resolve()));
    await Promise.all([standIn.close(), shortLived.close()]);
  });

  const siteUrl = (path) => `http://127.0.0.1:${site.address().port}${path}`;

  /** A page whose requests to challenges.cloudflare.com go to `via`; CSP reports are collected. */
  async function open(path, via = standIn) {
    const context = await browser.newContext();
    await via.route(context);
    const page = await context.newPage();
    const violations = [];
    page.on("console", (m) => /Content Security Policy/i.test(m.text()) && violations.push(m.text()));
    await page.goto(siteUrl(path));
    return { context, page, violations };
  }

  const field = 'form input[type=hidden][name="cf-turnstile-response"]';
  const widgetFrame = (page) => page.frameLocator('iframe[title="Widget containing a Cloudflare security challenge"]');

  test("a widget in a form fills cf-turnstile-response with a token that verifies with the page's hostname, action and cData", async () => {
    const { context, page, violations } = await open(`/?sitekey=${SITEKEYS.pass}`);
    await page.waitForFunction((sel) => document.querySelector(sel)?.value, field);
    const token = await page.inputValue(field);
    assert.deepEqual(await page.evaluate(() => window.solved), [token]);
    assert.equal(await page.evaluate(() => turnstile.getResponse()), token);
    assert.equal(await widgetFrame(page).getByRole("status").textContent(), "Success!");
    assert.equal(await page.getAttribute(".cf-turnstile", "data-turnstile-state"), "success");

    await Promise.all([page.waitForURL("**/submit"), page.click("button")]);
    assert.equal(await page.textContent("h1"), "Verified");
    const { firstName, outcome } = submissions.at(-1);
    assert.equal(firstName, "Mia");
    assert.equal(outcome.success, true);
    assert.equal(outcome.hostname, "127.0.0.1");
    assert.equal(outcome.action, "apply");
    assert.equal(outcome.cdata, POSITION);
    assert.equal(standIn.requests.at(-1).response, token);
    assert.deepEqual(violations, []);
    await context.close();
  });

  test("3x00000000000000000000FF waits for a click on 'Verify you are human'", async () => {
    const { context, page } = await open(`/?sitekey=${SITEKEYS.interactive}`);
    const box = widgetFrame(page).getByLabel("Verify you are human");
    await box.waitFor();
    assert.equal(await page.inputValue(field), "");
    await box.click();
    await page.waitForFunction((sel) => document.querySelector(sel)?.value, field);
    await Promise.all([page.waitForURL("**/submit"), page.click("button")]);
    assert.equal(submissions.at(-1).outcome.success, true);
    assert.deepEqual(submissions.at(-1).outcome.metadata, { interactive: true });
    await context.close();
  });

  test("2x00000000000000000000AB fails: error-callback 600010 and a token siteverify refuses", async () => {
    const { context, page } = await open(`/?sitekey=${SITEKEYS.fail}`);
    await page.waitForFunction(() => window.failed.length > 0);
    assert.deepEqual(await page.evaluate(() => [window.failed, window.solved]), [["600010"], []]);
    assert.equal(await widgetFrame(page).getByRole("status").textContent(), "Failure");
    await Promise.all([page.waitForURL("**/submit"), page.click("button")]);
    assert.equal(await page.textContent("h1"), "Refused");
    assert.deepEqual(submissions.at(-1).outcome["error-codes"], ["invalid-input-response"]);
    await context.close();
  });

  test("explicit rendering with onload, reset, remove, and an expired token refreshed automatically", async () => {
    const { context, page, violations } = await open("/explicit", shortLived);
    await page.waitForFunction(() => window.solved.length === 1);
    // render=explicit leaves the .cf-turnstile div alone.
    assert.equal(await page.locator(".cf-turnstile iframe").count(), 0);
    const id = await page.evaluate(() => window.widgetId);
    const first = await page.evaluate((id) => turnstile.getResponse(id), id);
    assert.equal(await page.inputValue(`#slot input[name="cf-turnstile-response"]`), first);
    assert.equal(await widgetFrame(page).locator("html").getAttribute("lang"), "de");
    const ok = await siteverify(shortLived, { secret: SECRETS.pass, response: first });
    assert.deepEqual([ok.body.action, ok.body.cdata], ["explicit", "c-1"]);

    await page.evaluate((id) => turnstile.reset(id), id);
    await page.waitForFunction(() => window.solved.length === 2);
    const second = await page.evaluate((id) => turnstile.getResponse(id), id);
    assert.notEqual(second, first);

    // This stand-in's tokens live 3 s: the widget reports the expiry a little early and solves again.
    await page.waitForFunction(() => window.expired.length === 1 && window.solved.length === 3, null, { timeout: 8000 });
    assert.deepEqual(await page.evaluate(() => window.expired), [second]);
    assert.equal(await page.evaluate((id) => turnstile.isExpired(id), id), false);
    const expiresAt = shortLived.tokens.get(second).expiresAt;
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now() + 10)));
    const expiredAnswer = await siteverify(shortLived, { secret: SECRETS.pass, response: second });
    assert.deepEqual(expiredAnswer.body["error-codes"], ["timeout-or-duplicate"]);

    await page.evaluate((id) => turnstile.remove(id), id);
    assert.equal(await page.locator("#slot iframe, #slot input").count(), 0);
    assert.equal(await page.evaluate((id) => turnstile.getResponse(id), id), undefined);
    assert.deepEqual(violations, []);
    await context.close();
  });
});
