// axe-core (pinned in package.json) in Chromium over every page a candidate can reach, at a
// phone's and a laptop's size, in English and in Spanish, with a brand (name, logo, colour,
// privacy link, contact) and the consent box on: no violation of the WCAG 2.0, 2.1 and 2.2 A
// and AA rules. Each page is reached the way a candidate reaches it (links, the form, the
// stand-in's faults) and its status and language are checked, so a page that stops being
// reachable, or stops being translated, fails here too.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { sharedWorker, OPEN, OPEN_2, UNKNOWN } from "../harness.mjs";
import { launchChromium, PHONE, DESKTOP } from "../chromium.mjs";
import { BRAND, serveLogo } from "../brand.mjs";

const axe = createRequire(import.meta.url)("axe-core");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
const VIEWPORTS = [["390x844", PHONE], ["1280x800", DESKTOP]];
/** The page language expected, and the browser's language (Accept-Language) that asks for it. */
const LANGUAGES = [["en", "en-GB"], ["es", "es-ES"]];

// The shipped Hireflix timeout, not the harness's 1 s: with scans at once beside other test files,
// a stand-in that answers late must not turn the page under test into "queued" (retry.test.mjs
// and ambiguous.test.mjs cover timeouts).
const VARS = { ...BRAND, HIREFLIX_TIMEOUT_MS: "4000" };
const w = sharedWorker({ http: true, vars: VARS });
// Hireflix refuses the worker's key (revoked or rotated): positions cannot be listed, and
// applications are queued for when it works again.
const keyRevoked = sharedWorker({ http: true, vars: VARS }, (x) => (x.standIn.apiKey = "a-different-key"));
const limited = sharedWorker({ http: true, rateLimit: 1, vars: VARS });
const broken = sharedWorker({ http: true, vars: { ...VARS, HIREFLIX_API_KEY: "" } });
// One invite an hour per position: the next waits in line; with room for one in line, the
// one after is paused.
const lined = sharedWorker({ http: true, vars: { ...VARS, INVITES_PER_POSITION_PER_HOUR: "1" } });
const full = sharedWorker({ http: true, vars: { ...VARS, INVITES_PER_POSITION_PER_HOUR: "1", MAX_WAITING_PER_POSITION: "1" } });
let browser;
before(async () => (browser = await launchChromium()));
after(() => browser?.close());

let unique = 0;
const candidate = (overrides = {}) => ({
  firstName: "Ana", lastName: "Silva", email: `ana.silva.${++unique}@example.com`, phoneNumber: "+351 912 345 678", ...overrides,
});

/** A browser context that gets the brand's logo from its "CDN". */
const brandedContext = async (options) => serveLogo(await browser.newContext(options));

/** Opens the form, fills it (browser checks off, as a server-side error needs), ticks the
 * consent box unless `consent` is false, sends it; the answer's status. */
async function apply(page, worker, position, fields, { consent = true } = {}) {
  await page.goto(`${worker.url}apply/${position}`);
  await page.$eval("form[data-apply]", (form) => { form.noValidate = true; });
  for (const [name, value] of Object.entries(fields)) await page.fill(`#${name}`, value);
  if (consent) await page.check("#consent");
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST" && r.request().isNavigationRequest()),
    page.click("button[type=submit]"),
  ]);
  await page.waitForLoadState("load");
  return response.status();
}

const goto = async (page, url) => (await page.goto(String(url))).status();

/** Every page state a candidate can see: [name, expected status, how to get there]. */
const STATES = [
  ["open positions", 200, (page) => goto(page, w.url)],
  ["positions unavailable (Hireflix refuses the key)", 503, (page) => goto(page, keyRevoked.url)],
  ["empty form", 200, (page) => goto(page, `${w.url}apply/${OPEN}`)],
  ["form with errors on every field, consent box unticked", 422, (page) =>
    apply(page, w, OPEN, { firstName: " ", lastName: "", email: "ana@", phoneNumber: "0803 123" }, { consent: false })],
  ["position not found", 404, (page) => goto(page, `${w.url}apply/${UNKNOWN}`)],
  ["page not found", 404, (page) => goto(page, `${w.url}no/such/page`)],
  ["applications closed (archived after the form was shown)", 410, async (page) => {
    await page.goto(`${w.url}apply/${OPEN_2}`); // the worker has the position as open now
    w.standIn.positions.find((p) => p.id === OPEN_2).archived = Date.now();
    return apply(page, w, OPEN_2, candidate());
  }],
  ["application queued (Hireflix refuses the key)", 202, (page) => apply(page, keyRevoked, OPEN, candidate())],
  ["already invited, link sent by email", 200, async (page) => {
    // Invited from another browser: this one holds no link pass for the interview.
    const first = candidate();
    assert.equal((await w.postForm(OPEN, { ...first, consent: "yes" })).status, 303);
    return apply(page, w, OPEN, { ...first, firstName: "Anabela" });
  }],
  ["interview made but its link unusable", 502, (page) => {
    w.standIn.addFault("foreignUrl");
    return apply(page, w, OPEN, candidate());
  }],
  ["too many applications from one address", 429, async (page) => {
    let status;
    for (let i = 0; i < 3 && status !== 429; i++) status = await apply(page, limited, OPEN, candidate());
    return status;
  }],
  ["not configured", 503, (page) => goto(page, `${broken.url}apply/${OPEN}`)],
  ["in line, with the place and the time the email is due", 202, async (page) => {
    await lined.postForm(OPEN, { ...candidate(), consent: "yes" }); // the hour's one invite, or a place
    return apply(page, lined, OPEN, candidate());
  }],
  ["position paused, its line full", 429, async (page) => {
    for (let i = 0; i < 2; i++) await full.postForm(OPEN, { ...candidate(), consent: "yes" });
    return apply(page, full, OPEN, candidate());
  }],
];

const scans = [];
/** Each state is scanned at every viewport in every language. */
const VARIANTS = LANGUAGES.flatMap(([lang, locale]) => VIEWPORTS.map(([size, options]) => ({ lang, locale, size, options })));
// A state's scans run at once, in one test: the file's beforeEach resets the stand-ins and the
// candidates' records between tests, which must not happen under a scan still running. Each scan
// has its own context and candidate, and the workers' limits and lines hold for them as they do
// one after another. A state that leaves a fault for the next Hireflix call scans one at a time.
const ALONE = new Set(["interview made but its link unusable"]);

// Concurrent first views of a worker that has never listed the positions find no copy to answer
// from while one of them asks Hireflix (pace.test.mjs covers that): list them once beforehand
// (in the first test: the shared workers are started by hooks of their own).
let listed;
const listPositions = () => (listed ??= Promise.all([w, limited, lined, full].map((worker) => worker.fetch("/"))));

for (const [name, status, reach] of STATES) {
  test(`axe: ${name}, at ${VIEWPORTS.length} sizes in ${LANGUAGES.length} languages`, async () => {
    const scan = async ({ lang, locale, size, options }) => {
      const at = `"${name}" at ${size}, ${lang}`;
      const context = await brandedContext({ ...options, locale });
      const page = await context.newPage();
      try {
        assert.equal(await reach(page), status, `${at}: the page state under test`);
        assert.equal(await page.getAttribute("html", "lang"), lang, `${at}: the page's language`);
        assert.ok(await page.$eval("header.site img", (img) => img.complete && img.naturalWidth > 0), `${at}: the logo loaded (CSP admits it)`);
        await page.evaluate(axe.source);
        const results = await page.evaluate(
          (values) => window.axe.run(document, { runOnly: { type: "tag", values }, resultTypes: ["violations"] }),
          TAGS,
        );
        scans.push(results);
        const found = results.violations.map(
          (v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(" ")).join("\n    ")}`,
        );
        assert.deepEqual(found, [], `axe violations on ${at}:\n  ${found.join("\n  ")}`);
      } finally {
        await context.close();
      }
    };
    await listPositions();
    if (ALONE.has(name)) {
      for (const variant of VARIANTS) await scan(variant);
      return;
    }
    // Every scan's failure is reported, not only the first.
    const failures = (await Promise.allSettled(VARIANTS.map(scan))).filter((r) => r.status === "rejected");
    assert.deepEqual(failures.map((f) => f.reason?.message ?? String(f.reason)), []);
  });
}

// What axe cannot see: how focus looks. Each element the keyboard reaches (and the error
// summary, which the page focuses after a failed submit) is photographed without and with
// focus; the pixels around it whose colour changed with at least 3:1 contrast must add up to
// at least a 2 px line along its longer side (WCAG 1.4.11 and 2.4.7; the GOV.UK pattern gives
// far more: yellow plus a near-black bar).
const FOCUS_STATES = [
  ["open positions", (page) => goto(page, w.url)],
  ["form with errors", (page) => apply(page, w, OPEN, { firstName: "", lastName: "Silva", email: "ana@", phoneNumber: "" })],
  ["position not found", (page) => goto(page, `${w.url}apply/${UNKNOWN}`)],
];

/** Pixels in `box` whose colour differs between the two PNGs with a contrast of 3:1 or more. */
function changedWithContrast(calc, before, after, box) {
  return calc.evaluate(async ({ before, after, box }) => {
    const pixels = async (png) => {
      const image = await createImageBitmap(await (await fetch(`data:image/png;base64,${png}`)).blob());
      const canvas = new OffscreenCanvas(image.width, image.height);
      const g = canvas.getContext("2d");
      g.drawImage(image, 0, 0);
      return g.getImageData(box.x, box.y, box.width, box.height).data;
    };
    const [a, b] = [await pixels(before), await pixels(after)];
    const channel = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    const luminance = (d, i) => 0.2126 * channel(d[i]) + 0.7152 * channel(d[i + 1]) + 0.0722 * channel(d[i + 2]);
    let count = 0;
    for (let i = 0; i < a.length; i += 4) {
      const [x, y] = [luminance(a, i), luminance(b, i)];
      if ((Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05) >= 3) count++;
    }
    return count;
  }, { before: before.toString("base64"), after: after.toString("base64"), box });
}

// Both sizes of a state at once, in one test (as the scans above, and for the same reasons).
for (const [name, reach] of FOCUS_STATES) {
  test(`focus is visible with 3:1 contrast: ${name}, at ${VIEWPORTS.length} sizes`, async () => {
    const look = async ([size, options]) => {
      const context = await brandedContext(options);
      const [page, calc] = [await context.newPage(), await context.newPage()];
      try {
        await reach(page);
        await page.evaluate(() => document.activeElement?.blur());
        const unfocused = await page.screenshot({ fullPage: true });
        const where = () => page.evaluate(() => {
          const e = document.activeElement;
          const r = e.getBoundingClientRect();
          const pad = 8; // outlines and bars sit around the element
          return {
            label: `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}${e.className ? "." + e.className : ""} "${e.textContent.trim().slice(0, 30)}"`,
            body: e === document.body,
            box: {
              x: Math.max(0, Math.floor(r.left + scrollX - pad)), y: Math.max(0, Math.floor(r.top + scrollY - pad)),
              width: Math.ceil(r.width + 2 * pad), height: Math.ceil(r.height + 2 * pad),
            },
            need: 2 * Math.max(r.width, r.height),
          };
        });
        const checked = [];
        const check = async () => {
          const at = await where();
          const count = await changedWithContrast(calc, unfocused, await page.screenshot({ fullPage: true }), at.box);
          checked.push(at.label);
          assert.ok(count >= at.need, `${size}: ${at.label}: ${count} px changed with 3:1, need ${at.need}`);
        };
        for (let i = 0; i < 30; i++) {
          await page.keyboard.press("Tab");
          const at = await where();
          if (at.body || checked.includes(at.label)) break;
          await check();
        }
        if (await page.$(".error-summary")) {
          await page.focus(".error-summary");
          await check();
        }
        assert.ok(checked.length >= 1, `${size}: something took focus`);
      } finally {
        await context.close();
      }
    };
    const failures = (await Promise.allSettled(VIEWPORTS.map(look))).filter((r) => r.status === "rejected");
    assert.deepEqual(failures.map((f) => f.reason?.message ?? String(f.reason)), []);
  });
}

test("axe summary", () => {
  assert.equal(scans.length, STATES.length * VARIANTS.length, "every page state was scanned");
  const ids = (key) => new Set(scans.flatMap((s) => s[key].map((r) => r.id)));
  const applied = new Set([...ids("passes"), ...ids("violations")]);
  const all = new Set([...applied, ...ids("incomplete"), ...ids("inapplicable")]);
  const incomplete = [...ids("incomplete")];
  console.log(
    `axe-core ${axe.version}: ${scans.length} scans (${STATES.length} page states x ${VIEWPORTS.length} viewports x ${LANGUAGES.length} languages), ` +
      `${all.size} rules in ${TAGS.join(", ")}, ${applied.size} applied to something, ` +
      `${scans.reduce((n, s) => n + s.violations.length, 0)} violations; ` +
      `left for a person to judge (incomplete): ${incomplete.join(", ") || "none"}`,
  );
});
