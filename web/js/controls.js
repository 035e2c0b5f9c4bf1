// The header controls: force snapshot, force GC (shows the bytes released), export (JSON report,
// collapsed stacks, pprof) and reset behind a confirmation dialog. While a recorded session is on
// screen the live actions are off and Export downloads that session (GET sessions/{id}/export).

import { download, postJSON } from "./api.js";
import { h, render } from "./dom.js";
import { bytes, mb } from "./format.js";

export class Controls {
  constructor({ resultEl, notify, onReset, onSnapshot }) {
    this.resultEl = resultEl;
    this.notify = notify;
    this.onReset = onReset;
    this.onSnapshot = onSnapshot;
    this.sessionId = null;
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
        btn.disabled = btn.classList.contains("off");
      }
    });
  }

  // id: the recorded session on screen (null: live). live: false when there is no live process.
  setRecorded(id, { live = true } = {}) {
    this.sessionId = id;
    const off = id !== null || !live;
    for (const bid of ["btn-snapshot", "btn-gc", "btn-reset"]) {
      const b = document.getElementById(bid);
      b.disabled = off;
      b.classList.toggle("off", off);
    }
    // Nothing to export: no live process and no recorded session on screen.
    const exportOff = id === null && !live;
    const exportBtn = document.getElementById("btn-export");
    exportBtn.disabled = exportOff;
    exportBtn.classList.toggle("off", exportOff);
    for (const item of document.querySelectorAll("#export-menu button[data-format]")) item.hidden = id !== null && item.dataset.format !== "json";
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
        const id = this.sessionId;
        const { name, size } = id !== null
          ? await download(`sessions/${id}/export`, `memlens-session-${id}.json`)
          : await download(`export?format=${format}`, `memlens-${stamp}.${ext[format]}`);
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
