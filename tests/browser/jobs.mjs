// Opens the job pages of a running talent-api (JOBS_URL: its base address) in headless Chromium:
// the first pages its sitemap lists must render without errors, and the JSON-LD each carries
// must parse as a schema.org JobPosting naming the job the page shows.
import { chromium } from 'playwright-core';

const base = (process.env.JOBS_URL ?? 'http://127.0.0.1:8000').replace(/\/$/, '');
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';

const sitemap = await (await fetch(`${base}/jobs/sitemap.xml`)).text();
const pages = [...sitemap.matchAll(/<loc>([^<]+)<\/loc>/g)].map((match) => match[1]).slice(0, 5);
if (pages.length === 0) throw new Error(`the sitemap lists no page:\n${sitemap}`);

const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
try {
  for (const url of pages) {
    const page = await browser.newPage();
    const problems = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    const response = await page.goto(url, { waitUntil: 'load' });
    if (response?.status() !== 200) throw new Error(`${url}: ${response?.status()}`);
    const { json, heading } = await page.evaluate(() => ({
      json: document.querySelector('script[type="application/ld+json"]')?.textContent ?? '',
      heading: document.querySelector('h1')?.textContent ?? '',
    }));
    const posting = JSON.parse(json);
    if (posting['@type'] !== 'JobPosting' || posting['@context'] !== 'https://schema.org/') {
      throw new Error(`${url}: not a schema.org JobPosting: ${json}`);
    }
    if (posting.title !== heading) throw new Error(`${url}: the JSON-LD names "${posting.title}", the page "${heading}"`);
    if (posting.url !== url) throw new Error(`${url}: the JSON-LD's url is ${posting.url}`);
    if (problems.length) throw new Error(`${url}:\n${problems.join('\n')}`);
    await page.close();
  }
  console.log(`job pages ok: ${pages.length} pages rendered, each with a JobPosting that parses`);
} finally {
  await browser.close();
}
