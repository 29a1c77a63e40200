// A candidate in real Chromium (headless, Debian's package): from the form to the interview.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { launchChromium } from "../chromium.mjs";
import { sharedWorker, withWorker, ann, OPEN } from "../harness.mjs";

const w = sharedWorker({ http: true });
let browser;
before(async () => (browser = await launchChromium()));
after(() => browser?.close());

const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

async function screenshot(page, name) {
  if (!process.env.SCREENSHOTS) return;
  mkdirSync("test-results", { recursive: true });
  await page.screenshot({ path: `test-results/${name}.png`, fullPage: true });
}

test("a candidate on a phone goes from a prefilled link to their interview, and back to it again", async () => {
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  const link = `${w.url}apply/${OPEN}?firstName=Mia&email=mia.wong%2Bjobs%40example.com&phoneNumber=%2B61%20412%20345%20678`;
  const form = await page.goto(link);
  // The post may lead only here and to Hireflix's hosts; Chromium applies form-action to the
  // 303 that follows the post too, so the interview opening below proves the list admits it.
  assert.match(form.headers()["content-security-policy"], /form-action 'self' https:\/\/hflx\.io .*http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(await page.textContent("h1"), "Senior Rust Engineer");
  assert.equal(await page.inputValue("#firstName"), "Mia");
  assert.equal(await page.inputValue("#email"), "mia.wong+jobs@example.com");
  assert.equal(await page.inputValue("#phoneNumber"), "+61 412 345 678");
  await screenshot(page, "form-phone");

  await page.fill("#lastName", "Wong");
  await Promise.all([page.waitForURL(`${w.origin}/i/*`), page.click("button[type=submit]")]);
  assert.match(await page.textContent("h1"), /Welcome to your interview, Mia/);
  const interviewId = await page.getAttribute("h1", "data-interview");

  // Later, from the same link again: the same interview, no second invite.
  await page.goto(link);
  await page.fill("#lastName", "Wong");
  await page.fill("#email", "MIA.WONG+jobs@example.com");
  await Promise.all([page.waitForURL(`${w.origin}/i/*`), page.click("button[type=submit]")]);
  assert.equal(await page.getAttribute("h1", "data-interview"), interviewId);
  assert.equal(w.interviewsFor(OPEN, "mia.wong+jobs@example.com").length, 1);
  await context.close();
});

test("with JavaScript off, errors come back by field with everything typed kept, then it goes through", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${w.url}apply/${OPEN}`);
  // The form is novalidate: the server finds every error, here a phone too short to be one.
  await page.fill("#firstName", "Olu");
  await page.fill("#lastName", "Adeyemi");
  await page.fill("#email", "olu@example.com");
  await page.fill("#phoneNumber", "0803 123");
  await Promise.all([page.waitForLoadState("load"), page.click("button[type=submit]")]);
  assert.match(await page.title(), /^Error: /);
  assert.match(await page.textContent("#phoneNumber-error"), /country code/);
  assert.equal(await page.getAttribute("#phoneNumber", "aria-invalid"), "true");
  assert.equal(await page.inputValue("#firstName"), "Olu");
  assert.equal(await page.inputValue("#email"), "olu@example.com");
  assert.equal(await page.inputValue("#phoneNumber"), "0803 123");
  await screenshot(page, "form-errors");

  await page.fill("#phoneNumber", "+234 803 123 4567");
  await Promise.all([page.waitForURL(`${w.origin}/i/*`), page.click("button[type=submit]")]);
  assert.match(await page.textContent("h1"), /Welcome to your interview, Olu/);
  await context.close();
});

test("a second tap while the first is on its way sends no second application", async () => {
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  await page.goto(`${w.url}apply/${OPEN}?firstName=Dee&lastName=Tap&email=dee%40example.com`);
  const before = w.inviteRequests().length;
  w.standIn.addFault("slow", 1, 600); // keeps the first POST in flight, under the timeout
  // The button is below the fold on a phone, after the fields and the data notice.
  await page.locator("button[type=submit]").scrollIntoViewIfNeeded();
  const box = await page.locator("button[type=submit]").boundingBox();
  const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
  await page.mouse.click(x, y);
  await page.waitForTimeout(150);
  await page.mouse.click(x, y);
  await page.waitForURL(`${w.origin}/i/*`);
  await page.waitForTimeout(800);
  assert.equal(w.inviteRequests().length - before, 1);
  assert.equal(w.interviewsFor(OPEN, "dee@example.com").length, 1);
  await context.close();
});

test("the positions page links to each open form", async () => {
  const page = await browser.newPage();
  await page.goto(String(w.url));
  await screenshot(page, "positions");
  await Promise.all([page.waitForURL(`**/apply/${OPEN}?lang=en`), page.click("text=Senior Rust Engineer")]);
  assert.equal(await page.textContent("h1"), "Senior Rust Engineer");
  await page.close();
});

test("only the browser that was shown the interview is shown it again: its __Host- pass cookie, kept on http://127.0.0.1", async () => {
  await withWorker({ http: true, vars: { LINK_GRACE_MINUTES: "0" } }, async (strict) => {
    const link = `${strict.url}apply/${OPEN}?${new URLSearchParams(ann({ email: "kim@example.com", firstName: "Kim" }))}`;
    const mine = await browser.newContext();
    const page = await mine.newPage();
    await page.goto(link);
    await Promise.all([page.waitForURL(`${strict.origin}/i/*`), page.click("button[type=submit]")]);
    const interviewId = await page.getAttribute("h1", "data-interview");
    const [cookie] = (await mine.cookies(String(strict.url))).filter((c) => c.name === `__Host-hfa_${OPEN}`);
    assert.ok(cookie, "Chromium kept the Secure __Host- cookie over plain http on 127.0.0.1");
    assert.deepEqual([cookie.httpOnly, cookie.secure, cookie.sameSite, cookie.path], [true, true, "Lax", "/"]);

    // Later, the same browser: straight back to the interview.
    await page.goto(link);
    await Promise.all([page.waitForURL(`${strict.origin}/i/*`), page.click("button[type=submit]")]);
    assert.equal(await page.getAttribute("h1", "data-interview"), interviewId);

    // Another browser with the same email and names: told to use the emailed link.
    const theirs = await browser.newContext();
    const other = await theirs.newPage();
    await other.goto(link);
    await Promise.all([other.waitForLoadState("load"), other.click("button[type=submit]")]);
    assert.equal(await other.textContent("h1"), "Check your email");
    assert.ok(!(await other.content()).includes("/i/"), "no link on the page");
    assert.equal(strict.interviewsFor(OPEN, "kim@example.com").length, 1);
    await mine.close();
    await theirs.close();
  });
});
