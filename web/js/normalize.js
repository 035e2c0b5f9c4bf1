// Turns server payloads into the small shapes the panels draw. Accepts byte fields (rss,
// heapUsed, ...) or the seed's MB fields (rssMB, heapMB, ...), so the page keeps working
// whichever of the two a route sends.

const MB = 1048576;
const fin = Number.isFinite;

function firstFinite(...xs) {
  for (const x of xs) if (fin(x)) return x;
  return undefined;
}

// {rssMB, heapMB, externalMB, externalRatio, heapTotalMB} from status.currentMemory, a
// realtime-update's memory, or a snapshot.
export function memoryOf(m) {
  if (!m || typeof m !== "object") return {};
  return {
    rssMB: firstFinite(m.rssMB, fin(m.rss) ? m.rss / MB : undefined),
    heapMB: firstFinite(m.heapMB, m.heapUsedMB, fin(m.heapUsed) ? m.heapUsed / MB : undefined),
    externalMB: firstFinite(m.externalMB, fin(m.external) ? m.external / MB : undefined),
    externalRatio: firstFinite(m.externalRatio),
    heapTotalMB: firstFinite(m.heapTotalMB, fin(m.heapTotal) ? m.heapTotal / MB : undefined),
    heapSource: m.heapSource,
  };
}

// A chart point from a snapshot or a realtime update.
export function pointOf(s, fallbackTime) {
  const m = memoryOf(s.memory ?? s);
  return { t: firstFinite(s.timestamp, s.t, fallbackTime), rssMB: m.rssMB, heapMB: m.heapMB, externalMB: m.externalMB };
}

const kinds = ["file", "tcp", "udp", "unix", "socket", "pipe", "anon_inode", "other"];

// {total, byKind} from {total, byKind:{...}} or {total, file: n, tcp: n, ...}.
export function descriptorsOf(d) {
  if (!d || typeof d !== "object") return null;
  const byKind = {};
  const src = d.byKind && typeof d.byKind === "object" ? d.byKind : d;
  for (const k of kinds) if (fin(src[k])) byKind[k] = src[k];
  const sum = Object.values(byKind).reduce((a, b) => a + b, 0);
  const total = firstFinite(d.total, d.count, sum || undefined);
  return fin(total) ? { total, byKind } : null;
}

export function groupsOf(g) {
  return Array.isArray(g) ? g.filter((x) => x && x.target) : [];
}

// The target line in the header.
export function targetText(status, report) {
  const s = report?.summary ?? {};
  const cmd = status?.command ?? s.command ?? "";
  const pid = status?.pid ?? s.pid;
  const agent = status?.agentConnected ?? status?.agent ?? s.agent;
  const parts = [];
  // The program's name without its directory: "/opt/app/bin/server --port 80" → "server --port 80".
  if (cmd) parts.push(cmd.replace(/^\S*\//, ""));
  if (pid) parts.push(`pid ${pid}`);
  if (agent !== undefined) parts.push(agent ? "agent on" : "no agent (/proc only)");
  return parts.join(" · ") || "memlens";
}
