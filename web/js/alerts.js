// Alerts: a toast for each alert not seen before, the alert history (newest first) with
// dismiss buttons, and the header badge counting active undismissed alerts.

import { postJSON } from "./api.js";
import { empty, h, render } from "./dom.js";
import { ago, clock } from "./format.js";

const kToastMs = 8000;

// The server's severity is "warning"/"critical" (or the report scale); toasts use two levels.
export function alertLevel(a) {
  if (a.level === "critical" || a.level === "warning") return a.level;
  return a.severity === "critical" || a.severity === "high" ? "critical" : "warning";
}

const alertKey = (a) => a.id || `${a.type}@${a.timestamp ?? ""}`;

export function toast(container, { title, body, severity = "info", ms = kToastMs }) {
  const el = h("div", { class: "toast", dataset: { severity }, role: "status" },
    h("div", { class: "toast-bar" }),
    h("div", null, h("div", { class: "toast-title" }, title), body ? h("div", { class: "toast-body" }, body) : null),
    h("button", { type: "button", class: "toast-close", "aria-label": "Close", onclick: () => el.remove() }, "×"));
  container.prepend(el);
  while (container.children.length > 4) container.lastChild.remove();
  setTimeout(() => el.remove(), ms);
  return el;
}

export class AlertCenter {
  constructor({ list, badge, toasts, dismissAll, onError }) {
    this.list = list;
    this.badge = badge;
    this.toasts = toasts;
    this.onError = onError;
    this.alerts = new Map();
    this.seen = new Set();
    this.primed = false;  // the first load fills history without toasting old alerts
    this.readOnly = false;  // a recorded session's alerts: no toasts, no dismissing
    this.dismissAllButton = dismissAll;
    dismissAll.addEventListener("click", () => this.dismissAll());
  }

  // Merges alerts from GET alerts (full history) or a WS "alerts" event (new ones).
  merge(alerts, { fromHistory = false } = {}) {
    for (const a of alerts) {
      const key = alertKey(a);
      const known = this.alerts.get(key);
      this.alerts.set(key, { ...known, ...a, dismissed: a.dismissed ?? known?.dismissed ?? false });
      if (!this.seen.has(key)) {
        this.seen.add(key);
        const fresh = !fromHistory || (this.primed && a.active !== false);
        if (fresh && !a.dismissed && !this.readOnly) {
          toast(this.toasts, { title: a.message || `${a.type} alert`, body: this.detail(a), severity: alertLevel(a) });
        }
      }
    }
    if (fromHistory) this.primed = true;
    this.draw();
  }

  detail(a) {
    const parts = [];
    if (Number.isFinite(a.value)) parts.push(`value ${Number(a.value).toFixed(2)}`);
    if (Number.isFinite(a.threshold)) parts.push(`threshold ${Number(a.threshold).toFixed(2)}`);
    return [a.type, ...parts].filter(Boolean).join(" · ");
  }

  active() {
    return [...this.alerts.values()].filter((a) => !a.dismissed && a.active !== false);
  }

  draw() {
    const all = [...this.alerts.values()].sort((a, b) => (b.timestamp ?? 0) - (a.timestamp ?? 0));
    const active = this.active().length;
    this.badge.hidden = active === 0;
    this.badge.textContent = String(active);
    if (!all.length) {
      render(this.list, empty("No alerts", "Alerts are raised when a threshold below is crossed."));
      return;
    }
    render(this.list, h("div", { class: "alert-list" }, all.slice(0, 50).map((a) =>
      h("div", { class: `alert-row${a.dismissed ? " dismissed" : ""}`, dataset: { id: a.id || "" } },
        h("span", { class: "chip", dataset: { severity: alertLevel(a) === "critical" ? "critical" : "warning" } }, alertLevel(a)),
        h("div", null,
          h("div", { class: "alert-msg" }, a.message || a.type),
          h("div", { class: "alert-time" }, `${clock(a.timestamp)} · ${ago(a.timestamp)} · ${this.detail(a)}${a.active === false ? " · cleared" : ""}`)),
        a.dismissed || !a.id || this.readOnly ? h("span") : h("button", { type: "button", class: "link", onclick: () => this.dismiss(a) }, "Dismiss")))));
  }

  async dismiss(a) {
    try {
      await postJSON(`alerts/${encodeURIComponent(a.id)}/dismiss`);
      a.dismissed = true;
      this.draw();
    } catch (err) {
      this.onError(err);
    }
  }

  async dismissAll() {
    for (const a of this.active()) if (a.id) await this.dismiss(a);
  }

  // Recorded alerts are history: shown, never toasted or dismissed.
  setReadOnly(on) {
    this.readOnly = on;
    this.dismissAllButton.hidden = on;
    this.draw();
  }

  clear() {
    this.alerts.clear();
    this.draw();
  }
}
