// A stand-in for the memlens server, for working on the dashboard without the C++ build:
// serves web/ (and uPlot from web/node_modules) under /memory-analysis/, canned REST answers
// shaped like DESIGN.md's report, and a WebSocket stream of realtime-update / alerts events
// driven by a synthetic leak (+~200 KB/s).
//
//   node tests/browser/fixture-server.js [port]     then open http://127.0.0.1:port/memory-analysis/

"use strict";
const http = require("node:http");
const fs = require("node:fs");
const path = require("node:path");
const { WebSocketServer } = require(path.join(__dirname, "../node/node_modules/ws"));

const root = path.resolve(__dirname, "../../web");
const uplot = path.join(root, "node_modules/uplot/dist");
const MB = 1048576;
const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml" };

const started = Date.now();
let snapshots = [];
let alerts = [];
let thresholds = { externalMemoryMB: 50, externalRatio: 2.0, rssMB: 150, leakCount: 3, growthRateMBPerSec: 1.0 };

function sample(t) {
  const s = (t - started + 600e3) / 1000;
  const heapUsed = (22 + 0.2 * s + 1.5 * Math.sin(s / 7)) * MB;
  const rss = heapUsed + (18 + 0.05 * s + Math.random()) * MB;
  return { timestamp: t, rss: Math.round(rss), heapTotal: Math.round(heapUsed * 1.15), heapUsed: Math.round(heapUsed), external: Math.round(rss - heapUsed), externalRatio: (rss - heapUsed) / heapUsed, heapSource: "agent",
    descriptors: { total: 14 + Math.floor(s / 10), byKind: { file: 5, tcp: 3 + Math.floor(s / 10), unix: 2, pipe: 2, anon_inode: 2 } } };
}
for (let t = started - 600e3; t <= started; t += 2000) snapshots.push(sample(t));

const frames = (...names) => names.map(([f, file, line, module]) => ({ function: f, file, line, module }));
const leakStack = frames(["Cache::insert(std::string const&, Blob)", "src/cache.cpp", 212, "libapp.so"], ["Handler::on_request(Request&)", "src/handler.cpp", 88, "libapp.so"], ["Server::dispatch()", "src/server.cpp", 140, "memlens-demo"], ["main", "src/main.cpp", 31, "memlens-demo"]);
function sites() {
  const s = (Date.now() - started) / 1000;
  return [
    { siteId: 1, bufferType: "malloc", liveBytes: Math.round((12 + 0.2 * s) * MB), liveCount: 4000 + Math.round(s * 60), frames: leakStack },
    { siteId: 2, bufferType: "new", liveBytes: 6 * MB, liveCount: 900, frames: frames(["std::vector<Row>::reserve", "/usr/include/c++/12/bits/vector.tcc", 72, "libapp.so"], ["Db::load_table", "src/db.cpp", 55, "libapp.so"], ["Server::start()", "src/server.cpp", 60, "memlens-demo"], ["main", "src/main.cpp", 25, "memlens-demo"]) },
    { siteId: 3, bufferType: "malloc", liveBytes: 3.5 * MB, liveCount: 120, frames: frames(["CRYPTO_zalloc", "", 0, "libcrypto.so.3"], ["SSL_CTX_new", "", 0, "libssl.so.3"], ["Tls::context", "src/tls.cpp", 19, "libapp.so"], ["Server::start()", "src/server.cpp", 61, "memlens-demo"], ["main", "src/main.cpp", 25, "memlens-demo"]) },
    { siteId: 4, bufferType: "mmap", liveBytes: 2 * MB, liveCount: 2, frames: frames(["deflateInit2_", "", 0, "libz.so.1"], ["Gzip::open", "src/gzip.cpp", 12, "libapp.so"], ["Handler::on_request(Request&)", "src/handler.cpp", 97, "libapp.so"], ["Server::dispatch()", "src/server.cpp", 140, "memlens-demo"], ["main", "src/main.cpp", 31, "memlens-demo"]) },
  ];
}

function report() {
  const last = snapshots[snapshots.length - 1];
  const s = (Date.now() - started) / 1000;
  const leakMB = 12 + 0.2 * s;
  return {
    summary: { totalSnapshots: snapshots.length, pid: 4242, command: "memlens-demo --leak 200KB/s", startedAt: started - 600e3, durationMs: Date.now() - started + 600e3, agent: true, timeToLimitMs: 5.4e6, limitKind: "cgroup memory.max" },
    rssVsHeap: { currentRSSMB: last.rss / MB, currentHeapMB: last.heapUsed / MB, currentExternalMB: last.external / MB, externalRatio: last.externalRatio, trend: "increasing", divergence: (last.rss - last.heapUsed) / MB, divergenceTrend: "stable" },
    growthPatterns: [
      { metric: "rss", type: "linear", severity: "medium", growthRate: 0.25, totalGrowth: 75, confidence: 0.97, recommendation: "RSS grows steadily; see the leaks panel for the sites responsible." },
      { metric: "heapUsed", type: "leak", severity: "high", growthRate: 0.2, totalGrowth: 60, confidence: 0.94, recommendation: "Live heap grows without frees: an unbounded cache or a missing free." },
      { metric: "fd.tcp", type: "linear", severity: "low", growthRate: 0.1, totalGrowth: 6, confidence: 0.81, recommendation: "TCP descriptors grow: check connection reuse." },
      { metric: "external", type: "stable", severity: "low", growthRate: 0.0, totalGrowth: 0.3, confidence: 0.9, recommendation: "" },
    ],
    leaks: [
      { id: "site-1", source: "Cache::insert(std::string const&, Blob) (src/cache.cpp:212)", type: "buffer_leak", severity: "high", estimatedSize: Math.round(leakMB * MB), sizeMB: leakMB, growthRate: 0.2 * MB, growthRateMBPerSec: 0.2, evidence: ["live bytes grew 60 MB in 5 m (R² 0.99)", "4,812 allocations older than 5 m never freed", "87% of heap growth"], recommendation: "Bound the cache (LRU or TTL) or free entries on eviction.", stackTrace: leakStack.map((f) => `${f.function} (${f.file}:${f.line}) [${f.module}]`).join("\n"), firstDetected: started - 240e3 },
      { id: "fd-tcp", source: "TCP 127.0.0.1:5432", type: "connection_pool", severity: "medium", estimatedSize: 18, growthRate: 0.1, growthRateMBPerSec: 0, evidence: ["tcp descriptors 3 → 21 in 5 m"], recommendation: "Return connections to the pool; cap the pool size.", stackTrace: "", firstDetected: started - 120e3 },
    ],
    nativeModules: [
      { moduleName: "libapp.so", moduleType: "other", estimatedMemory: 18 + 0.2 * s, memoryRange: { min: 12, max: 80 }, confidence: 0.95, evidence: ["live heap allocated from libapp.so"], allocations: 180432, deallocations: 171002 },
      { moduleName: "libcrypto.so.3", moduleType: "crypto", estimatedMemory: 7.8, memoryRange: { min: 7, max: 8 }, confidence: 0.9, evidence: [], allocations: 5120, deallocations: 5000 },
      { moduleName: "libsqlite3.so.0", moduleType: "database", estimatedMemory: 5.1, memoryRange: { min: 5, max: 5.5 }, confidence: 0.88, evidence: [], allocations: 2048, deallocations: 2000 },
      { moduleName: "libz.so.1", moduleType: "compression", estimatedMemory: 2.3, memoryRange: { min: 2, max: 3 }, confidence: 0.8, evidence: [], allocations: 300, deallocations: 298 },
      { moduleName: "libcurl.so.4", moduleType: "network", estimatedMemory: 1.6, memoryRange: { min: 1, max: 2 }, confidence: 0.7, evidence: [], allocations: 90, deallocations: 88 },
      { moduleName: "libc.so.6", moduleType: "other", estimatedMemory: 1.9, memoryRange: { min: 1.9, max: 1.9 }, confidence: 1, evidence: [], allocations: 0, deallocations: 0 },
    ],
    bufferLeaks: [
      { bufferType: "malloc", size: Math.round(leakMB * MB), age: 410e3, stackTrace: "Cache::insert\nHandler::on_request\nmain", isLeak: true, leakConfidence: 0.94, source: "Cache::insert (src/cache.cpp:212)" },
      { bufferType: "new", size: 6 * MB, age: 600e3, stackTrace: "", isLeak: false, leakConfidence: 0.12, source: "Db::load_table (src/db.cpp:55)" },
      { bufferType: "mmap", size: 2 * MB, age: 30e3, stackTrace: "", isLeak: false, leakConfidence: 0.05, source: "Gzip::open (src/gzip.cpp:12)" },
    ],
  };
}

function status() {
  const last = snapshots[snapshots.length - 1];
  return { status: "running", pid: 4242, command: "memlens-demo --leak 200KB/s", agent: true, uptime: Date.now() - started,
    currentMemory: { rssMB: last.rss / MB, heapMB: last.heapUsed / MB, externalMB: last.external / MB, externalRatio: last.externalRatio, heapTotalMB: last.heapTotal / MB },
    descriptors: last.descriptors, descriptorGroups: [{ kind: "tcp", target: "TCP 127.0.0.1:5432", count: last.descriptors.byKind.tcp }, { kind: "file", target: "file /var/log/app.log", count: 2 }],
    leaks: 2, snapshots: snapshots.length };
}

function send(res, code, body, type = "application/json") {
  res.writeHead(code, { "Content-Type": type });
  res.end(typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body));
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://x");
  const p = url.pathname;
  if (p === "/" || p === "/memory-analysis") {
    res.writeHead(302, { Location: "/memory-analysis/" });
    return res.end();
  }
  if (p.startsWith("/memory-analysis/")) {
    let rel = p.slice("/memory-analysis/".length) || "index.html";
    const file = rel.startsWith("uPlot.") ? path.join(uplot, rel) : path.join(root, rel);
    if (!file.startsWith(root) || !fs.existsSync(file)) return send(res, 404, { error: "not found" });
    return send(res, 200, fs.readFileSync(file), types[path.extname(file)] || "application/octet-stream");
  }
  if (p === "/health/memory") {
    const last = snapshots[snapshots.length - 1];
    const ok = last.external / MB < thresholds.externalMemoryMB && last.externalRatio < thresholds.externalRatio;
    return send(res, ok ? 200 : 503, { status: ok ? "healthy" : "unhealthy" });
  }
  const api = "/api/memory-analysis/";
  if (!p.startsWith(api)) return send(res, 404, { error: "not found" });
  const route = p.slice(api.length);
  if (process.env.FIXTURE_EMPTY) {
    // A fresh session of a target without the agent: nothing measured yet.
    if (route === "status") return send(res, 200, { running: true, pid: 4242, command: "./server --port 8080", agentConnected: false, currentMemory: null, latest: null });
    if (route === "analysis") return send(res, 200, { summary: { totalSnapshots: 0, agent: false, timeToLimitMs: null }, rssVsHeap: {}, growthPatterns: [], leaks: [], nativeModules: [], bufferLeaks: [] });
    if (route === "sites") return send(res, 200, { sites: [], agent: false });
    if (route === "snapshots") return send(res, 200, { snapshots: [] });
  }
  // One recorded session beside the live one (the session picker): the same canned data.
  if (req.method === "GET" && route === "sessions") {
    return send(res, 200, { live: true, recording: 2, count: 2, sessions: [
      { id: 2, pid: 4242, command: "memlens-demo --leak 200KB/s", startedAt: started - 600e3, endedAt: null, durationMs: Date.now() - started + 600e3, intervalMs: 2000, agent: true, snapshots: snapshots.length, leaks: 2, alerts: 0, live: true },
      { id: 1, pid: 4100, command: "memlens-demo --leak 200KB/s", startedAt: started - 86400e3, endedAt: started - 86000e3, durationMs: 400e3, intervalMs: 2000, agent: true, snapshots: 200, leaks: 2, alerts: 1, live: false },
    ] });
  }
  const recorded = /^sessions\/(\d+)\/(report|snapshots|sites|alerts|export)$/.exec(route);
  if (req.method === "GET" && recorded) {
    const part = recorded[2];
    if (part === "report") return send(res, 200, report());
    if (part === "snapshots") return send(res, 200, { snapshots, count: snapshots.length });
    if (part === "sites") return send(res, 200, { sites: sites(), agent: true });
    if (part === "alerts") return send(res, 200, { alerts });
    res.writeHead(200, { "Content-Type": "application/json", "Content-Disposition": `attachment; filename="memlens-session-${recorded[1]}.json"` });
    return res.end(JSON.stringify({ report: report(), snapshots }, null, 2));
  }
  if (req.method === "GET" && route === "status") return send(res, 200, status());
  if (req.method === "GET" && route === "analysis") return send(res, 200, report());
  if (req.method === "GET" && route === "leaks") return send(res, 200, report().leaks);
  if (req.method === "GET" && route === "native-modules") return send(res, 200, report().nativeModules);
  if (req.method === "GET" && route === "sites") return send(res, 200, { sites: sites() });
  if (req.method === "GET" && route === "alerts") return send(res, 200, { alerts });
  if (req.method === "GET" && route === "thresholds") return send(res, 200, thresholds);
  if (req.method === "GET" && route === "snapshots") {
    const since = Number(url.searchParams.get("since") || 0);
    const limit = Number(url.searchParams.get("limit") || 200);
    return send(res, 200, { snapshots: snapshots.filter((s) => s.timestamp > since).slice(-limit) });
  }
  if (req.method === "GET" && route === "export") {
    res.writeHead(200, { "Content-Type": "application/json", "Content-Disposition": 'attachment; filename="memlens-report.json"' });
    return res.end(JSON.stringify(report(), null, 2));
  }
  if (req.method === "POST" && route === "force-gc") {
    const before = snapshots[snapshots.length - 1].rss;
    return send(res, 200, { performed: true, rssBefore: before, rssAfter: before - 3.2 * MB, bytesReleased: 3.2 * MB, message: "malloc_trim(0) released 3.2 MB" });
  }
  if (req.method === "POST" && route === "force-snapshot") {
    const s = sample(Date.now());
    snapshots.push(s);
    return send(res, 200, s);
  }
  if (req.method === "POST" && route === "reset") {
    snapshots = [sample(Date.now())];
    alerts = [];
    return send(res, 200, { reset: true });
  }
  const dismiss = /^alerts\/([^/]+)\/dismiss$/.exec(route);
  if (req.method === "POST" && dismiss) {
    const a = alerts.find((x) => x.id === decodeURIComponent(dismiss[1]));
    if (!a) return send(res, 404, { error: "no such alert" });
    a.dismissed = true;
    return send(res, 200, a);
  }
  if (req.method === "PUT" && route === "thresholds") {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      try {
        thresholds = { ...thresholds, ...JSON.parse(body) };
        send(res, 200, thresholds);
      } catch (e) {
        send(res, 400, { error: e.message });
      }
    });
    return undefined;
  }
  return send(res, 404, { error: `no route ${req.method} ${p}` });
});

const wss = new WebSocketServer({ server, path: "/api/memory-analysis/ws" });
let alertSeq = 0;
setInterval(() => {
  const s = sample(Date.now());
  snapshots.push(s);
  if (snapshots.length > 5000) snapshots.shift();
  const msg = { event: "realtime-update", data: { timestamp: s.timestamp, memory: { rssMB: s.rss / MB, heapMB: s.heapUsed / MB, externalMB: s.external / MB, externalRatio: s.externalRatio }, trends: { trend: "increasing", divergence: s.external / MB, divergenceTrend: "stable" }, leaks: 2, patterns: 3 } };
  for (const c of wss.clients) c.send(JSON.stringify(msg));
  if (s.rss / MB > thresholds.rssMB && !alerts.some((a) => a.type === "rssMB" && a.active)) {
    const a = { id: `a${++alertSeq}`, type: "rssMB", severity: "warning", message: `RSS ${(s.rss / MB).toFixed(1)} MB above ${thresholds.rssMB} MB`, value: s.rss / MB, threshold: thresholds.rssMB, timestamp: Date.now(), active: true, dismissed: false };
    alerts.push(a);
    for (const c of wss.clients) c.send(JSON.stringify({ event: "alerts", data: { alerts: [a] } }));
  }
}, 1000);
alerts.push({ id: "a0", type: "externalRatio", severity: "critical", message: "External/heap ratio 2.7 above 2.0", value: 2.7, threshold: 2.0, timestamp: started - 300e3, active: false, dismissed: false });

const port = Number(process.argv[2] || 10100);
server.listen(port, "127.0.0.1", () => console.log(`fixture: http://127.0.0.1:${port}/memory-analysis/`));
