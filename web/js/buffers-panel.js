// Buffer leaks: live allocations grouped by site, as a table (type, source, live size, age,
// leak confidence). The stack is in each row's tooltip.

import { empty, h, render } from "./dom.js";
import { bytes, duration, pct } from "./format.js";

const kShown = 12;

export function renderBuffers(el, countEl, buffers) {
  const sorted = [...buffers].sort((a, b) => Number(b.isLeak) - Number(a.isLeak) || (b.size ?? 0) - (a.size ?? 0));
  const leaking = buffers.filter((b) => b.isLeak).length;
  countEl.textContent = buffers.length ? `${leaking} leaking of ${buffers.length} sites` : "";
  if (!sorted.length) {
    render(el, empty("No buffer data", "Needs the allocation agent (memlens run / demo)."));
    return;
  }
  render(el, h("div", { class: "table-wrap" },
    h("table", { class: "data" },
      h("thead", null, h("tr", null,
        h("th", null, "Type"), h("th", null, "Source"), h("th", { class: "r" }, "Live"),
        h("th", { class: "r" }, "Age"), h("th", { class: "r" }, "Leak"))),
      h("tbody", null, sorted.slice(0, kShown).map((b) =>
        h("tr", { title: b.stackTrace || "" },
          h("td", null, h("span", { class: "chip plain" }, b.bufferType || "malloc")),
          h("td", { class: "src" }, b.source || "–"),
          h("td", { class: "r" }, bytes(b.size)),
          h("td", { class: "r" }, duration(b.age)),
          h("td", { class: "r" }, b.isLeak
            ? h("span", { class: "chip", dataset: { severity: b.leakConfidence >= 0.8 ? "high" : "medium" } }, pct(b.leakConfidence))
            : h("span", { class: "muted" }, pct(b.leakConfidence)))))))));
}
