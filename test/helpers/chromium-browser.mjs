#!/usr/bin/env node
/**
 * `BROWSER` for the e2e login test: a real headless chromium (playwright-core,
 * the system /usr/bin/chromium) opens the URL llmc passes, signs in on the
 * dev IdP's login form, presses Continue on consent, and lets the redirect hit
 * llmc's loopback listener. The text of the page it ends on is written to
 * CHROMIUM_BROWSER_RESULT for the test to check.
 *
 * Also importable: `approveDeviceCode(url, login)` completes a device-flow
 * user step in chromium.
 */
import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

async function withPage(fn) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: chromiumArgs,
  });
  try {
    const page = await browser.newPage();
    return await fn(page);
  } finally {
    await browser.close();
  }
}

async function signIn(page, login) {
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any-password');
  await page.locator('button[type="submit"]').click();
  await page.waitForLoadState();
  // Consent ("Continue"), shown for a new grant.
  const consent = page.locator('form input[name="prompt"][value="consent"]');
  if (await consent.count()) {
    await page.locator('button[type="submit"]').click();
    await page.waitForLoadState();
  }
}

/** Authorization-code login: ends on llmc's own callback page. */
export async function loginInBrowser(url, login) {
  return withPage(async (page) => {
    await page.goto(url);
    await signIn(page, login);
    await page.waitForURL(/127\.0\.0\.1:\d+\/callback/, { timeout: 15_000 });
    await page.locator('h1').waitFor();
    // biome-ignore lint/performance/useDomNodeTextContent: playwright's Locator.innerText, not the DOM property
    return page.locator('body').innerText();
  });
}

/** Device flow: open the verification URL (with the code filled in), confirm, sign in, consent. */
export async function approveDeviceCode(url, login) {
  return withPage(async (page) => {
    await page.goto(url);
    await page.locator('button[type="submit"][form="op.deviceConfirmForm"], button[autofocus]').first().click();
    await page.waitForLoadState();
    await signIn(page, login);
    // biome-ignore lint/performance/useDomNodeTextContent: playwright's Locator.innerText, not the DOM property
    return page.locator('body').innerText();
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.argv[process.argv.length - 1];
  loginInBrowser(url, process.env.CHROMIUM_BROWSER_LOGIN ?? 'erin').then(
    (text) => {
      if (process.env.CHROMIUM_BROWSER_RESULT) writeFileSync(process.env.CHROMIUM_BROWSER_RESULT, text);
    },
    (error) => {
      if (process.env.CHROMIUM_BROWSER_RESULT)
        writeFileSync(process.env.CHROMIUM_BROWSER_RESULT, `ERROR ${error.message}`);
      process.exitCode = 1;
    },
  );
}
