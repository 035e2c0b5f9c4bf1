// The session picker: a select in the header with "Live" and the sessions recorded in the
// session store (GET sessions, newest first), and the banner shown while a recorded session is
// on screen ("Viewing recorded session N … Back to live"). It only tracks the choice; app.js
// loads and draws the chosen session. On `memlens serve STORE` there is no live process: the
// select has no "Live" entry and the banner no way back.

import { getJSON, listOf } from "./api.js";
import { h, render } from "./dom.js";
import { duration } from "./format.js";

const kLive = "live";

function when(ts) {
  if (!Number.isFinite(ts) || ts <= 0) return "–";
  return new Date(ts).toLocaleString([], { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

// "server --port 80": the program's name without its directory.
function shortCommand(cmd) {
  return (cmd || "").replace(/^\S*\//, "") || "(unknown command)";
}

export function sessionLabel(s) {
  const state = s.live ? " · recording" : s.endedAt ? "" : " · unfinished";
  return `#${s.id} · ${shortCommand(s.command)} · ${when(s.startedAt)}${state}`;
}

export class SessionPicker {
  constructor({ wrap, select, banner, onPick }) {
    this.wrap = wrap;
    this.select = select;
    this.banner = banner;
    this.onPick = onPick;
    this.sessions = [];
    this.live = true;
    this.available = false;  // the server has a session store
    this.current = null;     // the recorded session on screen, null for live
    select.addEventListener("change", () => {
      const v = select.value;
      this.onPick(v === kLive ? null : Number(v));
    });
  }

  // Fetches the list; false when the server has no session store (the picker stays hidden).
  async load() {
    let data;
    try {
      data = await getJSON("sessions");
    } catch (err) {
      if (err.status !== 404) console.warn(`memlens: sessions: ${err.message}`);
      this.available = false;
      this.wrap.hidden = true;
      return false;
    }
    this.available = true;
    this.live = data?.live !== false;
    this.sessions = listOf(data, "sessions");
    this.draw();
    return true;
  }

  find(id) {
    return this.sessions.find((s) => s.id === id);
  }

  newest() {
    return this.sessions[0] ?? null;
  }

  draw() {
    this.wrap.hidden = false;
    const options = [];
    if (this.live) options.push(h("option", { value: kLive }, "Live"));
    if (!this.sessions.length) options.push(h("option", { value: "", disabled: true }, "no recorded sessions"));
    for (const s of this.sessions) options.push(h("option", { value: String(s.id) }, sessionLabel(s)));
    render(this.select, options);
    this.select.value = this.current === null ? (this.live ? kLive : "") : String(this.current);
    this.select.dataset.count = String(this.sessions.length);
  }

  // A store with no sessions (memlens serve of an empty store): say so where the banner goes.
  showNone() {
    render(this.banner, h("strong", null, "No recorded sessions"), h("span", { class: "muted" }, " · this store holds none yet; record one with memlens run --storage DIR"));
    this.banner.hidden = false;
  }

  // Shows which view is on screen: a recorded session (id) or live (null).
  show(id) {
    this.current = id;
    this.select.value = id === null ? kLive : String(id);
    document.body.dataset.view = id === null ? "live" : "recorded";
    if (id === null) {
      this.banner.hidden = true;
      render(this.banner);
      return;
    }
    const s = this.find(id) ?? { id };
    const parts = [shortCommand(s.command)];
    if (s.pid) parts.push(`pid ${s.pid}`);
    parts.push(`started ${when(s.startedAt)}`);
    if (Number.isFinite(s.durationMs)) parts.push(`${duration(s.durationMs)}${s.endedAt ? "" : " so far"}`);
    if (Number.isFinite(s.snapshots)) parts.push(`${s.snapshots} snapshots`);
    render(this.banner,
      h("span", { class: "session-banner-icon", "aria-hidden": "true" }),
      h("span", { class: "session-banner-text" },
        h("strong", null, `Viewing recorded session ${id}`),
        h("span", { class: "muted" }, ` · ${parts.join(" · ")}`)),
      this.live
        ? h("button", { type: "button", class: "btn", id: "btn-back-live", onclick: () => this.onPick(null) }, "Back to live")
        : h("span", { class: "muted small" }, "no live process: memlens serve"));
    this.banner.dataset.session = String(id);
    this.banner.hidden = false;
  }
}
