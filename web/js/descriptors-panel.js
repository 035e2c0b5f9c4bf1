// Descriptor counts by kind (file, tcp, udp, unix, socket, pipe, anon_inode, other) and the
// largest groups by target ("TCP 127.0.0.1:5432").

import { empty, h, render } from "./dom.js";

const kinds = ["file", "tcp", "udp", "unix", "socket", "pipe", "anon_inode", "other"];

// counts: {total, byKind: {file: n, ...}}; groups: [{kind, target, count}]
export function renderDescriptors(el, totalEl, counts, groups) {
  if (!counts || !Number.isFinite(counts.total)) {
    totalEl.textContent = "";
    render(el, empty("No descriptor data yet"));
    return;
  }
  totalEl.textContent = `${counts.total} open`;
  const byKind = counts.byKind || {};
  const shown = kinds.filter((k) => (byKind[k] ?? 0) > 0);
  render(el,
    shown.length
      ? h("div", { class: "fd-grid" }, shown.map((k) =>
          h("div", { class: "fd", dataset: { kind: k } }, h("div", { class: "fd-kind" }, k.replace("_", " ")), h("div", { class: "fd-count" }, String(byKind[k])))))
      : h("div", { class: "fd-grid" }, h("div", { class: "fd" }, h("div", { class: "fd-kind" }, "total"), h("div", { class: "fd-count" }, String(counts.total)))),
    groups?.length
      ? h("div", { class: "fd-groups" }, groups.slice(0, 6).map((g) => h("div", null, h("span", { title: g.target }, g.target), h("b", null, String(g.count)))))
      : null);
}
