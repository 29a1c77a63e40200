// Headless Chromium from Debian's package, launched as tests/browser/*.test.mjs do.
import { chromium } from "playwright-core";

/** `extraArgs` add switches, e.g. a host-resolver rule for a second site on loopback. */
export function launchChromium(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      ...extraArgs,
    ],
    // launch() starts from a fresh, temporary profile of its own.
  });
}

export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
export const DESKTOP = { viewport: { width: 1280, height: 800 } };
