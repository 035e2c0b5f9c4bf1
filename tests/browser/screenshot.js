// Development aid: screenshots of a running dashboard at desktop and phone width.
//   node tests/browser/screenshot.js http://127.0.0.1:10100/memory-analysis/ /tmp/shots
"use strict";
const path = require("node:path");
const fs = require("node:fs");
const { launch, openPage } = require("./browser-session");

(async () => {
  const [url, out = "screenshots"] = process.argv.slice(2);
  fs.mkdirSync(out, { recursive: true });
  const browser = await launch();
  for (const [name, viewport, full] of [["desktop-1280x800", { width: 1280, height: 800 }, false], ["desktop-full", { width: 1280, height: 800 }, true], ["phone-375", { width: 375, height: 812 }, true]]) {
    const page = await openPage(browser, url, viewport);
    await page.waitForTimeout(Number(process.env.WAIT_MS || 4000));
    await page.screenshot({ path: path.join(out, `${name}.png`), fullPage: full });
    if (page.problems.length) console.log(`${name}: ${page.problems.join("\n")}`);
    await page.context().close();
  }
  await browser.close();
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
