// Tiny DOM builder: h("div", {class: "x", onclick: fn}, "text", child) and clear(node).
// Text is always set as text (never innerHTML), so names from the target cannot inject markup.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "style" && typeof value === "object") Object.assign(el.style, value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

// Replaces a container's children in one step.
export function render(el, ...children) {
  clear(el);
  append(el, children);
}

export function empty(text, hint) {
  return h("div", { class: "empty" }, h("strong", null, text), hint ? h("div", null, hint) : null);
}
