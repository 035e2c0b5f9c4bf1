// The header controls: force snapshot, force GC (shows the bytes released), export (JSON report,
// collapsed stacks, pprof) and reset behind a confirmation dialog.

import { download, postJSON } from "./api.js";
import { h, render } from "./dom.js";
import { bytes, mb } from "./format.js";

export class Controls {
  constructor({ resultEl, notify, onReset, onSnapshot }) {
    this.resultEl = resultEl;
    this.notify = notify;
    this.onReset = onReset;
    this.onSnapshot = onSnapshot;
    this.bind("btn-snapshot", () => this.snapshot());
    this.bind("btn-gc", () => this.forceGc());
    this.bind("btn-reset", () => this.confirmReset());
    this.exportMenu();
  }

  bind(id, fn) {
    const btn = document.getElementById(id);
    btn.addEventListener("click", async () => {
      btn.disabled = true;
      try {
        await fn();
      } finally {
        btn.disabled = false;
      }
    });
  }

  show(...parts) {
    render(this.resultEl, ...parts);
  }

  fail(what, err) {
    this.show(h("strong", null, `${what} failed: `), err.message);
    this.notify({ title: `${what} failed`, body: err.message, severity: "critical" });
  }

  async snapshot() {
    try {
      const s = await postJSON("force-snapshot");
      const snap = s?.snapshot ?? s ?? {};
      const rss = Number.isFinite(snap.rssMB) ? mb(snap.rssMB) : bytes(snap.rss);
      this.show(h("strong", null, "Snapshot taken"), ` · RSS ${rss}`, Number.isFinite(snap.heapUsed) ? ` · heap ${bytes(snap.heapUsed)}` : "");
      this.onSnapshot?.(snap);
    } catch (err) {
      this.fail("Snapshot", err);
    }
  }

  async forceGc() {
    try {
      const r = await postJSON("force-gc");
      let text;
      if (r?.performed) {
        const released = bytes(Math.max(0, r.bytesReleased ?? (r.rssBefore ?? 0) - (r.rssAfter ?? 0)));
        text = `released ${released} (RSS ${bytes(r.rssBefore)} → ${bytes(r.rssAfter)})`;
      } else {
        text = r?.message || "not performed";
      }
      this.show(h("strong", { id: "gc-result" }, "Force GC"), ` · ${text}`);
      this.notify({ title: "Force GC", body: text, severity: r?.performed ? "ok" : "warning" });
    } catch (err) {
      this.fail("Force GC", err);
    }
  }

  exportMenu() {
    const btn = document.getElementById("btn-export");
    const menu = document.getElementById("export-menu");
    const setOpen = (open) => {
      menu.hidden = !open;
      btn.setAttribute("aria-expanded", String(open));
    };
    btn.addEventListener("click", (e) => {
      e.stopPropagation();
      setOpen(menu.hidden);
    });
    document.addEventListener("click", () => setOpen(false));
    document.addEventListener("keydown", (e) => e.key === "Escape" && setOpen(false));
    const ext = { json: "json", collapsed: "txt", pprof: "pb.gz" };
    menu.addEventListener("click", async (e) => {
      const item = e.target.closest("button[data-format]");
      if (!item) return;
      setOpen(false);
      const format = item.dataset.format;
      try {
        const stamp = new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
        const { name, size } = await download(`export?format=${format}`, `memlens-${stamp}.${ext[format]}`);
        this.show(h("strong", null, "Exported"), ` · ${name} (${bytes(size)})`);
      } catch (err) {
        this.fail("Export", err);
      }
    });
  }

  confirmReset() {
    const dialog = document.getElementById("confirm-reset");
    dialog.returnValue = "";
    dialog.showModal();
    dialog.addEventListener("close", async () => {
      if (dialog.returnValue !== "reset") return;
      try {
        await postJSON("reset");
        this.show(h("strong", null, "Reset"), " · collected data cleared");
        this.onReset?.();
      } catch (err) {
        this.fail("Reset", err);
      }
    }, { once: true });
  }
}
