// Real-browser test of the session picker. Part 1: `memlens serve STORE` of a store holding two
// recorded sessions (a `memlens demo` run with the agent, then a `memlens run` of the
// linear_heap target); the dashboard opens the newest, then the older one is picked and the
// chart, leaks, patterns, target line, banner and export must show that session's data (as the
// REST routes give it). Part 2: a live `memlens demo --serve`: pick the session it is recording,
// the live view pauses under the banner, "Back to live" resumes the stream. No console errors.
//
//   MEMLENS_BIN=build/memlens MEMLENS_TARGET_DIR=build/tests/targets node --test tests/browser/sessions.test.js

"use strict";
const { describe, it, before, after } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { launch, openPage } = require("./browser-session");
const { freePort, waitFor, runMemlens, MemlensServer } = require("./memlens-process");

const kLoadMs = 60_000;
const kLiveMs = 90_000;
const shotsDir = path.resolve(process.env.MEMLENS_SCREENSHOT_DIR || "screenshots");
const api = "/api/memory-analysis";

function targetPath(name) {
  const dir = process.env.MEMLENS_TARGET_DIR || path.join(path.dirname(process.env.MEMLENS_BIN || "."), "tests/targets");
  const p = path.join(dir, name);
  assert.ok(fs.existsSync(p), `test target ${p} is missing (set MEMLENS_TARGET_DIR)`);
  return p;
}

async function getJSON(base, route) {
  const res = await fetch(`${base}${api}/${route}`);
  assert.equal(res.status, 200, `GET ${route}: HTTP ${res.status}`);
  return res.json();
}

const loaded = (page) => page.evaluate(() => document.body.dataset.loadedSession ?? "");

// What the page shows of the session on screen.
function readView(page) {
  return page.evaluate(() => {
    const banner = document.getElementById("session-banner");
    return {
      points: Number(document.getElementById("chart").dataset.points),
      leaks: document.querySelectorAll("#leaks article.leak").length,
      leakTypes: [...document.querySelectorAll("#leaks article.leak")].map((el) => el.dataset.type).sort(),
      patterns: [...document.querySelectorAll("#patterns .pattern[data-type]")].map((el) => el.dataset.type),
      target: document.getElementById("target").textContent,
      banner: banner.hidden ? null : banner.textContent,
      bannerSession: banner.dataset.session,
      select: document.getElementById("session-select").value,
      conn: document.getElementById("conn").dataset.state,
      gcDisabled: document.getElementById("btn-gc").disabled,
    };
  });
}

describe("session picker on memlens serve", { timeout: 600_000 }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "memlens-sessions-"));
  const store = path.join(dir, "store");
  let server;
  let browser;
  let page;
  let base;
  let sessions;

  before(async () => {
    fs.mkdirSync(shotsDir, { recursive: true });
    // Session 1: the demo workload with the agent (sites, a heap leak); session 2: /proc only.
    const demo = await runMemlens(["demo", "--interval", "250ms", "--duration", "25s", "-q", "--storage", store], { cwd: dir });
    assert.equal(demo.code, 0, demo.out.slice(-3000));
    const run = await runMemlens(["run", "--interval", "250ms", "--duration", "6s", "--no-agent", "-q", "--storage", store,
                                  "--", targetPath("linear_heap"), "30", "512"], { cwd: dir });
    assert.equal(run.code, 0, run.out.slice(-3000));
    const port = await freePort();
    server = new MemlensServer(["serve", store, "--listen", `127.0.0.1:${port}`], { cwd: dir });
    base = await server.start(port, `${api}/sessions`);
    sessions = (await getJSON(base, "sessions")).sessions;
    assert.equal(sessions.length, 2, JSON.stringify(sessions));
    browser = await launch();
    page = await openPage(browser, `${base}/memory-analysis/`, { width: 1280, height: 900 });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("opens the newest recorded session with the banner and the live controls off", async () => {
    const newest = sessions[0];
    await waitFor("the newest session to load", kLoadMs, async () => (await loaded(page)) === String(newest.id));
    const v = await readView(page);
    assert.ok(v.banner, "the banner is shown");
    assert.match(v.banner, new RegExp(`Viewing recorded session ${newest.id}\\b`));
    assert.doesNotMatch(v.banner, /Back to live/, "no live process: no way back to live");
    assert.equal(v.select, String(newest.id));
    assert.equal(v.conn, "recorded");
    assert.equal(v.gcDisabled, true, "Force GC needs a live process");
    const snaps = await getJSON(base, `sessions/${newest.id}/snapshots?limit=5000`);
    assert.equal(v.points, snaps.count, "the chart plots the session's stored snapshots");
    assert.match(v.target, /linear_heap/);
    const options = await page.$$eval("#session-select option", (os) => os.map((o) => o.value));
    assert.deepEqual(options, sessions.map((s) => String(s.id)), "no Live entry, newest first");
  });

  it("picks the older session and shows its chart, leaks, patterns and export", async () => {
    const older = sessions[1];
    await page.selectOption("#session-select", String(older.id));
    await waitFor("the older session to load", kLoadMs, async () => (await loaded(page)) === String(older.id));
    const report = await getJSON(base, `sessions/${older.id}/report`);
    const snaps = await getJSON(base, `sessions/${older.id}/snapshots?limit=5000`);
    const v = await readView(page);
    assert.match(v.banner, new RegExp(`Viewing recorded session ${older.id}\\b`));
    assert.equal(v.bannerSession, String(older.id));
    assert.equal(v.points, snaps.count);
    assert.ok(v.points > 10, `the demo session has ${v.points} points`);
    assert.match(v.target, /demo/);
    assert.equal(v.leaks, report.leaks.length, "one leak card per leak of the replayed report");
    assert.deepEqual(v.leakTypes, report.leaks.map((l) => l.type).sort());
    assert.deepEqual(v.patterns.sort(), report.growthPatterns.filter((p) => p.type !== "stable").map((p) => p.type).sort());
    const flame = await page.$$eval("#flame .flame-node", (els) => els.length);
    const sites = await getJSON(base, `sessions/${older.id}/sites`);
    if (sites.sites.length) assert.ok(flame > 0, "the flame graph draws the recorded sites");

    const [download] = await Promise.all([
      page.waitForEvent("download", { timeout: 30_000 }),
      (async () => {
        await page.click("#btn-export");
        await page.click('#export-menu button[data-format="json"]');
      })(),
    ]);
    assert.equal(download.suggestedFilename(), `memlens-session-${older.id}.json`);
    const body = JSON.parse(fs.readFileSync(await download.path(), "utf8"));
    assert.equal(body.snapshots.length, snaps.total, "the export holds the session's snapshots");
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(shotsDir, "dashboard-recorded-session.png") });
  });

  it("logged no console errors", () => {
    assert.deepEqual(page.problems, []);
  });
});

describe("back to live on a live run", { timeout: 400_000 }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "memlens-live-"));
  let server;
  let browser;
  let page;
  let base;

  before(async () => {
    const port = await freePort();
    server = new MemlensServer(["demo", "--serve", `127.0.0.1:${port}`, "--interval", "250ms", "--storage", path.join(dir, "store")], { cwd: dir });
    base = await server.start(port, `${api}/status`);
    browser = await launch();
    page = await openPage(browser, `${base}/memory-analysis/`, { width: 1280, height: 900 });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("pauses the live view for a recorded session and resumes it", async () => {
    await waitFor("the live chart", kLiveMs, async () => Number(await page.$eval("#chart", (el) => el.dataset.points)) >= 2);
    await waitFor("the stream", kLiveMs, async () => (await readView(page)).conn === "live");
    const recording = await waitFor("the session being recorded", kLiveMs, async () => (await getJSON(base, "sessions")).recording);
    // The picker lists it once its list refreshes (at load, then every 15 s).
    await waitFor("the picker to list it", kLiveMs, async () =>
      page.$eval("#session-select", (el, id) => [...el.options].some((o) => o.value === String(id)), recording));
    const liveOption = await page.$eval("#session-select", (el) => el.options[0].value);
    assert.equal(liveOption, "live");

    await page.selectOption("#session-select", String(recording));
    await waitFor("the recorded session to load", kLoadMs, async () => (await loaded(page)) === String(recording));
    const paused = await readView(page);
    assert.match(paused.banner, new RegExp(`Viewing recorded session ${recording}\\b`));
    assert.match(paused.banner, /Back to live/);
    assert.equal(paused.conn, "paused");
    assert.equal(paused.gcDisabled, true);
    assert.ok(paused.points >= 1);

    await page.click("#btn-back-live");
    await waitFor("the live view", kLoadMs, async () => (await loaded(page)) === "live");
    const back = await readView(page);
    assert.equal(back.banner, null, "the banner is gone");
    assert.equal(back.select, "live");
    assert.equal(back.gcDisabled, false);
    await waitFor("the stream view to resume", kLiveMs, async () => (await readView(page)).conn === "live");
    const first = Number(await page.$eval("#chart", (el) => el.dataset.points));
    await waitFor("the chart to move again", kLiveMs, async () => Number(await page.$eval("#chart", (el) => el.dataset.points)) > first);
  });

  it("logged no console errors", () => {
    assert.deepEqual(page.problems, []);
  });
});
