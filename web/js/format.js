// Number formatting shared by the panels: sizes, rates, durations, percentages, times.

const MB = 1048576;

export function num(x, digits = 1) {
  return Number.isFinite(x) ? x.toFixed(digits) : "–";
}

// Megabytes (a float) as "12.3 MB" / "1.20 GB" / "850 KB".
export function mb(x) {
  if (!Number.isFinite(x)) return "–";
  const a = Math.abs(x);
  if (a >= 1024) return `${(x / 1024).toFixed(2)} GB`;
  if (a >= 10) return `${x.toFixed(1)} MB`;
  if (a >= 1) return `${x.toFixed(2)} MB`;
  return `${Math.round(x * 1024)} KB`;
}

export function bytes(n) {
  if (!Number.isFinite(n)) return "–";
  if (Math.abs(n) < 1024) return `${Math.round(n)} B`;
  return mb(n / MB);
}

// A rate in MB/s as "1.4 MB/s" or "340 KB/s" (the seed shows KB/s below 1 MB/s).
export function rateMB(x) {
  if (!Number.isFinite(x)) return "–";
  const a = Math.abs(x);
  const sign = x > 0 ? "+" : x < 0 ? "−" : "";
  if (a >= 1) return `${sign}${a.toFixed(2)} MB/s`;
  const kb = a * 1024;
  if (kb >= 10) return `${sign}${kb.toFixed(0)} KB/s`;
  if (kb >= 0.1) return `${sign}${kb.toFixed(1)} KB/s`;
  return `${sign}${(kb * 1024).toFixed(0)} B/s`;
}

export function pct(x) {
  return Number.isFinite(x) ? `${Math.round(x * 100)}%` : "–";
}

// Milliseconds as "850 ms", "42 s", "3 m 10 s", "2 h 5 m", "3 d 4 h".
export function duration(ms) {
  if (!Number.isFinite(ms)) return "–";
  const s = ms / 1000;
  if (s < 1) return `${Math.round(ms)} ms`;
  if (s < 60) return `${Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} m ${Math.round(s % 60)} s`;
  const hr = Math.floor(m / 60);
  if (hr < 48) return `${hr} h ${m % 60} m`;
  return `${Math.floor(hr / 24)} d ${hr % 24} h`;
}

export function clock(ts) {
  if (!Number.isFinite(ts) || ts <= 0) return "–";
  return new Date(ts).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

export function ago(ts) {
  if (!Number.isFinite(ts) || ts <= 0) return "";
  return `${duration(Math.max(0, Date.now() - ts))} ago`;
}

export function toMB(bytesValue) {
  return Number.isFinite(bytesValue) ? bytesValue / MB : NaN;
}
