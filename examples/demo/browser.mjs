// Headless Chromium for the shoppers' browsers (the system's /usr/bin/chromium, which
// scripts/setup.sh installs from Debian; nothing is downloaded). Each launch gets a fresh
// temporary profile from Playwright.
import { chromium } from 'playwright-core';

export function launchChromium() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    handleSIGINT: false, // the demo's own Ctrl-C handler closes it, then the servers and the store
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
