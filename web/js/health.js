// The health light in the header and the KPI strip (RSS, heap, external + ratio, divergence,
// time to limit, leaks). Health follows the server's /health/memory rule (judgeHealth below).

import { h, render } from "./dom.js";
import { mb } from "./format.js";

const rank = { unknown: -1, healthy: 0, warning: 1, critical: 2 };

export function ratioLevel(ratio) {
  if (!Number.isFinite(ratio)) return "unknown";
  return ratio > 2.5 ? "critical" : ratio >= 1.5 ? "warning" : "healthy";
}

export function worst(...levels) {
  return levels.reduce((a, b) => (rank[b] > rank[a] ? b : a), "unknown");
}

// The rule of GET /health/memory (src/server/health_rule.h), computed here from data the page
// already has: fetching /health/memory itself would log a console error whenever it answers 503.
//   critical: ratio > 2.5, RSS above rssMB, or a critical leak
//   warning:  ratio > 1.5, external above externalMemoryMB, any leak, or an active alert
export function judgeHealth({ rssMB, externalMB, externalRatio }, thresholds, leaks, activeAlerts) {
  const reasons = [];
  let level = "healthy";
  const raise = (to, why) => {
    reasons.push(why);
    level = worst(level, to);
  };
  if (!Number.isFinite(rssMB)) return { level: "unknown", reasons: ["no snapshot yet"] };
  if (externalRatio > 2.5) raise("critical", `external/heap ratio ${externalRatio.toFixed(2)} > 2.5`);
  else if (externalRatio > 1.5) raise("warning", `external/heap ratio ${externalRatio.toFixed(2)} > 1.5`);
  if (thresholds && rssMB > thresholds.rssMB) raise("critical", `RSS above ${thresholds.rssMB} MB`);
  if (thresholds && externalMB > thresholds.externalMemoryMB) raise("warning", `external above ${thresholds.externalMemoryMB} MB`);
  if (leaks.some((l) => l.severity === "critical")) raise("critical", "a critical leak");
  else if (leaks.length) raise("warning", `${leaks.length} leak(s)`);
  if (activeAlerts.length) raise("warning", `${activeAlerts.length} active alert(s)`);
  return { level, reasons };
}

// A verdict the server put in GET status ({status: "healthy"|"warning"|"unhealthy"|"starting"}).
export function levelOfVerdict(v) {
  const map = { healthy: "healthy", warning: "warning", unhealthy: "critical", starting: "unknown" };
  return map[v?.status] ?? null;
}

export function renderHealth(el, level, reason) {
  el.dataset.level = level;
  el.querySelector(".health-text").textContent = level === "unknown" ? "—" : level;
  el.title = reason ? `Memory health: ${reason}` : "Memory health";
}

const arrows = { increasing: "↑", decreasing: "↓", stable: "→" };

function trendText(trend) {
  if (!trend) return null;
  const cls = trend === "increasing" ? "up" : trend === "decreasing" ? "down" : null;
  return h("span", { class: cls }, `${arrows[trend] || ""} ${trend}`);
}

function kpi(id, label, color, value, unit, sub, level) {
  return h("div", { class: "kpi", id: `kpi-${id}`, dataset: { level: level || "" } },
    h("div", { class: "kpi-label" }, color ? h("span", { class: "kpi-swatch", style: { background: color } }) : null, label),
    h("div", { class: "kpi-value" }, value, unit ? h("span", { class: "unit" }, unit) : null),
    h("div", { class: "kpi-sub" }, sub ?? "\u00a0"));
}

// Time to limit as a big number and a unit: "42 min", "5.4 h", "3.1 d".
function ttlParts(ms) {
  const min = ms / 60000;
  if (min < 1) return [String(Math.max(0, Math.round(ms / 1000))), "s"];
  if (min < 90) return [String(Math.round(min)), "min"];
  if (min < 48 * 60) return [(min / 60).toFixed(1), "h"];
  return [(min / 1440).toFixed(1), "d"];
}

// Splits "12.3 MB" into ["12.3", "MB"] for the big-number layout.
function split(text) {
  const m = /^(.*?)\s*([A-Za-z/]+)$/.exec(text);
  return m ? [m[1], m[2]] : [text, ""];
}

// view: {rssMB, heapMB, externalMB, externalRatio, trend, divergence, divergenceTrend,
//        heapTotalMB, heapSource, timeToLimitMs, limitKind, leakCount, worstLeak, patternCount}
export function renderKpis(el, v) {
  const ratioLvl = ratioLevel(v.externalRatio);
  const ttl = Number.isFinite(v.timeToLimitMs) ? ttlParts(v.timeToLimitMs) : null;
  const leakLevel = v.worstLeak === "critical" || v.worstLeak === "high" ? "critical" : v.leakCount > 0 ? "warning" : "";
  const ttlLevel = Number.isFinite(v.timeToLimitMs) ? (v.timeToLimitMs < 3600e3 ? "critical" : v.timeToLimitMs < 86400e3 ? "warning" : "") : "";
  const css = (n) => `var(${n})`;
  render(el,
    kpi("rss", "RSS", css("--rss"), ...split(mb(v.rssMB)), trendText(v.trend)),
    kpi("heap", "Heap used", css("--heap"), ...split(mb(v.heapMB)),
      Number.isFinite(v.heapTotalMB) ? `of ${mb(v.heapTotalMB)} held${v.heapSource === "estimate" ? " (estimate)" : ""}` : v.heapSource || null),
    kpi("external", "External", css("--external"), ...split(mb(v.externalMB)),
      Number.isFinite(v.externalRatio) ? `ratio ${v.externalRatio.toFixed(2)}× · ${ratioLvl}` : null, ratioLvl === "healthy" ? "" : ratioLvl),
    kpi("divergence", "Divergence", null, ...split(mb(v.divergence)), h("span", null, "RSS − heap ", trendText(v.divergenceTrend))),
    kpi("ttl", "Time to limit", null, ttl ? ttl[0] : "—", ttl ? ttl[1] : "",
      ttl ? (v.limitKind ? `at current rate · ${v.limitKind}` : "at current rate") : "not growing toward a limit", ttlLevel),
    kpi("leaks", "Leaks", null, String(v.leakCount ?? 0), "",
      v.leakCount ? `worst: ${v.worstLeak} · ${v.patternCount ?? 0} patterns` : `${v.patternCount ?? 0} growth patterns`, leakLevel));
}
