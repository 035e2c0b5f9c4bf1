// Growth patterns: one row per classified metric with its type, severity, rate, total growth
// and a confidence meter. Stable metrics are listed last, collapsed into one line.

import { empty, h, render } from "./dom.js";
import { mb, pct, rateMB } from "./format.js";

const severityRank = { critical: 3, high: 2, medium: 1, low: 0 };

function isDescriptorMetric(metric) {
  return /^fd\b|^fd\.|descriptor/.test(metric || "");
}

function rateText(p) {
  if (isDescriptorMetric(p.metric)) return `${(p.growthRate ?? 0).toFixed(2)} fd/s`;
  return rateMB(p.growthRate);
}

function totalText(p) {
  if (isDescriptorMetric(p.metric)) return `${Math.round(p.totalGrowth ?? 0)} descriptors`;
  return mb(p.totalGrowth);
}

export function renderPatterns(el, countEl, patterns) {
  const moving = patterns.filter((p) => p.type !== "stable");
  const stable = patterns.filter((p) => p.type === "stable");
  moving.sort((a, b) => (severityRank[b.severity] ?? 0) - (severityRank[a.severity] ?? 0) || Math.abs(b.growthRate) - Math.abs(a.growthRate));
  countEl.textContent = patterns.length ? `${moving.length} growing · ${stable.length} stable` : "";
  if (!patterns.length) {
    render(el, empty("No patterns yet", "Patterns appear once the growth window has enough samples."));
    return;
  }
  render(el,
    moving.map((p) =>
      h("div", { class: "pattern", dataset: { type: p.type } },
        h("div", { class: "pattern-metric" }, h("span", null, p.metric), h("span", { class: "chip plain" }, p.type),
          h("span", { class: "chip", dataset: { severity: p.severity } }, p.severity)),
        h("div", { class: "pattern-rate" }, rateText(p)),
        h("div", { class: "pattern-meta", title: p.recommendation || "" },
          `${totalText(p)} over the window`, p.recommendation ? ` · ${p.recommendation}` : ""),
        h("div", { class: "confidence" }, "confidence",
          h("div", { class: "meter" }, h("i", { style: { width: pct(p.confidence) } })), pct(p.confidence)))),
    stable.length
      ? h("div", { class: "pattern" },
          h("div", { class: "pattern-meta" }, `Stable: ${stable.map((p) => p.metric).join(", ")}`))
      : null,
    !moving.length ? h("div", { class: "muted small" }, "Nothing is growing.") : null);
}
