// Native modules: a bar per loaded ELF object, coloured by moduleType, scaled to the largest,
// with confidence and allocation counts.

import { empty, h, render } from "./dom.js";
import { mb, pct } from "./format.js";

const kShown = 10;
const types = ["database", "crypto", "network", "compression", "other"];

export function renderModules(el, countEl, modules) {
  const sorted = [...modules].sort((a, b) => (b.estimatedMemory ?? 0) - (a.estimatedMemory ?? 0));
  if (!sorted.length) {
    countEl.textContent = "";
    render(el, empty("No modules yet", "Modules appear after the first full pass over the target's mappings."));
    return;
  }
  const total = sorted.reduce((a, m) => a + (m.estimatedMemory ?? 0), 0);
  countEl.textContent = `${sorted.length} objects · ${mb(total)}`;
  const top = sorted.slice(0, kShown);
  const max = Math.max(...top.map((m) => m.estimatedMemory ?? 0), 0.001);
  const present = new Set(top.map((m) => m.moduleType || "other"));
  render(el,
    top.map((m) => {
      const type = types.includes(m.moduleType) ? m.moduleType : "other";
      const counts = m.allocations || m.deallocations ? ` · ${(m.allocations ?? 0).toLocaleString()} allocs / ${(m.deallocations ?? 0).toLocaleString()} frees` : "";
      return h("div", { class: "module", dataset: { type }, title: (m.evidence || []).join("\n") },
        h("div", { class: "module-row" }, h("span", { class: "module-name" }, m.moduleName), h("span", { class: "module-mb" }, mb(m.estimatedMemory))),
        h("div", { class: "module-bar" }, h("i", { style: { width: `${Math.max(1, ((m.estimatedMemory ?? 0) / max) * 100)}%` } })),
        h("div", { class: "module-meta" }, `${type} · confidence ${pct(m.confidence)}${counts}`));
    }),
    sorted.length > kShown ? h("div", { class: "muted small" }, `+ ${sorted.length - kShown} more modules`) : null,
    h("div", { class: "type-keys" }, types.filter((t) => present.has(t)).map((t) => h("span", { class: "type-key", dataset: { type: t } }, t))));
}
