// 200 WebSocket clients on loopback: does every client receive every realtime-update, how far
// apart do the clients receive the same update (delivery spread), and how much does the
// server's RSS grow with them connected. Bounded: N clients for S seconds.
//   node ws_load.js WS_URL SERVER_PID [clients=200] [seconds=20]
"use strict";
const fs = require("node:fs");
const WebSocket = require("../../tests/node/node_modules/ws");

const [url, pid, nClients = 200, seconds = 20] = process.argv.slice(2);
if (!url || !pid) {
  console.error("usage: node ws_load.js WS_URL SERVER_PID [clients] [seconds]");
  process.exit(2);
}
const rssKB = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))[1]);

const recv = new Map(); // seq -> [receive times]
const perClient = [];
const rssBefore = rssKB();
let opened = 0;
let allOpenAt = Infinity; // updates first seen after this reached (or should have) everyone

const clients = [];
for (let i = 0; i < Number(nClients); i++) {
  const seen = new Set();
  perClient.push(seen);
  const ws = new WebSocket(url);
  ws.on("open", () => {
    if (++opened === Number(nClients)) allOpenAt = performance.now();
  });
  ws.on("message", (raw) => {
    const t = performance.now();
    const msg = JSON.parse(raw);
    if (msg.event !== "realtime-update") return;
    seen.add(msg.data.seq);
    if (!recv.has(msg.data.seq)) recv.set(msg.data.seq, []);
    recv.get(msg.data.seq).push(t);
  });
  ws.on("error", (e) => console.error("client error", e.message));
  clients.push(ws);
}

let rssPeak = rssBefore;
const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssKB())), 250);

setTimeout(() => {
  clearInterval(sampler);
  const rssWith = rssKB();
  // Updates broadcast after every client was connected, except the last (may be in flight).
  const seqs = [...recv.keys()]
    .filter((s) => Math.min(...recv.get(s)) > allOpenAt)
    .sort((a, b) => a - b)
    .slice(0, -1);
  let complete = 0;
  const spreads = [];
  for (const s of seqs) {
    const times = recv.get(s);
    if (times.length === Number(nClients)) complete++;
    spreads.push(Math.max(...times) - Math.min(...times));
  }
  spreads.sort((a, b) => a - b);
  const missing = perClient.reduce((n, seen) => n + seqs.filter((s) => !seen.has(s)).length, 0);
  for (const ws of clients) ws.terminate();
  console.log(JSON.stringify({
    clients: Number(nClients), opened, updatesMeasured: seqs.length, updatesReachingAll: complete,
    missingDeliveries: missing,
    spreadP50ms: +(spreads[Math.floor(spreads.length / 2)] ?? 0).toFixed(2),
    spreadMaxms: +(spreads[spreads.length - 1] ?? 0).toFixed(2),
    serverRssBeforeMB: +(rssBefore / 1024).toFixed(1), serverRssWithClientsMB: +(rssWith / 1024).toFixed(1),
    serverRssPeakMB: +(rssPeak / 1024).toFixed(1), rssGrowthMB: +((rssPeak - rssBefore) / 1024).toFixed(1),
  }));
  setTimeout(() => process.exit(0), 200);
}, Number(seconds) * 1000);
