import { statSync } from 'node:fs';

import { Browser, chromium } from 'playwright-core';

/** Debian's chromium package (`apt-get install chromium`; .ci/run installs it). Nothing is downloaded. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Added to the name of a browser suite that is skipped, so that the report says why. */
export const NEEDS_CHROMIUM = `(skipped: needs Chromium at ${CHROMIUM_PATH})`;

export const chromiumInstalled = (): boolean => statSync(CHROMIUM_PATH, { throwIfNoEntry: false })?.isFile() ?? false;

/** A suite that drives a real browser: skipped, and named so, without Chromium (test/global-setup.ts fails a CI run then). */
export function describeInBrowser(title: string, suite: () => void): void {
  if (chromiumInstalled()) describe(title, suite);
  else describe.skip(`${title} ${NEEDS_CHROMIUM}`, suite);
}

/**
 * Headless Chromium with a fresh profile (Playwright makes one per launch). The flags keep it off
 * the network but for the pages it is sent to: without them it calls Google's services at start-up
 * and floods a closed network with refused connections.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
