// Real-browser test of the dashboard: starts `memlens demo` (the leaking workload with the
// server), opens the embedded dashboard in headless Chromium via playwright-core and checks what
// a person would: no console errors, the chart moves, the demo's leak shows in the leak panel,
// Force GC reports a result, Export downloads valid JSON; saves screenshots at 1280×800 and at
// 375 px wide. Every wait polls for a condition with a generous limit (the machine is shared).
//
//   MEMLENS_BIN=build/memlens node --test tests/browser/dashboard.test.js
// Env: MEMLENS_BIN (required unless MEMLENS_DASHBOARD_URL points at a running server, e.g. the
// fixture server), MEMLENS_SCREENSHOT_DIR (default ./screenshots), MEMLENS_CHROMIUM.

"use strict";
const { describe, it, before, after } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const { freePort, waitFor, MemlensServer } = require("./memlens-process");
const os = require("node:os");
const path = require("node:path");
const { launch, openPage } = require("./browser-session");

const kStartMs = 60_000;
const kChartMs = 60_000;
const kLeakMs = 120_000;
const kActionMs = 30_000;

const shotsDir = path.resolve(process.env.MEMLENS_SCREENSHOT_DIR || "screenshots");

// `memlens demo --serve` on a free port, recording into a scratch directory.
class Demo {
  async start() {
    const port = await freePort();
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "memlens-browser-"));
    this.server = new MemlensServer(["demo", "--serve", `127.0.0.1:${port}`, "--interval", "250ms",
                                     "--storage", path.join(this.dir, "store")], { cwd: this.dir });
    const url = await this.server.start(port, "/api/memory-analysis/status", { ok: true });
    return `${url}/memory-analysis/`;
  }

  async stop() {
    if (this.server) await this.server.stop();
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

describe("dashboard in a real browser", { timeout: 400_000 }, () => {
  const demo = new Demo();
  let browser;
  let page;
  let url;

  before(async () => {
    fs.mkdirSync(shotsDir, { recursive: true });
    url = process.env.MEMLENS_DASHBOARD_URL || (await demo.start());
    browser = await launch();
    page = await openPage(browser, url, { width: 1280, height: 800 });
  });

  after(async () => {
    await browser?.close();
    await demo.stop();
  });

  it("loads the page and its assets", async () => {
    assert.equal(await page.title(), "memlens · memory analysis");
    await page.waitForFunction(() => typeof window.uPlot === "function", null, { timeout: kStartMs });
    await page.waitForSelector("#chart .uplot", { timeout: kChartMs });
    await page.waitForSelector(".kpi#kpi-rss", { timeout: kStartMs });
  });

  it("moves the chart as samples arrive", async () => {
    const read = () => page.$eval("#chart", (el) => ({ points: Number(el.dataset.points), rss: el.dataset.latestRss }));
    const first = await waitFor("the first plotted points", kChartMs, async () => {
      const r = await read();
      return r.points >= 2 ? r : null;
    });
    const later = await waitFor("more plotted points", kChartMs, async () => {
      const r = await read();
      return r.points > first.points ? r : null;
    });
    assert.ok(later.points > first.points, `points ${first.points} → ${later.points}`);
    const live = await page.$eval("#conn", (el) => el.dataset.state);
    assert.equal(live, "live", "the WebSocket stream is connected");
  });

  it("shows the demo's leak in the leak panel", async () => {
    await page.waitForSelector("#leaks article.leak", { timeout: kLeakMs });
    const leak = await page.$eval("#leaks article.leak", (el) => ({
      severity: el.dataset.severity, type: el.dataset.type, text: el.textContent,
    }));
    assert.match(leak.severity, /^(low|medium|high|critical)$/);
    assert.ok(leak.type, "the leak has a type");
    assert.match(leak.text, /size/);
  });

  it("runs Force GC and shows the result", async () => {
    await page.click("#btn-gc");
    const text = await waitFor("the Force GC result", kActionMs, () =>
      page.$eval("#action-result", (el) => (el.querySelector("#gc-result") ? el.textContent : null)));
    assert.match(text, /Force GC · /);
  });

  it("exports the report as a JSON download", async () => {
    const [download] = await Promise.all([
      page.waitForEvent("download", { timeout: kActionMs }),
      (async () => {
        await page.click("#btn-export");
        await page.click('#export-menu button[data-format="json"]');
      })(),
    ]);
    const file = await download.path();
    const body = JSON.parse(fs.readFileSync(file, "utf8"));
    assert.equal(typeof body, "object");
    assert.ok(body !== null && !Array.isArray(body), "the export is a JSON object");
    assert.ok("summary" in body || "report" in body, `export has a report (keys: ${Object.keys(body).slice(0, 8)})`);
    fs.copyFileSync(file, path.join(shotsDir, "export.json"));
  });

  it("saves screenshots at 1280×800 and at phone width", async () => {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(shotsDir, "dashboard-1280x800.png") });
    await page.screenshot({ path: path.join(shotsDir, "dashboard-1280-full.png"), fullPage: true });
    const phone = await openPage(browser, url, { width: 375, height: 812 });
    await phone.waitForFunction(() => Number(document.getElementById("chart").dataset.points) >= 2, null, { timeout: kChartMs });
    await phone.waitForSelector("#leaks article.leak", { timeout: kLeakMs });
    await phone.screenshot({ path: path.join(shotsDir, "dashboard-375.png") });
    await phone.screenshot({ path: path.join(shotsDir, "dashboard-375-full.png"), fullPage: true });
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no horizontal page overflow at 375 px (overflow ${overflow}px)`);
    assert.deepEqual(phone.problems, [], "no console errors at phone width");
    await phone.context().close();
    for (const f of ["dashboard-1280x800.png", "dashboard-375.png"]) assert.ok(fs.statSync(path.join(shotsDir, f)).size > 10_000);
  });

  it("logged no console errors", () => {
    assert.deepEqual(page.problems, []);
  });
});
