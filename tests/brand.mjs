// A brand for the browser tests and the screenshots: a colour used as it is (white text on it
// passes 4.5:1), a logo on another origin that the pages' CSP must admit (a browser context
// serves it, as a CDN would), a privacy notice, a contact address, and the consent box on.
export const LOGO_ORIGIN = "https://cdn.acme.test";

export const BRAND = {
  BRAND_NAME: "Acme Robotics",
  BRAND_LOGO_URL: `${LOGO_ORIGIN}/logo.svg`,
  BRAND_COLOR: "#0b6e4f",
  PRIVACY_URL: "https://acme.test/privacy",
  CONTACT_EMAIL: "jobs@acme.test",
  REQUIRE_CONSENT: "true",
};

export const LOGO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="168" height="40" viewBox="0 0 168 40">
<rect width="40" height="40" rx="8" fill="#fff"/><path d="M8 31 20 9l12 22z" fill="#0b6e4f"/>
<text x="50" y="28" font-family="sans-serif" font-size="20" font-weight="700" fill="#fff">Acme</text></svg>`;

/** Lets a Playwright browser context load the logo from its "CDN". */
export async function serveLogo(context) {
  await context.route(`${LOGO_ORIGIN}/**`, (route) =>
    route.fulfill({ status: 200, contentType: "image/svg+xml", body: LOGO_SVG }));
  return context;
}
