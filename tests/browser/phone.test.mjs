// A candidate on a 390x844 phone in real Chromium, in English and Spanish, with a company's
// brand: the first field on the first screen, the server's error summary in the page's
// language, a national phone number taken, the end pages saying what was sent where, and Back
// from the interview without a resubmission prompt.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { launchChromium, PHONE } from "../chromium.mjs";
import { start, withWorker, OPEN, OPEN_2 } from "../harness.mjs";
import { BRAND, serveLogo } from "../brand.mjs";
import { POSITIONS } from "../stand-ins/hireflix.mjs";

const ABOUT = "Build the services that run our robots' fleet.";
// Hireflix's description of a position: rich text, of which the form shows the first sentence.
const positions = POSITIONS.map((p) =>
  p.id === OPEN ? { ...p, description: `<p>${ABOUT} Remote within Europe.</p><p>You will...</p>` } : p);

let w, browser;
before(async () => {
  w = await start({ http: true, positions, vars: { ...BRAND, LINK_GRACE_MINUTES: "0" } });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await w?.stop();
});

const phone = async (locale) => serveLogo(await browser.newContext({ ...PHONE, locale }));

async function screenshot(page, name) {
  if (!process.env.SCREENSHOTS) return;
  mkdirSync("test-results", { recursive: true });
  await page.screenshot({ path: `test-results/${name}.png` });
}

/** Presses the button and waits for the page that answers. */
async function send(page) {
  await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
}

for (const lang of ["en", "es"]) {
  test(`${lang}: the first field and a line about the job are on the first screen, the company in the title`, async () => {
    const context = await phone(lang);
    const page = await context.newPage();
    await page.goto(`${w.url}apply/${OPEN}?lang=${lang}`);
    const first = await page.locator("input:not([type=hidden])").first().boundingBox();
    assert.ok(first.y + first.height <= 844, `the first input ends at y=${first.y + first.height}, below the 844 px screen`);
    assert.equal(await page.textContent(".about"), ABOUT);
    assert.equal(await page.getAttribute('meta[name="description"]', "content"), ABOUT);
    assert.match(await page.title(), / – Acme Robotics$/);
    await screenshot(page, `phone-form-${lang}`);
    await context.close();
  });
}

test("es: an empty submit shows every error at once in the server's Spanish summary, not the browser's bubbles", async () => {
  const context = await phone("en-US"); // the browser's own language is English
  const page = await context.newPage();
  await page.goto(`${w.url}apply/${OPEN}?lang=es`);
  // Kept for keyboards and autofill.
  assert.equal(await page.getAttribute("#email", "type"), "email");
  assert.equal(await page.getAttribute("#email", "autocomplete"), "email");
  assert.notEqual(await page.getAttribute("#firstName", "required"), null);
  await send(page);
  assert.equal(await page.textContent(".error-summary h2"), "Revisa tus datos");
  const errors = await page.locator(".error-summary li").allTextContents();
  assert.deepEqual(errors.map((e) => e.split(":")[0].trim()), ["Nombre", "Apellidos", "Correo electrónico", "Consentimiento"]);
  await screenshot(page, "phone-errors-es");
  await context.close();
});

test("a national number is taken in the page's region and shown back in international form", async () => {
  const context = await phone("en-GB");
  const page = await context.newPage();
  await page.goto(`${w.url}apply/${OPEN}?lang=en`);
  await page.fill("#firstName", "Nia");
  await page.fill("#email", "nia@example.com");
  await page.fill("#phoneNumber", "020 7946 0958");
  await page.check("#consent");
  await send(page); // no last name
  assert.equal(await page.inputValue("#phoneNumber"), "+442079460958");
  assert.equal(await page.locator("#phoneNumber-error").count(), 0);
  await page.fill("#lastName", "Osei");
  await page.check("#consent");
  await Promise.all([page.waitForURL(`${w.origin}/i/*`), page.click("button[type=submit]")]);
  const [interview] = w.interviewsFor(OPEN, "nia@example.com");
  assert.equal(interview.candidate.phone, "+442079460958");
  await context.close();
});

test("a phone that cannot be read says what to do in one line, leaving it empty included, in each language", async () => {
  for (const [lang, words] of [["en", /leave it empty/], ["es", /déjalo vacío/]]) {
    const res = await w.postForm(OPEN, { firstName: "Nia", lastName: "Osei", email: "nia.2@example.com", phoneNumber: "020 79", consent: "yes" }, { headers: { "accept-language": lang } });
    assert.equal(res.status, 422);
    const error = (await res.text()).match(/<p class="error" id="phoneNumber-error">([^<]+)<\/p>/)?.[1];
    assert.match(error ?? "", words, lang);
  }
});

test("DEFAULT_PHONE_REGION reads national numbers of another country", async () => {
  await withWorker({ vars: { DEFAULT_PHONE_REGION: "US" } }, async (us) => {
    const res = await us.postJson(OPEN, { firstName: "Al", lastName: "Ray", email: "al@example.com", phoneNumber: "(415) 555-2671" });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(us.interviewsFor(OPEN, "al@example.com")[0].candidate.phone, "+14155552671");
    const health = await (await us.fetch("/healthz")).json();
    assert.equal(health.status, "ok");
  });
  await withWorker({ vars: { DEFAULT_PHONE_REGION: "England" } }, async (wrong) => {
    const health = await (await wrong.health()).json();
    assert.match(health.problems.join("\n"), /DEFAULT_PHONE_REGION must be empty or one of: GB, /);
  });
});

test("Back from the interview after an error round trip shows the form, with no resubmission", async () => {
  const context = await phone("en-GB");
  const page = await context.newPage();
  const posts = [];
  page.on("request", (r) => r.method() === "POST" && posts.push(r.url()));
  const form = `${w.url}apply/${OPEN_2}?lang=en`;
  await page.goto(form);
  await page.fill("#firstName", "Ben");
  await page.fill("#email", "ben@example.com");
  await page.check("#consent");
  await send(page); // no last name: 422
  assert.equal(await page.textContent(".error-summary h2"), "Please check your details");
  await page.fill("#lastName", "Ode");
  await page.check("#consent");
  await Promise.all([page.waitForURL(`${w.origin}/i/*`), page.click("button[type=submit]")]);
  assert.equal(posts.length, 2);

  const back = await page.goBack();
  assert.equal(page.url(), form);
  assert.equal(back?.request().method() ?? "GET", "GET", "Back fetched the form, it did not post it");
  assert.equal(await page.textContent("h1"), "Customer Success Manager");
  assert.equal(posts.length, 2, "nothing was posted again");
  await context.close();
});

test("Check your email and Application received say which position and which address, and lead back to the open positions", async () => {
  // Applied before, from another browser: this one is sent to its email.
  await w.postForm(OPEN, { firstName: "Eva", lastName: "Lund", email: "eva@example.com", consent: "yes" });
  for (const lang of ["en", "es"]) {
    const context = await phone(lang);
    const page = await context.newPage();
    await page.goto(`${w.url}apply/${OPEN}?lang=${lang}&firstName=Eva&lastName=Lund&email=eva%40example.com`);
    await page.check("#consent");
    await send(page);
    assert.equal(await page.textContent(".success h1"), lang === "en" ? "Check your email" : "Revisa tu correo");
    assert.deepEqual(await page.locator(".success dd").allTextContents(), ["Senior Rust Engineer", "eva@example.com"]);
    const link = page.locator(`main a[href="/?lang=${lang}"]`);
    assert.equal(await link.count(), 1, "a link back to the open positions");
    await screenshot(page, `phone-check-email-${lang}`);
    await context.close();
  }

  // Hireflix down: queued, and the page says for what and where the link will come.
  w.standIn.addFault("http500", 5);
  const context = await phone("en");
  const page = await context.newPage();
  await page.goto(`${w.url}apply/${OPEN_2}?lang=en&firstName=Ole&lastName=Berg&email=ole%40example.com`);
  await page.check("#consent");
  await send(page);
  assert.equal(await page.textContent(".success h1"), "Application received");
  assert.deepEqual(await page.locator(".success dd").allTextContents(), ["Customer Success Manager", "ole@example.com"]);
  await screenshot(page, "phone-received-en");
  await context.close();
  w.standIn.faults.length = 0;
});
