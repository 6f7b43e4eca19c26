// Opens the playground of a running talent-api (PLAYGROUND_URL) in headless Chromium, runs the
// example query of its first tab, and checks that results appear. Saves a screenshot.
import { chromium } from 'playwright-core';

const url = process.env.PLAYGROUND_URL ?? 'http://127.0.0.1:8000/';
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const screenshot = process.env.SCREENSHOT ?? 'playground.png';

const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} for ${response.url()}`);
  });
  await page.goto(url, { waitUntil: 'networkidle' });
  await page.waitForSelector('.graphiql-execute-button', { timeout: 15000 });
  // The first tab holds several operations: the run button asks which one.
  await page.click('.graphiql-execute-button');
  const choice = page.locator('[role="menuitem"]', { hasText: 'SearchDevelopers' });
  if (await choice.count()) await choice.first().click();
  await page
    .locator('.graphiql-response .CodeMirror', { hasText: '"developers"' })
    .waitFor({ timeout: 15000 })
    .catch(async (error) => {
      await page.screenshot({ path: screenshot, fullPage: true });
      throw new Error(`${error.message}\n${problems.join('\n')}`);
    });
  const result = await page.locator('.graphiql-response .CodeMirror').textContent();
  await page.screenshot({ path: screenshot, fullPage: true });
  if (!/"developers"/.test(result) || /"errors"/.test(result)) {
    throw new Error(`unexpected result: ${result}`);
  }
  // Failed loads are reported twice (console and response); the response names the URL.
  const offsite = problems.filter((p) => !p.startsWith('console error: Failed to load resource'));
  if (offsite.length) throw new Error(offsite.join('\n'));
  console.log(`playground ok: results shown, screenshot in ${screenshot}`);
} finally {
  await browser.close();
}
