// REST latency at a fixed request rate (wrk has no rate limit; this is wrk2's idea in node):
// requests are scheduled every 1/rate s on keep-alive connections and each latency is measured
// from its scheduled time, so a stall shows up in the tail instead of hiding
// (no coordinated omission).
//   node rest_paced.js URL [rate=1000] [seconds=20] [connections=32]
"use strict";
const http = require("node:http");

const [url, rate = 1000, seconds = 20, connections = 32] = process.argv.slice(2);
if (!url) {
  console.error("usage: node rest_paced.js URL [rate] [seconds] [connections]");
  process.exit(2);
}
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(connections) });
const total = Number(rate) * Number(seconds);
const interval = 1000 / Number(rate);
const latencies = [];
let errors = 0, done = 0, sent = 0;
const start = performance.now();

function fire(scheduled) {
  http
    .get(url, { agent }, (res) => {
      res.resume();
      res.on("end", () => {
        if (res.statusCode !== 200) errors++;
        latencies.push(performance.now() - scheduled);
        finish();
      });
    })
    .on("error", () => {
      errors++;
      finish();
    });
}

function finish() {
  if (++done < total) return;
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  const elapsed = (performance.now() - start) / 1000;
  console.log(JSON.stringify({
    url, requests: total, errors, seconds: +elapsed.toFixed(2),
    achievedRate: +(total / elapsed).toFixed(1),
    p50ms: +pct(50).toFixed(3), p90ms: +pct(90).toFixed(3), p99ms: +pct(99).toFixed(3),
    p999ms: +pct(99.9).toFixed(3), maxms: +latencies[latencies.length - 1].toFixed(3),
  }));
  agent.destroy();
}

// Catch up in batches: timers fire late under load, the schedule does not drift.
function tick() {
  const now = performance.now();
  while (sent < total && start + sent * interval <= now) {
    fire(start + sent * interval);
    sent++;
  }
  if (sent < total) setTimeout(tick, 1);
}
tick();
