// memlens dashboard entry point: loads the first picture over REST, then follows the WebSocket
// stream (chart, KPIs, alerts) and polls the heavier panels (analysis, sites, status, alerts)
// every few seconds. When the stream is down, the chart is fed by polling snapshots instead.
// The session picker swaps the live view for a recorded session (GET sessions/{id}/...): the
// stream and polling are then ignored until "Back to live". On `memlens serve STORE` there is
// no live process and the page opens the newest recorded session (or ?session=N).

import { getJSON, listOf, websocketUrl } from "./api.js";
import { AlertCenter, toast } from "./alerts.js";
import { MemoryChart } from "./chart.js";
import { Controls } from "./controls.js";
import { renderBuffers } from "./buffers-panel.js";
import { renderDescriptors } from "./descriptors-panel.js";
import { FlameGraph } from "./flamegraph.js";
import { judgeHealth, levelOfVerdict, renderHealth, renderKpis, worst } from "./health.js";
import { LeaksPanel } from "./leaks-panel.js";
import { LiveSocket } from "./live-socket.js";
import { renderModules } from "./modules-panel.js";
import { descriptorsOf, groupsOf, memoryOf, pointOf, targetText } from "./normalize.js";
import { renderPatterns } from "./patterns-panel.js";
import { SessionPicker } from "./sessions.js";
import { ThresholdsEditor } from "./thresholds-editor.js";

const kPollMs = 4000;
const kFallbackPollMs = 2000;
const kSessionsPollMs = 15000;
const kSessionSnapshotLimit = 5000;
const $ = (id) => document.getElementById(id);

const state = {
  memory: {},
  trends: {},
  report: null,
  status: null,
  lastPointT: 0,
};

// What is on screen: the live process (session null) or a recorded session. seq changes with
// every switch, so a response that arrives after the next switch is dropped.
const view = { session: null, seq: 0, live: true, liveWindow: 900, socketState: "connecting" };

const toasts = $("toasts");
const notify = (t) => toast(toasts, t);
const reportError = (err) => notify({ title: "Request failed", body: err.message, severity: "critical" });

const chart = new MemoryChart($("chart"), $("chart-legend"), $("chart-window"));
const leaks = new LeaksPanel($("leaks"), $("leaks-count"));
const flame = new FlameGraph($("flame"), $("flame-hint"));
const alerts = new AlertCenter({ list: $("alert-history"), badge: $("alert-badge"), toasts, dismissAll: $("alerts-dismiss-all"), onError: reportError });
const thresholds = new ThresholdsEditor($("thresholds"), $("thresholds-state"), {
  onError: reportError,
  onSaved: () => notify({ title: "Thresholds saved", severity: "ok", ms: 3000 }),
});
const controls = new Controls({
  resultEl: $("action-result"),
  notify,
  onReset: () => resetView(),
  onSnapshot: (snap) => addPoint(pointOf(snap, Date.now())),
});
$("btn-alerts").addEventListener("click", () => $("alerts-card").scrollIntoView({ behavior: "smooth", block: "start" }));

function addPoint(p) {
  if (!Number.isFinite(p.t) || !Number.isFinite(p.rssMB)) return;
  chart.append(p);
  state.lastPointT = Math.max(state.lastPointT, p.t);
}

// ---- drawing ----

function drawSummary() {
  const r = state.report;
  const rvh = r?.rssVsHeap ?? {};
  const m = { ...memoryOf(state.status?.currentMemory ?? state.status?.memory), ...stripUndefined(state.memory) };
  const trends = { ...rvh, ...stripUndefined(state.trends) };
  const leakList = r?.leaks ?? [];
  const sevRank = ["low", "medium", "high", "critical"];
  const worstLeak = leakList.reduce((w, l) => (sevRank.indexOf(l.severity) > sevRank.indexOf(w) ? l.severity : w), "low");
  const patterns = r?.growthPatterns ?? [];
  renderKpis($("kpis"), {
    rssMB: m.rssMB ?? rvh.currentRSSMB,
    heapMB: m.heapMB ?? rvh.currentHeapMB,
    externalMB: m.externalMB ?? rvh.currentExternalMB,
    externalRatio: m.externalRatio ?? rvh.externalRatio,
    heapTotalMB: m.heapTotalMB,
    heapSource: m.heapSource ?? state.status?.latest?.heapSource,
    trend: trends.trend,
    divergence: Number.isFinite(trends.divergence) ? trends.divergence : (m.rssMB ?? NaN) - (m.heapMB ?? NaN),
    divergenceTrend: trends.divergenceTrend,
    timeToLimitMs: r?.summary?.timeToLimitMs ?? state.status?.timeToLimitMs,
    limitKind: r?.summary?.limitKind ?? state.status?.limitKind,
    leakCount: leakList.length || (Number.isFinite(state.trends.leaks) ? state.trends.leaks : 0),
    worstLeak,
    patternCount: patterns.filter((p) => p.type !== "stable").length,
  });
  const activeAlerts = alerts.active();
  const verdict = judgeHealth(m, thresholds.values, leakList, activeAlerts);
  const served = levelOfVerdict(state.status?.health);
  const level = served ? worst(served, verdict.level) : verdict.level;
  const reasons = [...(state.status?.health?.reasons ?? []), ...verdict.reasons];
  renderHealth($("health"), level, [...new Set(reasons)].join("; "));
}

function stripUndefined(o) {
  return Object.fromEntries(Object.entries(o || {}).filter(([, v]) => v !== undefined));
}

function drawReport() {
  const r = state.report;
  if (!r) return;
  renderPatterns($("patterns"), $("patterns-count"), r.growthPatterns ?? []);
  leaks.update(r.leaks ?? []);
  renderModules($("modules"), $("modules-count"), r.nativeModules ?? []);
  renderBuffers($("buffers"), $("buffers-count"), r.bufferLeaks ?? []);
  $("target").textContent = targetText(state.status, r);
  drawSummary();
}

function drawStatus() {
  const s = state.status ?? {};
  $("target").textContent = targetText(s, state.report);
  const snap = s.latest ?? s.snapshot ?? {};
  const counts = descriptorsOf(s.descriptors ?? snap.descriptors);
  renderDescriptors($("descriptors"), $("descriptors-total"), counts, groupsOf(s.descriptorGroups ?? snap.descriptorGroups));
  drawSummary();
}

// ---- loading ----

// For the live loaders: applies the answer unless a recorded session took the screen meanwhile.
async function settle(promise, apply) {
  const seq = view.seq;
  try {
    const value = await promise;
    if (view.seq === seq && view.session === null) apply(value);
  } catch (err) {
    if (err.status !== 404) console.warn(`memlens: ${err.message}`);
  }
}

async function loadStatus() {
  await settle(getJSON("status"), (s) => {
    state.status = s;
    drawStatus();
  });
}

async function loadReport() {
  await settle(getJSON("analysis"), (r) => {
    state.report = r;
    drawReport();
  });
}

async function loadSites() {
  await settle(getJSON("sites"), (s) => {
    const sites = listOf(s, "sites");
    const agent = s?.agent ?? state.status?.agentConnected ?? state.report?.summary?.agent ?? true;
    flame.update(sites, agent || sites.length > 0);
  });
}

async function loadAlerts() {
  await settle(getJSON("alerts"), (a) => {
    alerts.merge(listOf(a, "alerts", "history"), { fromHistory: true });
    drawSummary();
  });
}

async function loadHistory() {
  await settle(getJSON("snapshots?limit=2000"), (s) => {
    const points = listOf(s, "snapshots", "items").map((x) => pointOf(x)).filter((p) => Number.isFinite(p.t));
    points.sort((a, b) => a.t - b.t);
    chart.setHistory(points);
    if (points.length) state.lastPointT = points[points.length - 1].t;
  });
}

async function pollSnapshots() {
  const since = Math.floor(state.lastPointT);
  await settle(getJSON(`snapshots?since=${since}&limit=500`), (s) => {
    for (const x of listOf(s, "snapshots", "items").map((y) => pointOf(y)).sort((a, b) => a.t - b.t)) addPoint(x);
  });
}

function resetView() {
  chart.setHistory([]);
  state.lastPointT = 0;
  state.memory = {};
  state.trends = {};
  alerts.clear();
  refreshAll();
}

async function refreshAll() {
  await Promise.all([loadStatus(), loadReport(), loadAlerts()]);
  await loadSites();
}

// ---- recorded sessions ----

const picker = new SessionPicker({
  wrap: $("session-pick"),
  select: $("session-select"),
  banner: $("session-banner"),
  onPick: (id) => (id === null ? backToLive() : openSession(id)),
});

function clearView() {
  state.report = null;
  state.status = null;
  state.memory = {};
  state.trends = {};
  state.lastPointT = 0;
  chart.setHistory([]);
  alerts.clear();
}

// Draws recorded session `id` in the panels: its replayed report, stored snapshots (chart, KPIs,
// descriptors), allocation sites and alerts.
async function openSession(id) {
  const seq = ++view.seq;
  if (view.session === null) view.liveWindow = chart.windowSec;
  view.session = id;
  picker.show(id);
  controls.setRecorded(id, { live: view.live });
  alerts.setReadOnly(true);
  drawConn();
  clearView();
  chart.setWindow(0);
  const base = `sessions/${id}`;
  const [report, snaps, sites, history] = await Promise.allSettled([
    getJSON(`${base}/report`),
    getJSON(`${base}/snapshots?limit=${kSessionSnapshotLimit}`),
    getJSON(`${base}/sites`),
    getJSON(`${base}/alerts`),
  ]);
  if (seq !== view.seq) return;
  if (report.status === "rejected") notify({ title: `Session ${id}`, body: report.reason.message, severity: "warning" });
  state.report = report.status === "fulfilled" ? report.value : { summary: {}, rssVsHeap: {}, growthPatterns: [], leaks: [], nativeModules: [], bufferLeaks: [] };
  const list = snaps.status === "fulfilled" ? listOf(snaps.value, "snapshots") : [];
  const points = list.map((x) => pointOf(x)).filter((p) => Number.isFinite(p.t)).sort((a, b) => a.t - b.t);
  chart.setHistory(points);
  const last = list[list.length - 1];
  state.memory = last ? stripUndefined(memoryOf(last)) : {};
  renderDescriptors($("descriptors"), $("descriptors-total"), descriptorsOf(last?.descriptors), []);
  const siteList = sites.status === "fulfilled" ? listOf(sites.value, "sites") : [];
  flame.update(siteList, (sites.status === "fulfilled" && sites.value?.agent) || siteList.length > 0);
  if (history.status === "fulfilled") alerts.merge(listOf(history.value, "alerts"), { fromHistory: true });
  drawReport();
  document.body.dataset.loadedSession = String(id);
}

async function backToLive() {
  if (!view.live) return;
  const seq = ++view.seq;
  view.session = null;
  picker.show(null);
  controls.setRecorded(null);
  alerts.setReadOnly(false);
  drawConn();
  clearView();
  chart.setWindow(view.liveWindow);
  await Promise.all([loadHistory(), refreshAll()]);
  if (seq === view.seq) document.body.dataset.loadedSession = "live";
}

async function refreshSessions() {
  if (document.activeElement === $("session-select")) return;  // do not rebuild an open select
  await picker.load();
}

// ---- live stream ----

const conn = $("conn");
function drawConn() {
  const s = view.session !== null ? (view.live ? "paused" : "recorded") : view.socketState;
  const text = { live: "live", connecting: "connecting", paused: "live view paused", recorded: "recorded session" };
  conn.dataset.state = s === "reconnecting" ? "polling" : s;
  conn.querySelector(".conn-text").textContent = text[s] ?? "polling · reconnecting";
}

const socket = new LiveSocket(websocketUrl(), {
  onState: (s) => {
    view.socketState = s;
    drawConn();
  },
  onEvent: (event, data) => {
    if (view.session !== null) return;  // a recorded session is on screen; the stream waits
    if (event === "realtime-update") {
      const m = memoryOf(data.memory);
      state.memory = m;
      state.trends = { ...(data.trends ?? {}), leaks: typeof data.leaks === "number" ? data.leaks : Array.isArray(data.leaks) ? data.leaks.length : undefined };
      // One point per snapshot: updates can outpace sampling, and repeat the same snapshot.
      addPoint(pointOf({ ...data.memory, timestamp: data.snapshotTimestamp ?? data.timestamp }, Date.now()));
      drawSummary();
    } else if (event === "alerts") {
      alerts.merge(listOf(data, "alerts"));
      drawSummary();
    }
  },
});

// ?session=N in the page's address opens that recorded session.
function requestedSession() {
  const id = Number(new URLSearchParams(location.search).get("session"));
  return Number.isInteger(id) && id > 0 ? id : null;
}

// `memlens serve STORE`: no live process, only recorded sessions.
async function mainRecorded() {
  view.live = false;
  thresholds.disable("No live process: this memlens serves recorded sessions only; thresholds belong to a running analysis.");
  controls.setRecorded(null, { live: false });
  view.session = -1;  // nothing live to show, whatever happens below
  drawConn();
  const id = requestedSession() ?? picker.newest()?.id;
  if (id) await openSession(id);
  else picker.showNone();
  chart.redraw();
  setInterval(refreshSessions, kSessionsPollMs);
}

async function main() {
  const archived = await picker.load();
  if (archived && !picker.live) return mainRecorded();
  await Promise.all([loadHistory(), refreshAll(), thresholds.load()]);
  // uPlot is a deferred classic script; by now it has run, so draw whatever came in early.
  chart.redraw();
  socket.start();
  setInterval(() => {
    if (view.session === null) refreshAll();
  }, kPollMs);
  setInterval(() => {
    if (view.session === null && !socket.connected) pollSnapshots();
  }, kFallbackPollMs);
  if (archived) {
    setInterval(refreshSessions, kSessionsPollMs);
    const id = requestedSession();
    if (id) await openSession(id);
    else document.body.dataset.loadedSession = "live";
  }
}

main();
