// The pages a candidate sees, photographed in Chromium from the built worker: the form on a
// phone in English and in Spanish, and the form after a failed submit. Run by
// scripts/screenshots; writes docs/screenshots/*.png.
import { mkdirSync } from "node:fs";
import { start, OPEN } from "../tests/harness.mjs";
import { launchChromium, PHONE } from "../tests/chromium.mjs";
import { BRAND, serveLogo } from "../tests/brand.mjs";

const OUT = "docs/screenshots";
mkdirSync(OUT, { recursive: true });

const w = await start({ http: true, vars: BRAND });
const browser = await launchChromium();
try {
  const shoot = async (name, locale, act) => {
    const context = await serveLogo(await browser.newContext({ ...PHONE, locale }));
    const page = await context.newPage();
    await page.goto(`${w.url}apply/${OPEN}?utm_source=readme`);
    await act(page);
    await page.evaluate(() => document.activeElement?.blur());
    const path = `${OUT}/${name}.png`;
    await page.screenshot({ path, fullPage: true });
    console.log(`${path}: ${await page.title()}`);
    await context.close();
  };
  await shoot("form-mobile-en", "en-GB", async () => {});
  await shoot("form-mobile-es", "es-ES", async () => {});
  await shoot("form-errors-mobile-en", "en-GB", async (page) => {
    // Browser checks off, so the server's own answer shows: each error by its field, the
    // summary on top, what was typed kept.
    await page.$eval("form[data-apply]", (form) => { form.noValidate = true; });
    await page.fill("#firstName", "Olu");
    await page.fill("#lastName", "Adeyemi");
    await page.fill("#email", "olu@example");
    await page.fill("#phoneNumber", "0803 123 4567");
    await Promise.all([page.waitForLoadState("load"), page.waitForNavigation(), page.click("button[type=submit]")]);
  });
} finally {
  await browser.close();
  await w.stop();
}
