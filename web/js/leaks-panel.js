// Leaks: one card per leak with severity colour, type, source, size, growth rate, evidence,
// recommendation and an expandable stack trace. Cards keep their open/closed state across
// refreshes (keyed by leak id).

import { empty, h, render } from "./dom.js";
import { ago, bytes, mb, rateMB } from "./format.js";

const severityRank = { critical: 3, high: 2, medium: 1, low: 0 };
const typeLabel = {
  buffer_leak: "buffer leak",
  native_module: "native module",
  crypto_context: "crypto context",
  connection_pool: "connection pool",
  file_handle: "file handle",
  unknown: "unexplained growth",
};

const isDescriptorLeak = (l) => l.type === "connection_pool" || l.type === "file_handle";

function sizeText(l) {
  if (isDescriptorLeak(l)) return `${l.estimatedSize ?? 0} descriptors`;
  return Number.isFinite(l.sizeMB) ? mb(l.sizeMB) : bytes(l.estimatedSize);
}

function rateText(l) {
  if (isDescriptorLeak(l)) return `${(l.growthRate ?? 0).toFixed(2)} fd/s`;
  return rateMB(Number.isFinite(l.growthRateMBPerSec) ? l.growthRateMBPerSec : (l.growthRate ?? 0) / 1048576);
}

export class LeaksPanel {
  constructor(el, countEl) {
    this.el = el;
    this.countEl = countEl;
    this.open = new Set();
  }

  update(leaks) {
    const sorted = [...leaks].sort((a, b) => (severityRank[b.severity] ?? 0) - (severityRank[a.severity] ?? 0) || (b.estimatedSize ?? 0) - (a.estimatedSize ?? 0));
    this.countEl.textContent = leaks.length ? `${leaks.length} detected` : "";
    if (!sorted.length) {
      render(this.el, empty("No leaks detected", "A leak shows here once a site, library or descriptor kind keeps growing."));
      return;
    }
    render(this.el, sorted.map((l) => this.card(l)));
  }

  card(l) {
    const id = l.id || l.source;
    const stack = typeof l.stackTrace === "string" ? l.stackTrace.trim() : "";
    const details = stack
      ? h("details", { class: "stack", open: this.open.has(id) },
          h("summary", null, `Stack trace (${stack.split("\n").length} frames)`),
          h("pre", { class: "stack-trace" }, stack))
      : null;
    details?.addEventListener("toggle", () => (details.open ? this.open.add(id) : this.open.delete(id)));
    const evidence = Array.isArray(l.evidence) ? l.evidence : [];
    return h("article", { class: "leak", dataset: { severity: l.severity, type: l.type, id } },
      h("div", { class: "leak-head" },
        h("span", { class: "chip", dataset: { severity: l.severity } }, l.severity),
        h("span", { class: "chip plain" }, typeLabel[l.type] || l.type),
        h("span", { class: "leak-source", title: l.source }, l.source || "unknown source")),
      h("div", { class: "leak-figures" },
        h("div", null, h("span", null, "size "), h("b", null, sizeText(l))),
        h("div", null, h("span", null, "rate "), h("b", null, rateText(l))),
        l.firstDetected ? h("div", null, h("span", null, "first seen "), h("b", null, ago(l.firstDetected))) : null),
      evidence.length ? h("ul", null, evidence.slice(0, 4).map((e) => h("li", null, e))) : null,
      l.recommendation ? h("p", { class: "recommendation" }, l.recommendation) : null,
      details);
  }
}
