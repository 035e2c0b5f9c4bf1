// Flame graph of live memory by stack (icicle layout: the outermost frame on top, allocation
// points at the bottom). Built from GET sites: each site's live bytes are added along its
// symbolized stack. Plain DOM boxes positioned in percent, so it needs no resize handling.
// Click a frame to zoom into it; click the root bar to zoom out.

import { empty, h, render } from "./dom.js";
import { bytes } from "./format.js";

const kRowPx = 22;
const kMaxDepth = 40;
const kMinFraction = 0.004;  // narrower frames are merged away; they would be unreadable

// A frame as the server sends it: an object {function, file, line, module} or a string.
function frameInfo(f) {
  if (typeof f === "string") return { name: f, module: "", where: "" };
  const name = f.function && f.function !== "??" ? f.function : `${f.module || "?"}@${f.address ?? "?"}`;
  const where = f.file ? `${f.file}${f.line ? `:${f.line}` : ""}` : "";
  return { name, module: f.module || "", where };
}

// Leaf-first frames of a site from whichever shape it has.
function siteFrames(site) {
  if (Array.isArray(site.frames)) return site.frames;
  if (Array.isArray(site.stack)) return site.stack;
  if (typeof site.stackTrace === "string") return site.stackTrace.split("\n").filter(Boolean);
  return [];
}

function siteBytes(site) {
  return site.liveBytes ?? site.live_bytes ?? site.size ?? 0;
}

export function buildTree(sites) {
  const root = { name: "all live memory", module: "", where: "", value: 0, children: new Map(), depth: 0 };
  for (const site of sites) {
    const value = siteBytes(site);
    if (!(value > 0)) continue;
    root.value += value;
    const frames = siteFrames(site).slice().reverse();  // outermost first
    let node = root;
    for (const f of frames.slice(-kMaxDepth)) {
      const info = frameInfo(f);
      const key = `${info.name}\u0000${info.module}`;
      let child = node.children.get(key);
      if (!child) {
        child = { ...info, value: 0, children: new Map(), parent: node, depth: node.depth + 1 };
        node.children.set(key, child);
      }
      child.value += value;
      node = child;
    }
  }
  return root;
}

function hue(text) {
  let x = 0;
  for (let i = 0; i < text.length; i++) x = (x * 31 + text.charCodeAt(i)) >>> 0;
  return x;
}

function colour(node) {
  const x = hue(node.module || node.name);
  // Warm flame colours; frames in the same module share a colour.
  return `hsl(${16 + (x % 36)}, ${72 + (x % 18)}%, ${58 + ((x >> 5) % 12)}%)`;
}

export class FlameGraph {
  constructor(el, hintEl) {
    this.el = el;
    this.hintEl = hintEl;
    this.tree = null;
    this.zoomPath = [];  // keys from the root to the zoomed node, kept across refreshes
    this.tip = h("div", { class: "flame-tip", hidden: true });
    document.body.append(this.tip);
  }

  // sites: [] with agent data, or null when the target runs without the agent.
  update(sites, agent) {
    if (!agent) {
      this.hintEl.textContent = "";
      render(this.el, empty("No allocation stacks", "The target runs without the memlens agent. Start it with `memlens run -- CMD` to see live memory by call stack."));
      return;
    }
    this.tree = buildTree(sites || []);
    if (!this.tree.value) {
      render(this.el, empty("No live allocations recorded yet"));
      return;
    }
    this.hintEl.textContent = "click a frame to zoom · outermost frame on top";
    this.draw();
  }

  zoomNode() {
    let node = this.tree;
    for (const key of this.zoomPath) {
      const next = node.children.get(key);
      if (!next) break;
      node = next;
    }
    return node;
  }

  draw() {
    const focus = this.zoomNode();
    const boxes = [];
    let maxDepth = 0;
    const place = (node, left, depth) => {
      const frac = node.value / focus.value;
      if (frac < kMinFraction) return;
      maxDepth = Math.max(maxDepth, depth);
      boxes.push(this.box(node, left, frac, depth, focus));
      let x = left;
      const children = [...node.children.values()].sort((a, b) => b.value - a.value);
      for (const c of children) {
        place(c, x, depth + 1);
        x += c.value / focus.value;
      }
    };
    place(focus, 0, 0);
    const crumbs = [];
    for (let n = focus; n; n = n.parent) crumbs.unshift(n);
    const bar = h("div", { class: "flame-bar" },
      h("span", null, `${bytes(focus.value)} live`),
      crumbs.length > 1 ? h("button", { type: "button", class: "link", onclick: () => { this.zoomPath = []; this.draw(); } }, "reset zoom") : null,
      crumbs.length > 1 ? h("span", { class: "mono" }, `zoomed: ${focus.name}`) : null);
    const graph = h("div", { class: "flame", style: { height: `${(maxDepth + 1) * kRowPx}px` } }, boxes);
    render(this.el, bar, graph);
  }

  box(node, left, frac, depth, focus) {
    const el = h("div", {
      class: "flame-node",
      style: {
        left: `${left * 100}%`,
        width: `calc(${frac * 100}% - 1px)`,
        top: `${depth * kRowPx}px`,
        padding: frac > 0.03 ? "" : "0",  // a padded sliver would be wider than its share
        background: node.depth === 0 ? "var(--card-2)" : colour(node),
        color: node.depth === 0 ? "var(--text)" : "",
      },
    }, frac > 0.03 ? node.name : "");
    el.addEventListener("click", () => {
      if (node === focus && node.parent) {
        this.zoomPath.pop();
      } else {
        const path = [];
        for (let n = node; n.parent; n = n.parent) path.unshift(`${n.name}\u0000${n.module}`);
        this.zoomPath = path;
      }
      this.tip.hidden = true;
      this.draw();
    });
    el.addEventListener("mousemove", (e) => this.showTip(e, node));
    el.addEventListener("mouseleave", () => (this.tip.hidden = true));
    return el;
  }

  showTip(e, node) {
    const share = this.tree.value ? ((node.value / this.tree.value) * 100).toFixed(1) : "0";
    render(this.tip,
      h("span", { class: "mono" }, node.name),
      node.where || node.module ? h("span", { class: "muted" }, [node.where, node.module].filter(Boolean).join(" · ")) : null,
      h("div", null, h("b", null, bytes(node.value)), ` · ${share}% of live memory`));
    this.tip.hidden = false;
    const x = Math.min(e.clientX + 14, window.innerWidth - this.tip.offsetWidth - 8);
    this.tip.style.left = `${x}px`;
    this.tip.style.top = `${e.clientY + 14}px`;
  }
}
