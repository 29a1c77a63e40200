// A landing page on another site embeds the form with public/embed.js, in real Chromium.
// The landing page is served on its own loopback port under the name landing.test (a
// host-resolver rule maps it to 127.0.0.1), so the frame is cross-site as on the web.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { sharedWorker, withWorker, OPEN } from "../harness.mjs";
import { launchChromium, PHONE } from "../chromium.mjs";

/** Pages of the landing site, by path: set by each test. */
const pages = new Map();
const landing = createServer((req, res) => {
  const html = pages.get(new URL(req.url, "http://x").pathname);
  res.writeHead(html ? 200 : 404, { "content-type": "text/html; charset=utf-8" });
  res.end(html ?? "not found");
});
await new Promise((resolve) => landing.listen(0, "127.0.0.1", resolve));
const landingOrigin = `http://landing.test:${landing.address().port}`;
// The same pages under a name the worker does not allow.
const otherOrigin = `http://elsewhere.test:${landing.address().port}`;
// As an operator sets it: the landing page's origin may frame the form (frame-ancestors).
const w = sharedWorker({ http: true, vars: { ALLOWED_ORIGINS: landingOrigin } });
let browser;
before(async () => {
  browser = await launchChromium(["--host-resolver-rules=MAP landing.test 127.0.0.1, MAP elsewhere.test 127.0.0.1"]);
});
after(async () => {
  await browser?.close();
  landing.closeAllConnections();
  await new Promise((resolve) => landing.close(resolve));
});

const embedTag = (attrs = "") => `<script src="${w.url}embed.js" data-position="${OPEN}"${attrs} async></script>`;

/** A careers page with the one-line embed between its text and a long footer. */
function careersPage(body = embedTag()) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Careers at Example</title></head>
<body style="margin:0;font-family:sans-serif"><h1>Join us</h1><p>We are hiring a Senior Rust Engineer.</p>
${body}
<footer style="height:1500px">Example Ltd</footer></body></html>`;
}

async function openLanding(path, html, context = PHONE) {
  pages.set(path.split("?")[0], html);
  const ctx = await browser.newContext(context);
  const page = await ctx.newPage();
  await page.goto(landingOrigin + path);
  const iframe = await page.waitForSelector("iframe");
  const frame = await iframe.contentFrame();
  await frame.waitForSelector("form[data-apply]");
  return { ctx, page, iframe, frame };
}

const frameHeight = (page) => page.$eval("iframe", (f) => f.getBoundingClientRect().height);
const contentHeight = (frame) => frame.evaluate(() => Math.ceil(document.documentElement.getBoundingClientRect().height));

/** Waits until the frame is exactly as tall as its page (the frame's document, measured inside). */
async function untilFits(page, frame, what) {
  return w.until(async () => {
    const [outer, inner] = [await frameHeight(page), await contentHeight(frame)];
    return outer === inner ? outer : null;
  }, 5000, what);
}

test("the landing page's prefill and campaign parameters reach the framed form", async () => {
  const query = new URLSearchParams({
    firstName: "Zoë", lastName: "Nakamura", email: "zoe+jobs@example.com", phoneNumber: "+81 90 1234 5678",
    utm_source: "newsletter", utm_medium: "email", utm_campaign: "spring-2026", utm_term: "rust", utm_content: "hero",
    ref: "friend-42", session: "not-for-the-form",
  });
  const { ctx, page, iframe, frame } = await openLanding(`/careers?${query}`, careersPage());

  const src = new URL(await iframe.getAttribute("src"));
  assert.equal(src.origin + src.pathname, `${w.url}apply/${OPEN}`);
  for (const [name, value] of query) {
    if (name === "session") assert.equal(src.searchParams.has(name), false, "only the form's own parameters travel");
    else assert.equal(src.searchParams.get(name), value, name);
  }
  assert.equal(src.searchParams.get("embed_origin"), landingOrigin);
  assert.equal(src.searchParams.get("lang"), "en", "the form speaks the landing page's language");

  assert.equal(await frame.inputValue("#firstName"), "Zoë");
  assert.equal(await frame.inputValue("#lastName"), "Nakamura");
  assert.equal(await frame.inputValue("#email"), "zoe+jobs@example.com");
  assert.equal(await frame.inputValue("#phoneNumber"), "+81 90 1234 5678");

  // Where and how it is placed: right after the tag, full width, borderless, named (by the
  // form, in its language), camera and microphone delegated, not sandboxed (see the README).
  await page.waitForFunction(() => document.querySelector("iframe").title !== "");
  const placed = await page.$eval("script[data-position]", (s) => {
    const f = s.nextElementSibling;
    const style = getComputedStyle(f);
    return {
      tag: f.tagName, title: f.title, allow: f.getAttribute("allow"), sandbox: f.hasAttribute("sandbox"),
      border: style.borderTopWidth, width: f.getBoundingClientRect().width, bodyWidth: document.body.clientWidth,
    };
  });
  assert.deepEqual(placed, {
    tag: "IFRAME", title: "Application form: Senior Rust Engineer", allow: "camera; microphone", sandbox: false,
    border: "0px", width: placed.bodyWidth, bodyWidth: 390,
  });
  await ctx.close();
});

test("a Spanish landing page (or data-lang) gets the form in Spanish, and its frame a Spanish name", async () => {
  const spanish = careersPage().replace('<html lang="en">', '<html lang="es">');
  const { ctx, page, frame } = await openLanding("/empleo", spanish);
  assert.equal(await frame.getAttribute("html", "lang"), "es");
  assert.match(await frame.textContent("button[type=submit]"), /Empezar mi entrevista/);
  await page.waitForFunction(() => document.querySelector("iframe").title !== "");
  assert.equal(await page.$eval("iframe", (f) => f.title), "Formulario de postulación: Senior Rust Engineer");
  await ctx.close();
  const chosen = await openLanding("/chosen", careersPage(embedTag(' data-lang="es"')));
  assert.equal(await chosen.frame.getAttribute("html", "lang"), "es");
  await chosen.ctx.close();
});

test("data-target puts the form into the named element, and data-title names the frame", async () => {
  const html = careersPage(`<section id="apply-here"><h2>Apply</h2></section>
${embedTag(' data-target="#apply-here" data-title="Apply to Example"')}`);
  const { ctx, page } = await openLanding("/target", html);
  assert.equal(await page.$eval("#apply-here iframe", (f) => f.title), "Apply to Example");
  assert.equal(await page.$$eval("iframe", (f) => f.length), 1);
  await page.waitForTimeout(300); // the form's own name arrives with its height, and must not win
  assert.equal(await page.$eval("#apply-here iframe", (f) => f.title), "Apply to Example");
  await ctx.close();
});

test("the frame fits its page: it grows for the error summary, shrinks when content goes, follows the width", async () => {
  const { ctx, page, frame } = await openLanding("/careers", careersPage());
  const before = await untilFits(page, frame, "the first height");
  const invitesBefore = w.inviteRequests().length;

  await frame.fill("#firstName", "Olu");
  await frame.fill("#lastName", "Adeyemi");
  await frame.fill("#email", "olu@example.com");
  await frame.fill("#phoneNumber", "0803 123"); // too short for a national number: only the server can tell
  await frame.click("button[type=submit]");
  await frame.waitForSelector(".error-summary");
  assert.match(await frame.textContent(".error-summary"), /country code/);

  const grown = await w.until(async () => {
    const h = await frameHeight(page);
    return h > before ? h : null;
  }, 5000, "the frame to grow");
  assert.equal(grown, await untilFits(page, frame, "a fit after the errors"));
  console.log(`frame height at 390 px: ${before} px empty, ${grown} px with the error summary`);
  // The landing page stayed; the errors are in the frame, with the values kept.
  assert.equal(page.url(), `${landingOrigin}/careers`);
  assert.equal(await frame.inputValue("#phoneNumber"), "0803 123");
  assert.equal(await frame.getAttribute("#phoneNumber", "aria-invalid"), "true");
  assert.equal(w.inviteRequests().length, invitesBefore, "nothing was sent to Hireflix");

  // Content that goes away (as when a script in the page clears the errors) shrinks the frame:
  // a frame sized by scrollHeight could only ever grow.
  await frame.evaluate(() => document.querySelector(".error-summary").remove());
  const shrunk = await w.until(async () => {
    const h = await frameHeight(page);
    return h < grown ? h : null;
  }, 5000, "the frame to shrink");
  assert.equal(shrunk, await untilFits(page, frame, "a fit without the summary"));

  // A turned phone or a desktop window: other line breaks, other type size, still a fit.
  await page.setViewportSize({ width: 1280, height: 800 });
  await w.until(async () => (await frameHeight(page)) !== shrunk, 5000, "a new height on the wider screen");
  await untilFits(page, frame, "a fit on the wider screen");

  // Corrected in the frame: the interview opens in the whole window.
  await frame.fill("#phoneNumber", "+234 803 123 4567");
  await Promise.all([page.waitForURL(`${w.origin}/i/*`), frame.click("button[type=submit]")]);
  assert.match(await page.textContent("h1"), /Welcome to your interview, Olu/);
  await ctx.close();
});

test("applying in the frame opens the interview in the whole window, once", async () => {
  const query = "?firstName=Mia&lastName=Wong&email=mia.embed%40example.com&utm_source=ad";
  const { ctx, page, frame } = await openLanding(`/careers${query}`, careersPage());
  const posts = [];
  page.on("request", (r) => r.method() === "POST" && posts.push(new URL(r.url()).pathname));
  await Promise.all([page.waitForURL(`${w.origin}/i/*`), frame.click("button[type=submit]")]);
  assert.match(await page.textContent("h1"), /Welcome to your interview, Mia/);
  assert.equal(page.frames().length, 1, "the interview is the top-level page, not a frame");
  assert.deepEqual(posts, [`/api/apply/${OPEN}`], "one request: the JSON API gave the link");
  assert.equal(w.interviewsFor(OPEN, "mia.embed@example.com").length, 1);
  await ctx.close();
});

// Why the frame has no sandbox attribute: with `allow-top-navigation-by-user-activation`
// Chromium lets the frame leave only within a click's transient activation (about 5 s), so a
// slow Hireflix would strand the candidate on the landing page with an interview made. Without
// it, a cross-site frame may still navigate the top only after the user interacted with it.
test("a slow Hireflix (6 s, past a click's 5 s activation) still opens the interview in the whole window", async () => {
  await withWorker({ http: true, vars: { HIREFLIX_TIMEOUT_MS: "9000", ALLOWED_ORIGINS: landingOrigin } }, async (slow) => {
    const tag = `<script src="${slow.url}embed.js" data-position="${OPEN}" async></script>`;
    const { ctx, page, frame } = await openLanding("/slow?firstName=Sol&lastName=Ruiz&email=sol%40example.com", careersPage(tag));
    slow.standIn.addFault("slow", 1, 6000);
    const started = Date.now();
    await Promise.all([page.waitForURL(`${slow.origin}/i/*`, { timeout: 15000 }), frame.click("button[type=submit]")]);
    assert.ok(Date.now() - started > 6000);
    assert.match(await page.textContent("h1"), /Welcome to your interview, Sol/);
    await ctx.close();
  });
});

test("only the form's own messages size the frame, and the form tells its height only to its landing page", async () => {
  const { ctx, page, frame } = await openLanding("/careers", careersPage());
  const fitted = await untilFits(page, frame, "the first height");
  // The landing page's own scripts (or another frame) cannot resize it.
  await page.evaluate(() => window.postMessage({ type: "hireflix-apply:height", height: 5 }, "*"));
  await page.waitForTimeout(300);
  assert.equal(await frameHeight(page), fitted);
  await ctx.close();

  // Framed by hand with someone else's origin as embed_origin: nothing reaches this page,
  // while the same frame with this page's origin does (so the listener works).
  const framed = (origin) =>
    `<iframe data-origin="${origin}" src="${w.url}apply/${OPEN}?embed_origin=${encodeURIComponent(origin)}"></iframe>`;
  const html = `<!doctype html><title>Listener</title><script>
window.heard = [];
addEventListener("message", (e) => heard.push(e.source === document.querySelectorAll("iframe")[0].contentWindow ? "other" : "own"));
</script>${framed("http://elsewhere.test")}${framed(landingOrigin)}`;
  pages.set("/listener", html);
  const page2 = await browser.newPage();
  await page2.goto(`${landingOrigin}/listener`);
  await w.until(() => page2.evaluate(() => window.heard.includes("own")), 5000, "a message from the right frame");
  await page2.waitForTimeout(300);
  assert.equal(await page2.evaluate(() => window.heard.includes("other")), false);
  await page2.close();
});

test("a site that ALLOWED_ORIGINS does not list cannot frame the form", async () => {
  pages.set("/framed", careersPage());
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const refused = page.waitForEvent("console", (m) => /frame-ancestors/.test(m.text()));
  await page.goto(`${otherOrigin}/framed`);
  const iframe = await page.waitForSelector("iframe");
  await refused;
  const frame = await iframe.contentFrame();
  assert.equal(await frame.$("form"), null, "no form in a frame on another site");
  assert.match(frame.url(), /^chrome-error:/);
  await ctx.close();
});

// With Turnstile on, the JSON request spends the widget's token; the post that shows its answer
// (in the frame or the whole window) must carry a fresh one, or every such answer would read
// "the check did not complete".
test("with Turnstile on, an answer without a link still shows in the frame or the window, not a failed check", async () => {
  await withWorker({ http: true, turnstile: true, vars: { ALLOWED_ORIGINS: landingOrigin } }, async (t) => {
    pages.set("/checked", careersPage(`<script src="${t.url}embed.js" data-position="${OPEN}" async></script>`));
    const ctx = await browser.newContext(PHONE);
    await t.turnstile.route(ctx);
    const page = await ctx.newPage();
    const open = async (person) => {
      await page.goto(`${landingOrigin}/checked?${new URLSearchParams(person)}`);
      const frame = await (await page.waitForSelector("iframe")).contentFrame();
      await frame.waitForSelector('.cf-turnstile[data-turnstile-state="success"]');
      return frame;
    };
    const verified = () => t.turnstile.requests.filter((r) => r.answer?.success).length;

    // Hireflix refuses the phone: its words on the field, in the frame, with what was typed.
    let frame = await open({ firstName: "Ana", lastName: "Ruiz", email: "ana.checked@example.com", phoneNumber: "+44 20 0000 0000" });
    t.standIn.addFault("validationError"); // after the page's own calls: the invite's
    await frame.click("button[type=submit]");
    await frame.waitForSelector("#phoneNumber-error");
    assert.match(await frame.textContent("#phoneNumber-error"), /not valid for its country/);
    assert.equal(await frame.$("#human-check-error"), null, "no failed check shown");
    assert.equal(await frame.inputValue("#email"), "ana.checked@example.com");
    assert.equal(page.url(), `${landingOrigin}/checked?${new URLSearchParams({ firstName: "Ana", lastName: "Ruiz", email: "ana.checked@example.com", phoneNumber: "+44 20 0000 0000" })}`);
    assert.equal(verified(), 2, "two checks, each with its own token");

    // Hireflix is down: the application is queued, and the whole window says so.
    frame = await open({ firstName: "Bo", lastName: "Lind", email: "bo.checked@example.com" });
    t.standIn.addFault("http500", 2);
    await Promise.all([page.waitForURL((url) => url.href.startsWith(`${t.url}apply/${OPEN}`)), frame.click("button[type=submit]")]);
    assert.match(await page.textContent("h1"), /Application received/);
    assert.match(await page.textContent("main"), /bo\.checked@example\.com/);
    assert.equal(verified(), 4);
    const tokens = t.turnstile.requests.map((r) => r.response);
    assert.equal(new Set(tokens).size, tokens.length, "no token was sent twice");
    await t.until(() => t.interviewsFor(OPEN, "bo.checked@example.com").length === 1, 15000, "the queued invite");
    await ctx.close();
  });
});
