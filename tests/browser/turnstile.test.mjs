// A candidate in Chromium on the form with Turnstile on. The page loads api.js from
// https://challenges.cloudflare.com, which the local stand-in answers (route()), so the real
// page, its real CSP and the worker's siteverify call are all exercised with nothing leaving
// the machine.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { sharedWorker, withWorker, OPEN } from "../harness.mjs";
import { launchChromium } from "../chromium.mjs";
import { CHALLENGES_ORIGIN } from "../stand-ins/turnstile.mjs";

const w = sharedWorker({ http: true, turnstile: true });
let browser;
before(async () => (browser = await launchChromium()));
after(() => browser?.close());

const TOKEN = '#human-check input[type=hidden][name="cf-turnstile-response"]';
const formUrl = (worker = w) => `${worker.url}apply/${OPEN}`;

/**
 * A fresh context whose requests for challenges.cloudflare.com go to the stand-in; collects
 * CSP complaints, page errors and requests that failed, from the page and its frames.
 */
async function open(options = {}, worker = w) {
  const context = await browser.newContext(options);
  if (worker.turnstile) await worker.turnstile.route(context);
  const page = await context.newPage();
  const blocked = [];
  const toCloudflare = [];
  page.on("console", (m) => /Content[- ]Security[- ]Policy/i.test(m.text()) && blocked.push(m.text()));
  page.on("pageerror", (e) => blocked.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => blocked.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on("request", (r) => r.url().startsWith(CHALLENGES_ORIGIN) && toCloudflare.push(r.url()));
  return { context, page, blocked, toCloudflare };
}

async function fill(page, person) {
  for (const [name, value] of Object.entries(person)) await page.fill(`#${name}`, value);
}

/** Waits for the widget to be solved and returns the token it put in the form. */
async function solved(page) {
  await page.waitForSelector('#human-check .cf-turnstile[data-turnstile-state="success"]');
  const token = await page.inputValue(TOKEN);
  assert.ok(token, "the widget filled cf-turnstile-response");
  return token;
}

/** Submits and returns the worker's answer to the POST. */
async function submit(page) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST" && r.url().includes(`/apply/${OPEN}`)),
    page.click("button[type=submit]"),
  ]);
  await page.waitForLoadState("load");
  return response;
}

test("the widget solves by itself, the candidate sends the form and their interview opens", async () => {
  const { context, page, blocked, toCloudflare } = await open();
  const response = await page.goto(formUrl());
  assert.match(response.headers()["content-security-policy"], /frame-src [^;]*https:\/\/challenges\.cloudflare\.com/);
  await fill(page, { firstName: "Mia", lastName: "Wong", email: "mia.wong@example.com", phoneNumber: "+61 412 345 678" });
  const token = await solved(page);
  const frame = page.frameLocator('#human-check iframe[title="Widget containing a Cloudflare security challenge"]');
  assert.equal(await frame.getByRole("status").textContent(), "Success!");

  const before = w.turnstile.requests.length;
  await Promise.all([page.waitForURL(`${w.origin}/i/*`), page.click("button[type=submit]")]);
  assert.match(await page.textContent("h1"), /Welcome to your interview, Mia/);
  const [call] = w.turnstile.requests.slice(before);
  assert.equal(call.response, token);
  // The widget was rendered for this form, on this page's host.
  assert.deepEqual([call.answer.success, call.answer.action, call.answer.cdata, call.answer.hostname], [true, "apply", OPEN, "127.0.0.1"]);
  assert.equal(w.interviewsFor(OPEN, "mia.wong@example.com").length, 1);
  assert.ok(toCloudflare.some((u) => u.endsWith("/turnstile/v0/api.js")), "api.js came from Cloudflare's origin");
  assert.deepEqual(blocked, [], "the CSP blocked nothing and nothing failed");
  await context.close();
});

test("a refused check: the error at the widget and in the summary, every value kept, a new widget, then the interview", async () => {
  const { context, page, blocked } = await open();
  await page.goto(formUrl());
  const person = { firstName: "Olu", lastName: "Adeyemi", email: "olu.adeyemi@example.com", phoneNumber: "+234 803 123 4567" };
  await fill(page, person);
  const first = await solved(page);
  const invitesBefore = w.inviteRequests().length;
  w.turnstile.addFault("refuse"); // siteverify judges this solve fraudulent

  const refused = await submit(page);
  assert.equal(refused.status(), 422);
  assert.match(await page.title(), /^Error: /);
  const error = (await page.textContent("#human-check-error")).trim();
  assert.ok(error, "the error is said at the widget");
  assert.ok(await page.isVisible("#human-check-error"));
  assert.equal((await page.textContent('.error-summary a[href="#human-check"]')).includes(error), true, "and in the summary");
  for (const [name, value] of Object.entries(person)) assert.equal(await page.inputValue(`#${name}`), value, name);
  assert.equal(w.inviteRequests().length, invitesBefore, "nobody invited on a refusal");

  // A fresh widget with a new token (the old one is spent), then through.
  const second = await solved(page);
  assert.notEqual(second, first);
  await Promise.all([page.waitForURL(`${w.origin}/i/*`), page.click("button[type=submit]")]);
  assert.match(await page.textContent("h1"), /Welcome to your interview, Olu/);
  assert.equal(w.inviteRequests().length - invitesBefore, 1, "exactly one invite");
  assert.equal(w.interviewsFor(OPEN, person.email).length, 1);
  assert.deepEqual(
    w.turnstile.requests.filter((r) => r.response === first || r.response === second).map((r) => r.answer.success),
    [false, true],
  );
  assert.deepEqual(blocked, []);
  await context.close();
});

test("with JavaScript off, the page says where the widget would be that the check needs JavaScript, and the post says so again", async () => {
  const { context, page } = await open({ javaScriptEnabled: false });
  await page.goto(formUrl());
  const notice = page.locator("#human-check .notice");
  assert.ok(await notice.isVisible(), "the <noscript> text is shown");
  assert.match(await notice.textContent(), /JavaScript/);
  // Right where the widget would be: in the check's place, above the button.
  const [noticeBox, buttonBox] = [await notice.boundingBox(), await page.locator("button[type=submit]").boundingBox()];
  assert.ok(noticeBox.y + noticeBox.height <= buttonBox.y, "above the button");
  assert.equal(await page.locator("#human-check iframe").count(), 0, "no widget can run");

  // Sending anyway is no dead end: the form comes back with everything typed and the reason.
  const person = { firstName: "Noor", lastName: "Haddad", email: "noor@example.com", phoneNumber: "+962 7 9012 3456" };
  await fill(page, person);
  const answer = await submit(page);
  assert.equal(answer.status(), 422);
  assert.ok(await page.isVisible("#human-check-error"));
  assert.ok(await page.isVisible('.error-summary a[href="#human-check"]'));
  assert.ok(await page.locator("#human-check .notice").isVisible(), "and again why");
  for (const [name, value] of Object.entries(person)) assert.equal(await page.inputValue(`#${name}`), value, name);
  assert.equal(w.interviewsFor(OPEN, person.email).length, 0);
  await context.close();
});

test("the CSP admits challenges.cloudflare.com only with Turnstile on", async () => {
  await withWorker({ http: true }, async (off) => {
    const { context, page, blocked, toCloudflare } = await open({}, off);
    const response = await page.goto(formUrl(off));
    assert.ok(!response.headers()["content-security-policy"].includes("challenges.cloudflare.com"));
    await page.waitForLoadState("load");
    assert.equal(await page.locator(".cf-turnstile, #human-check").count(), 0, "no widget");
    assert.deepEqual(toCloudflare, [], "nothing asked of Cloudflare");
    assert.deepEqual(blocked, []);
    // The same script this page would need for a widget is refused here, and the listener
    // above is what hears it: an empty list in the other tests means nothing was blocked.
    await page.evaluate((src) => {
      const s = document.createElement("script");
      s.src = src;
      document.head.append(s);
    }, `${CHALLENGES_ORIGIN}/turnstile/v0/api.js`);
    await page.waitForTimeout(300);
    assert.ok(blocked.some((m) => /challenges\.cloudflare\.com/.test(m)), `blocked: ${blocked}`);
    await context.close();
  });
});
