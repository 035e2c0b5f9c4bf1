// The live RSS / heap / external chart (uPlot). The band between RSS and heap is the divergence
// (rss − heapUsed: memory the malloc heap does not explain), shaded so its growth stands out.
// Keeps its own history (capped) so the time-window buttons need no refetch.

import { h, render } from "./dom.js";
import { clock, mb } from "./format.js";

const kMaxPoints = 7200;

function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

// Short axis labels: "0", "512 KB", "2.5 MB", "150 MB", "1.2 GB".
const pad2 = (n) => String(n).padStart(2, "0");

// Time ticks on one line: uPlot's default adds a date row whose labels collide at narrow widths.
function timeLabels(u, splits, axisIdx, space, incr) {
  const span = (u.scales.x.max ?? 0) - (u.scales.x.min ?? 0);
  return splits.map((s) => {
    const d = new Date(s * 1000);
    const hm = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
    const text = incr < 60 ? `${hm}:${pad2(d.getSeconds())}` : hm;
    return span > 86400 ? `${d.getMonth() + 1}/${d.getDate()} ${text}` : text;
  });
}

function axisLabel(v) {
  if (v === 0) return "0";
  if (v >= 1024) return `${+(v / 1024).toFixed(1)} GB`;
  if (v >= 10) return `${Math.round(v)} MB`;
  if (v >= 1) return `${+v.toFixed(1)} MB`;
  return `${Math.round(v * 1024)} KB`;
}

export class MemoryChart {
  constructor(container, legend, windowButtons) {
    this.container = container;
    this.legend = legend;
    this.t = [];
    this.rss = [];
    this.heap = [];
    this.ext = [];
    this.windowSec = 900;
    this.plot = null;
    this.hoverIdx = null;
    this.view = [[], [], [], []];
    this.windowButtons = windowButtons;

    windowButtons.addEventListener("click", (e) => {
      const btn = e.target.closest("button[data-window]");
      if (!btn) return;
      for (const b of windowButtons.querySelectorAll("button")) b.classList.toggle("active", b === btn);
      this.windowSec = Number(btn.dataset.window);
      this.redraw();
    });
    new ResizeObserver(() => this.resize()).observe(container);
    matchMedia("(prefers-color-scheme: light)").addEventListener("change", () => this.rebuild());
  }

  // Selects a time window (seconds; 0 = all) as its button would.
  setWindow(sec) {
    this.windowSec = sec;
    for (const b of this.windowButtons.querySelectorAll("button[data-window]")) b.classList.toggle("active", Number(b.dataset.window) === sec);
    this.redraw();
  }

  // Replaces the history with points [{t (ms), rssMB, heapMB, externalMB}], oldest first.
  setHistory(points) {
    this.t = [];
    this.rss = [];
    this.heap = [];
    this.ext = [];
    for (const p of points) this.push(p, false);
    this.redraw();
  }

  // Appends one point; ignores points not newer than the last one (REST and WS overlap).
  append(point) {
    this.push(point, true);
  }

  push(p, draw) {
    const t = p.t / 1000;
    if (!Number.isFinite(t) || !Number.isFinite(p.rssMB)) return;
    const last = this.t.length ? this.t[this.t.length - 1] : -Infinity;
    if (t <= last) return;
    this.t.push(t);
    this.rss.push(p.rssMB);
    this.heap.push(Number.isFinite(p.heapMB) ? p.heapMB : null);
    this.ext.push(Number.isFinite(p.externalMB) ? p.externalMB : null);
    if (this.t.length > kMaxPoints) for (const a of [this.t, this.rss, this.heap, this.ext]) a.shift();
    if (draw) this.redraw();
  }

  get pointCount() {
    return this.t.length;
  }

  visibleData() {
    let start = 0;
    if (this.windowSec > 0 && this.t.length) {
      const from = this.t[this.t.length - 1] - this.windowSec;
      while (start < this.t.length && this.t[start] < from) start++;
    }
    return [this.t.slice(start), this.rss.slice(start), this.heap.slice(start), this.ext.slice(start)];
  }

  redraw() {
    this.container.dataset.points = String(this.t.length);
    this.container.dataset.latestRss = this.rss.length ? this.rss[this.rss.length - 1].toFixed(3) : "";
    this.view = this.visibleData();
    if (typeof uPlot !== "function") return;  // the deferred script has not run yet
    if (!this.plot) this.build();
    else this.plot.setData(this.view);
    this.renderLegend();
  }

  rebuild() {
    if (this.plot) this.plot.destroy();
    this.plot = null;
    this.redraw();
  }

  size() {
    const w = Math.max(200, this.container.clientWidth);
    return { width: w, height: this.container.clientHeight || 300 };
  }

  resize() {
    if (this.plot) this.plot.setSize(this.size());
  }

  build() {
    const grid = { stroke: cssVar("--border"), width: 1 };
    const axis = { stroke: cssVar("--muted"), grid, ticks: { stroke: cssVar("--border"), width: 1 }, font: "11px system-ui, sans-serif" };
    const opts = {
      ...this.size(),
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { size: 7 } },
      // A live window is at least a minute wide, so the first few samples do not get sub-second
      // ticks; "All" (and a recorded session) spans its data, at least 10 s.
      scales: {
        x: { time: true, range: (u, min, max) => [Math.min(min, max - (this.windowSec === 0 ? 10 : 60)), max] },
        y: { range: (u, min, max) => [0, Math.max(1, max * 1.12)] },
      },
      axes: [
        { ...axis, values: timeLabels },
        { ...axis, size: 62, values: (u, splits) => splits.map(axisLabel) },
      ],
      series: [
        {},
        { label: "RSS", stroke: cssVar("--rss"), width: 2, fill: "transparent", points: { show: false } },
        { label: "Heap used", stroke: cssVar("--heap"), width: 2, points: { show: false } },
        { label: "External", stroke: cssVar("--external"), width: 1.5, dash: [5, 4], points: { show: false } },
      ],
      bands: [{ series: [1, 2], fill: cssVar("--divergence") }],
      hooks: {
        setCursor: [
          (u) => {
            this.hoverIdx = u.cursor.idx ?? null;
            this.renderLegend();
          },
        ],
      },
    };
    render(this.container);
    this.plot = new uPlot(opts, this.view, this.container);
  }

  renderLegend() {
    const [t, rss, heap, ext] = this.view;
    const i = this.hoverIdx ?? t.length - 1;
    const val = (a) => (i >= 0 && a[i] != null ? mb(a[i]) : "–");
    const div = i >= 0 && rss[i] != null && heap[i] != null ? mb(rss[i] - heap[i]) : "–";
    const item = (color, label, value, band) =>
      h("span", { class: "legend-item" },
        h("span", { class: band ? "swatch band" : "swatch", style: { background: color } }),
        label, h("span", { class: "value" }, value));
    render(this.legend,
      item(cssVar("--rss"), "RSS", val(rss)),
      item(cssVar("--heap"), "Heap used", val(heap)),
      item(cssVar("--external"), "External", val(ext)),
      item(cssVar("--divergence"), "Divergence", div, true),
      h("span", { class: "legend-time" }, i >= 0 ? clock(t[i] * 1000) : "waiting for samples"));
  }
}
