// Launches Debian's headless Chromium through playwright-core (installed in tests/node) and
// records every console error and page error of the pages it opens.

"use strict";
const path = require("node:path");
const fs = require("node:fs");

const nodeModules = path.resolve(__dirname, "../node/node_modules");
const { chromium } = require(path.join(nodeModules, "playwright-core"));

function chromiumPath() {
  const candidates = [process.env.MEMLENS_CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter(Boolean);
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) throw new Error("Chromium not found: install Debian's `chromium` (scripts/setup.sh does) or set MEMLENS_CHROMIUM");
  return found;
}

async function launch() {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
  });
}

// Opens a page that collects console errors and uncaught exceptions into page.problems.
async function openPage(browser, url, viewport) {
  const context = await browser.newContext({ viewport, acceptDownloads: true, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.problems = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") page.problems.push(`console.error: ${msg.text()}`);
  });
  page.on("pageerror", (err) => page.problems.push(`pageerror: ${err.message}`));
  page.on("requestfailed", (req) => {
    // A download or an aborted long-poll is not a page problem; a missing asset is.
    if (!/export|\/ws/.test(req.url())) page.problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`);
  });
  await page.goto(url, { waitUntil: "load" });
  return page;
}

module.exports = { launch, openPage };
