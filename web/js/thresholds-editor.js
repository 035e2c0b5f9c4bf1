// Threshold editor: GET thresholds fills the form; Save PUTs the changed values back. Unknown
// keys the server sends are shown too, so a new threshold needs no dashboard change.

import { getJSON, putJSON } from "./api.js";
import { h, render } from "./dom.js";

const known = {
  rssMB: ["RSS", "MB"],
  externalMemoryMB: ["External memory", "MB"],
  externalRatio: ["External / heap ratio", "×"],
  leakCount: ["Leak count", "leaks"],
  growthRateMBPerSec: ["Growth rate", "MB/s"],
};

export class ThresholdsEditor {
  constructor(form, stateEl, { onSaved, onError }) {
    this.form = form;
    this.stateEl = stateEl;
    this.onSaved = onSaved;
    this.onError = onError;
    this.values = null;
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.save();
    });
  }

  async load() {
    try {
      const data = await getJSON("thresholds");
      this.values = data?.thresholds ?? data ?? {};
      this.draw();
    } catch (err) {
      this.stateEl.textContent = "unavailable";
      render(this.form, h("div", { class: "muted small" }, `Thresholds could not be read: ${err.message}`));
    }
  }

  // No live process to hold thresholds (memlens serve): say so instead of a form.
  disable(reason) {
    this.values = null;
    this.stateEl.textContent = "unavailable";
    render(this.form, h("div", { class: "muted small" }, reason));
  }

  draw() {
    const keys = [...Object.keys(known).filter((k) => k in this.values),
                  ...Object.keys(this.values).filter((k) => !(k in known) && typeof this.values[k] === "number")];
    render(this.form,
      keys.map((k) => {
        const [label, unit] = known[k] || [k, ""];
        return h("label", null, `${label}${unit ? ` (${unit})` : ""}`,
          h("input", { type: "number", name: k, step: k === "leakCount" ? "1" : "any", min: "0", value: this.values[k], required: true }));
      }),
      h("div", { class: "form-actions" },
        h("button", { type: "submit", class: "btn btn-primary", id: "thresholds-save" }, "Save thresholds"),
        h("button", { type: "button", class: "btn", onclick: () => this.draw() }, "Revert")));
    this.stateEl.textContent = "changes apply at once";
  }

  async save() {
    const body = {};
    for (const input of this.form.querySelectorAll("input[name]")) body[input.name] = Number(input.value);
    try {
      const saved = await putJSON("thresholds", body);
      this.values = saved?.thresholds ?? (saved && typeof saved === "object" && Object.keys(saved).length ? saved : body);
      this.draw();
      this.stateEl.textContent = "saved";
      this.onSaved?.();
    } catch (err) {
      this.onError(err);
    }
  }
}
