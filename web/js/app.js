// memlens dashboard entry point: loads the first picture over REST, then follows the WebSocket
// stream (chart, KPIs, alerts) and polls the heavier panels (analysis, sites, status, alerts)
// every few seconds. When the stream is down, the chart is fed by polling snapshots instead.

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
import { ThresholdsEditor } from "./thresholds-editor.js";

const kPollMs = 4000;
const kFallbackPollMs = 2000;
const $ = (id) => document.getElementById(id);

const state = {
  memory: {},
  trends: {},
  report: null,
  status: null,
  lastPointT: 0,
};

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
new Controls({
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

async function settle(promise, apply) {
  try {
    apply(await promise);
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

// ---- live stream ----

const conn = $("conn");
const socket = new LiveSocket(websocketUrl(), {
  onState: (s) => {
    conn.dataset.state = s === "reconnecting" ? "polling" : s;
    conn.querySelector(".conn-text").textContent = s === "live" ? "live" : s === "connecting" ? "connecting" : "polling · reconnecting";
  },
  onEvent: (event, data) => {
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

async function main() {
  await Promise.all([loadHistory(), refreshAll(), thresholds.load()]);
  // uPlot is a deferred classic script; by now it has run, so draw whatever came in early.
  chart.redraw();
  socket.start();
  setInterval(refreshAll, kPollMs);
  setInterval(() => {
    if (!socket.connected) pollSnapshots();
  }, kFallbackPollMs);
}

main();
