// The candidate's language, the company's brand, consent and campaign tags, on the built
// worker in workerd (and Chromium where the browser's part matters).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { sharedWorker, withWorker, ann, assertCleanLogs, logLines, OPEN, UNKNOWN } from "../harness.mjs";
import { launchChromium, PHONE } from "../chromium.mjs";

const BRAND = {
  BRAND_NAME: "Acme Robotics",
  BRAND_LOGO_URL: "https://cdn.acme.test/logo.svg",
  BRAND_COLOR: "#0b6e4f",
  PRIVACY_URL: "https://acme.test/privacy",
  CONTACT_EMAIL: "jobs@acme.test",
};

const w = sharedWorker({ vars: BRAND });
after(() => assertCleanLogs(w.logs()));

const es = { "accept-language": "es-MX,es;q=0.9,en;q=0.5" };
const page = async (res) => ({ res, html: await res.text() });
const htmlLang = (html) => html.match(/<html lang="([^"]+)">/)?.[1];
/** The language switch's link to a language, decoded. */
const switchTo = (html, code) => {
  const href = html.match(new RegExp(`<a href="([^"]+)" lang="${code}" hreflang="${code}"`))?.[1];
  return href && href.replaceAll("&#38;", "&");
};

test("the language comes from ?lang=, then Accept-Language by q-value, then the default", async () => {
  const cases = [
    [{}, "", "en"],
    [es, "", "es"],
    [{ "accept-language": "en;q=0.4, es;q=0.8" }, "", "es"],
    [{ "accept-language": "es;q=0, en;q=0.1" }, "", "en"],
    [{ "accept-language": "de-DE, fr;q=0.9" }, "", "en"],
    [es, "?lang=en", "en"],
    [{}, "?lang=es", "es"],
    [{}, "?lang=ES-es", "es"],
    [es, "?lang=xx", "es"],
  ];
  for (const [headers, query, expected] of cases) {
    const { res, html } = await page(await w.fetch(`/apply/${OPEN}${query}`, { headers }));
    const what = `${JSON.stringify(headers)} ${query}`;
    assert.equal(res.status, 200, what);
    assert.equal(htmlLang(html), expected, what);
    assert.equal(res.headers.get("content-language"), expected, what);
    assert.match(res.headers.get("vary") ?? "", /Accept-Language/i, what);
    assert.match(html, expected === "es" ? /Empezar mi entrevista/ : /Start my interview/, what);
  }

  // A language chosen on one page stays chosen on the next, whatever the browser says.
  const list = await page(await w.fetch("/?lang=es", { headers: { "accept-language": "en" } }));
  const formLink = list.html.match(/<a href="(\/apply\/[^"]+)">Senior Rust Engineer<\/a>/)[1];
  assert.equal(formLink, `/apply/${OPEN}?lang=es`);
  const chosen = await page(await w.fetch(formLink, { headers: { "accept-language": "en" } }));
  assert.equal(htmlLang(chosen.html), "es");
  assert.match(chosen.html, new RegExp(`action="/apply/${OPEN}\\?lang=es"`), "and so does the answer to the post");
  assert.match(chosen.html, /<a class="home" href="\/\?lang=es">/);

  await withWorker({ vars: { DEFAULT_LANGUAGE: "es" } }, async (spanishByDefault) => {
    for (const [headers, expected] of [[{}, "es"], [{ "accept-language": "de" }, "es"], [{ "accept-language": "en-GB" }, "en"]]) {
      const res = await spanishByDefault.fetch("/", { headers });
      assert.equal(res.headers.get("content-language"), expected, JSON.stringify(headers));
      assert.equal(htmlLang(await res.text()), expected);
    }
    const health = await spanishByDefault.health();
    assert.equal(health.status, 200);
  });
  await withWorker({ vars: { DEFAULT_LANGUAGE: "klingon" } }, async (wrongDefault) => {
    const { problems } = await (await wrongDefault.health()).json();
    assert.ok(problems.some((p) => p.startsWith("DEFAULT_LANGUAGE must be one of: en, es")), problems.join("\n"));
  });
});

test("every page state is in Spanish, with Spanish words in its JSON messages and the same keys", async () => {
  const notFound = await page(await w.fetch(`/apply/${UNKNOWN}`, { headers: es }));
  assert.equal(notFound.res.status, 404);
  assert.match(notFound.html, /<h1>Puesto no encontrado<\/h1>/);
  assert.match(notFound.html, /href="\/\?lang=es">Ver los puestos abiertos</);
  assert.match((await page(await w.fetch("/nowhere", { headers: es }))).html, /<h1>Página no encontrada<\/h1>/);
  assert.match((await page(await w.fetch("/", { headers: es }))).html, /<h1>Puestos abiertos<\/h1>/);

  const invalid = await page(await w.postForm(OPEN, { firstName: "", lastName: "Lee", email: "ana@", phoneNumber: "020 7946 0958" }, { headers: es }));
  assert.equal(invalid.res.status, 422);
  assert.match(invalid.html, /<title>Error: Postulación: Senior Rust Engineer – Acme Robotics<\/title>/);
  assert.match(invalid.html, /<h2>Revisa tus datos<\/h2>/);
  assert.match(invalid.html, /<p class="error" id="firstName-error">Escribe tu nombre.<\/p>/);
  // A British national number is not a Spanish one: on the Spanish page it needs its +44.
  assert.match(invalid.html, /<p class="error" id="phoneNumber-error">No es un número nacional completo: revísalo, añade el prefijo del país \(como \+34\) o déjalo vacío.<\/p>/);
  assert.match(invalid.html, /value="ana@"/);

  const api = await w.postJson(OPEN, { firstName: "Ana", lastName: "", email: "nope" }, { headers: es });
  assert.equal(api.status, 422);
  const body = await api.json();
  assert.deepEqual(body.errors, { lastName: "Escribe tus apellidos.", email: "Escribe un correo electrónico como nombre@ejemplo.com." });
  assert.equal(body.message, "Revisa tus datos");
  assert.equal(api.headers.get("content-language"), "es");

  const missing = await w.postJson(UNKNOWN, ann(), { headers: es });
  assert.deepEqual(await missing.json(), {
    error: "position_not_found",
    message: "Este puesto no existe o ya no acepta postulaciones.",
  });
  const english = await w.fetch(`/api/apply/${UNKNOWN}?lang=en`, {
    method: "POST", headers: { ...es, "content-type": "application/json" }, body: "{}",
  });
  assert.equal((await english.json()).message, "This position does not exist or is no longer taking applications.");
  const wrongType = await w.fetch(`/api/apply/${OPEN}`, { method: "POST", headers: { ...es, "content-type": "text/plain" }, body: "x" });
  assert.deepEqual(await wrongType.json(), { error: "unsupported_media_type", message: "Envía tu postulación desde el formulario." });
});

test("the pages that send the candidate to their inbox say by when, whom to write to, and offer no resubmit", async () => {
  w.standIn.addFault("http500", 1);
  const queued = await page(await w.postForm(OPEN, ann({ email: "queued.es@example.com" }), { headers: es }));
  assert.equal(queued.res.status, 202);
  assert.match(queued.html, /<h1>Postulación recibida<\/h1>/);
  assert.match(queued.html, /en cuanto esté creada/);
  assert.match(queued.html, /Escríbenos a <a href="mailto:jobs@acme.test">jobs@acme.test<\/a>/);
  assert.doesNotMatch(queued.html, /<form/);
  // Its language switch shows the same page again with a GET: nothing is posted twice.
  const toEnglish = switchTo(queued.html, "en");
  assert.equal(toEnglish, `/apply/${OPEN}/received?lang=en`);
  const again = await page(await w.fetch(toEnglish, { headers: es }));
  assert.equal(again.res.status, 200);
  assert.match(again.html, /<h1>Application received<\/h1>/);
  assert.match(again.html, /as soon as it is made/);
  assert.match(again.html, /Write to us at <a href="mailto:jobs@acme.test">/);

  for (const [slug, heading] of [["check-email", "Check your email"], ["link-sent", "Your interview is ready"]]) {
    const { res, html } = await page(await w.fetch(`/apply/${OPEN}/${slug}`));
    assert.equal(res.status, 200, slug);
    assert.match(html, new RegExp(`<h1>${heading}</h1>`), slug);
    assert.match(html, /mailto:jobs@acme.test/, slug);
  }
  assert.equal((await w.fetch(`/apply/${OPEN}/nothing-here`)).status, 404);

  // Without CONTACT_EMAIL: still somewhere to look, and no address made up.
  await withWorker({}, async (plain) => {
    const { html } = await page(await plain.fetch(`/apply/${OPEN}/received`));
    assert.match(html, /Look in your spam folder too/);
    assert.doesNotMatch(html, /mailto:/);
  });
});

test("the language switch keeps the candidate's values, campaign and frame", async () => {
  const query = new URLSearchParams({
    firstName: "Zoë", email: "zoe+jobs@example.com", utm_source: "newsletter", ref: "friend-42",
    embed_origin: "https://careers.acme.test",
  });
  const form = await page(await w.fetch(`/apply/${OPEN}?${query}`, { headers: es }));
  assert.match(form.html, /<span aria-current="true">Español<\/span>/);
  const href = new URL(switchTo(form.html, "en"), "http://apply.test");
  assert.equal(href.pathname, `/apply/${OPEN}`);
  assert.deepEqual(Object.fromEntries(href.searchParams), { lang: "en", ...Object.fromEntries(query) });
  const english = await page(await w.fetch(href.pathname + href.search, { headers: es }));
  assert.equal(htmlLang(english.html), "en");
  assert.match(english.html, /name="firstName" type="text" value="Zoë"/);
  assert.match(english.html, /name="email" type="email" value="zoe\+jobs@example.com"/);
  assert.match(english.html, /<input type="hidden" name="utm_source" value="newsletter">/);

  // After a failed post, the switch carries what was typed (from the body, not the URL).
  const typed = { firstName: "Olu", lastName: "Adeyemi", email: "olu@", phoneNumber: "", utm_campaign: "spring" };
  const failed = await page(await w.postForm(OPEN, typed, { headers: es }));
  assert.equal(failed.res.status, 422);
  const back = new URL(switchTo(failed.html, "en"), "http://apply.test");
  assert.deepEqual(Object.fromEntries(back.searchParams), {
    lang: "en", firstName: "Olu", lastName: "Adeyemi", email: "olu@", utm_campaign: "spring",
  });
});

test("in Chromium, the switch also keeps what was typed but not yet sent", async () => {
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ ...PHONE, locale: "es-ES" });
    const tab = await context.newPage();
    await tab.goto(`${w.url}apply/${OPEN}?utm_source=ad`);
    assert.equal(await tab.getAttribute("html", "lang"), "es");
    await tab.fill("#firstName", "Lucía");
    await tab.fill("#lastName", "Pérez García");
    await tab.fill("#email", "lucia@example.com");
    await Promise.all([tab.waitForURL(/lang=en/), tab.click("a[hreflang=en]")]);
    assert.equal(await tab.getAttribute("html", "lang"), "en");
    assert.equal(await tab.inputValue("#firstName"), "Lucía");
    assert.equal(await tab.inputValue("#lastName"), "Pérez García");
    assert.equal(await tab.inputValue("#email"), "lucia@example.com");
    assert.equal(await tab.getAttribute("input[name=utm_source]", "value"), "ad");
    // The button's "sending" words are the page's language's.
    assert.equal(await tab.getAttribute("button[type=submit]", "data-sending-label"), "Opening your interview…");
    await context.close();
  } finally {
    await browser.close();
  }
});

test("every page carries the brand: name and logo, privacy link and contact; the CSP admits them", async () => {
  const pages = [
    ["/", 200], [`/apply/${OPEN}`, 200], [`/apply/${UNKNOWN}`, 404], [`/apply/${OPEN}/received`, 200], ["/nowhere", 404],
  ];
  for (const [path, status] of pages) {
    const { res, html } = await page(await w.fetch(path));
    assert.equal(res.status, status, path);
    assert.match(html, /<header class="site">\s*<a class="home" href="\/\?lang=en"><img src="https:\/\/cdn.acme.test\/logo.svg" alt="Acme Robotics"><\/a>/, path);
    assert.match(html, /<footer class="site">[\s\S]*<a href="https:\/\/acme.test\/privacy" target="_blank" rel="noopener">Privacy notice/, path);
    assert.match(html, /Contact: <a href="mailto:jobs@acme.test">jobs@acme.test<\/a>/, path);
    const csp = res.headers.get("content-security-policy");
    assert.match(csp, /img-src 'self' data: https:\/\/cdn.acme.test(;|$)/, path);
    // The brand colour's <style> is admitted by its hash and by nothing broader.
    const style = html.match(/<style>([^<]*)<\/style>/)[1];
    assert.equal(style, ":root{--brand:#0b6e4f;--brand-hover:#08583f}");
    const hash = createHash("sha256").update(style).digest("base64");
    assert.match(csp, new RegExp(`style-src 'self' 'sha256-${hash.replace(/[+/]/g, "\\$&")}'(;|$)`), path);
    assert.doesNotMatch(csp, /unsafe-inline/);
  }
  const { html } = await page(await w.fetch(`/apply/${OPEN}`));
  // What happens next, before the button; the data notice by it.
  assert.match(html, /<h2 id="next">What happens next<\/h2>/);
  assert.match(html, /camera and a microphone/);
  assert.match(html, /sent to Hireflix, our video interview provider[^<]*<a href="https:\/\/acme.test\/privacy"/);
  assert.ok(html.indexOf('id="data-notice"') < html.indexOf('<button type="submit"'));
  assert.doesNotMatch(html, /type="checkbox"/, "no consent box unless REQUIRE_CONSENT");

  // Unbranded: the header says "Careers" in the page's language, no footer, no inline style.
  await withWorker({}, async (plain) => {
    const { res, html } = await page(await plain.fetch(`/apply/${OPEN}`, { headers: es }));
    assert.match(html, /<a class="home" href="\/\?lang=es">Empleo<\/a>/);
    assert.doesNotMatch(html, /<footer|<style>/);
    assert.doesNotMatch(res.headers.get("content-security-policy"), /sha256/);
  });
});

/** WCAG 2 contrast of a #rrggbb colour with white, computed here independently of the worker. */
function contrastWithWhite(hex) {
  const channel = (v) => ((v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  const [r, g, b] = [1, 3, 5].map((i) => channel(parseInt(hex.slice(i, i + 2), 16)));
  return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05);
}

test("a brand colour too light for white text is darkened to one that passes, and /healthz warns", async () => {
  await withWorker({ turnstile: true, vars: { ...BRAND, BRAND_COLOR: "#FFCC00" } }, async (light) => {
    const html = await (await light.fetch(`/apply/${OPEN}`)).text();
    const used = html.match(/--brand:(#[0-9a-f]{6})/)[1];
    assert.notEqual(used, "#ffcc00");
    assert.ok(contrastWithWhite("#ffcc00") < 4.5);
    assert.ok(contrastWithWhite(used) >= 4.5, `${used}: ${contrastWithWhite(used)}`);
    // Still the brand's hue (yellow: red above green above blue), not a fallback grey.
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(used.slice(i, i + 2), 16));
    assert.ok(r > g && g > b && b === 0, used);
    const health = await light.health();
    assert.equal(health.status, 200);
    const { status, warnings } = await health.json();
    assert.equal(status, "ok");
    assert.deepEqual(warnings, [`BRAND_COLOR #ffcc00 gives white text only 1.5:1 contrast (WCAG asks 4.5:1): the pages use ${used} instead`]);
  });
  await withWorker({ vars: { ...BRAND, BRAND_COLOR: "corporate blue", BRAND_LOGO_URL: "http://cdn.acme.test/logo.svg" } }, async (wrong) => {
    const health = await wrong.health();
    assert.equal(health.status, 503);
    const { problems } = await health.json();
    assert.ok(problems.some((p) => p.startsWith("BRAND_COLOR must be a colour")), problems.join("\n"));
    assert.ok(problems.some((p) => p.startsWith("BRAND_LOGO_URL must be an https URL")), problems.join("\n"));
    // The pages of a broken deployment still carry what of the brand could be read.
    const { res, html } = await page(await wrong.fetch(`/apply/${OPEN}`));
    assert.equal(res.status, 503);
    assert.match(html, /<a class="home" href="\/\?lang=en">Acme Robotics<\/a>/);
    assert.match(html, /mailto:jobs@acme.test/);
  });
});

const kvRecords = async (x) =>
  Promise.all((await x.kvKeys(`app:v2:${OPEN}:`)).map(async (k) => JSON.parse(await x.kv.get(k))));

test("with REQUIRE_CONSENT, the box is a field like any other, and consent is recorded with its time and version", async () => {
  await withWorker({ vars: { ...BRAND, REQUIRE_CONSENT: "true", CONSENT_NOTICE_VERSION: "privacy-v3" } }, async (c) => {
    const form = await (await c.fetch(`/apply/${OPEN}?firstName=Ann`)).text();
    assert.match(form, /<input id="consent" name="consent" type="checkbox" value="yes" required>/, "never ticked by a link");

    const refused = await page(await c.postForm(OPEN, ann(), { headers: es }));
    assert.equal(refused.res.status, 422);
    assert.match(refused.html, /<p class="error" id="consent-error">Marca la casilla para aceptar[^<]*<\/p>/);
    assert.match(refused.html, /<a href="#consent">Consentimiento: /);
    assert.match(refused.html, /aria-invalid="true" aria-describedby="consent-error"/);
    assert.match(refused.html, /name="email" type="email" value="ann.lee@example.com"/, "values kept");
    // With other errors, all at once; the ticked box stays ticked.
    const both = await page(await c.postForm(OPEN, { ...ann({ email: "nope" }), consent: "yes" }));
    assert.match(both.html, /id="email-error"/);
    assert.doesNotMatch(both.html, /id="consent-error"/);
    assert.match(both.html, /type="checkbox" value="yes" required checked>/);
    const api = await c.postJson(OPEN, ann());
    assert.equal(api.status, 422);
    assert.deepEqual((await api.json()).errors, { consent: "Tick the box to agree, so that we can set up your interview." });
    assert.equal(c.inviteRequests().length, 0, "no invite without consent");

    const before = Date.now();
    const res = await c.postForm(OPEN, { ...ann(), consent: "yes" });
    assert.equal(res.status, 303);
    await c.untilRemembered(OPEN);
    const [record] = await kvRecords(c);
    assert.equal(record.state, "invited");
    assert.equal(record.consent_notice, "privacy-v3");
    const at = Date.parse(record.consent_at);
    assert.match(record.consent_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(at >= before - 1000 && at <= Date.now() + 1000, record.consent_at);

    // Through the queue too: the record written once Hireflix answers keeps the consent.
    c.standIn.addFault("http500", 1);
    const queued = await c.postJson(OPEN, { ...ann({ email: "bo@example.com" }), consent: true });
    assert.equal(queued.status, 202);
    const invited = await c.until(async () => {
      const all = await kvRecords(c);
      return all.length === 2 && all.every((r) => r.state === "invited") && all;
    }, 20000, "the queued invite");
    assert.ok(invited.every((r) => r.consent_notice === "privacy-v3" && r.consent_at), JSON.stringify(invited));

    const lines = logLines(c).filter((l) => l.event === "application" && l.consent);
    assert.ok(lines.some((l) => l.outcome === "invited" && l.consent.notice === "privacy-v3" && l.consent.at), JSON.stringify(lines));
    const logs = c.logs();
    assert.doesNotMatch(logs, /I agree|Acepto/, "the notice's words never reach the logs");
    assertCleanLogs(logs);
  });
  // Misspelt settings are problems by name.
  await withWorker({ vars: { REQUIRE_CONSENT: "yes please", CONSENT_NOTICE_VERSION: "v 1" } }, async (bad) => {
    const { problems } = await (await bad.health()).json();
    assert.ok(problems.includes("REQUIRE_CONSENT must be true or false"), problems.join("\n"));
    assert.ok(problems.some((p) => p.startsWith("CONSENT_NOTICE_VERSION must be")), problems.join("\n"));
  });
});

test("utm_* and ref travel from the form's URL, as hidden fields, into the application's log line; personal data does not", async () => {
  const query = new URLSearchParams({
    utm_source: " newsletter ", utm_medium: "x".repeat(300), utm_campaign: "spring_2026", utm_term: "ann.lee@example.com",
    utm_content: "Ann Lee 12 Baker Street London", ref: "friend-42", session: "not-carried",
  });
  const html = await (await w.fetch(`/apply/${OPEN}?${query}`)).text();
  const hidden = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]));
  assert.deepEqual(hidden, { utm_source: "newsletter", utm_campaign: "spring_2026", ref: "friend-42" },
    "trimmed; too long, an email and an address dropped whole");

  const res = await w.postForm(OPEN, { ...ann({ email: "utm.carrier@example.com" }), ...hidden, utm_term: "ann%40example.com", utm_content: "+44 20 7946 0958" });
  assert.equal(res.status, 303);
  const line = logLines(w).find((l) => l.outcome === "invited" && l.utm_source === "newsletter");
  assert.ok(line, "the application's log line carries the campaign");
  assert.deepEqual(
    { s: line.utm_source, m: line.utm_medium, c: line.utm_campaign, t: line.utm_term, n: line.utm_content, r: line.ref },
    { s: "newsletter", m: undefined, c: "spring_2026", t: undefined, n: undefined, r: "friend-42" },
  );
  assert.doesNotMatch(w.logs(), /Baker|7946/, "no address or phone number in any log line");
  // The JSON API takes them in its body as well.
  await w.postJson(OPEN, { ...ann({ email: "api.utm@example.com" }), utm_source: "landing" });
  assert.ok(logLines(w).some((l) => l.source === "api" && l.utm_source === "landing"));
});
