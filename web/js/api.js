// REST access to the memlens API: base path from <meta name="memlens-api">, and the page's
// ?token= sent as a Bearer token (and as ?token= on the WebSocket, which cannot send headers).

const params = new URLSearchParams(location.search);
export const token = params.get("token") || "";
export const apiBase =
  (document.querySelector('meta[name="memlens-api"]')?.content || "/api/memory-analysis").replace(/\/$/, "");

function headers(extra) {
  const h = { Accept: "application/json", ...extra };
  if (token) h.Authorization = `Bearer ${token}`;
  return h;
}

async function request(method, path, body) {
  const init = { method, headers: headers(body !== undefined ? { "Content-Type": "application/json" } : {}) };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(path.startsWith("/") ? path : `${apiBase}/${path}`, init);
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { message: text };
  }
  if (!res.ok) {
    const err = new Error(data?.error || data?.message || `${method} ${path}: HTTP ${res.status}`);
    err.status = res.status;
    err.data = data;
    throw err;
  }
  return data;
}

export const getJSON = (path) => request("GET", path);
export const postJSON = (path, body) => request("POST", path, body);
export const putJSON = (path, body) => request("PUT", path, body);

// Downloads a file from the API through fetch (so the token header goes along) and hands it to
// the browser as a download.
export async function download(path, fallbackName) {
  const res = await fetch(`${apiBase}/${path}`, { headers: headers({ Accept: "*/*" }) });
  if (!res.ok) throw new Error(`export failed: HTTP ${res.status}`);
  const blob = await res.blob();
  const disposition = res.headers.get("Content-Disposition") || "";
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  const name = match ? decodeURIComponent(match[1]) : fallbackName;
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return { name, size: blob.size };
}

export function websocketUrl() {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  const q = token ? `?token=${encodeURIComponent(token)}` : "";
  return `${proto}//${location.host}${apiBase}/ws${q}`;
}

// Returns the first array found at obj (if an array) or obj[key] for the given keys.
export function listOf(obj, ...keys) {
  if (Array.isArray(obj)) return obj;
  for (const k of keys) if (Array.isArray(obj?.[k])) return obj[k];
  return [];
}
