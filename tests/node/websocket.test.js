// The plain WebSocket stream at /api/memory-analysis/ws: realtime-update messages with the
// seed's payload, and the token rule on the upgrade (?token= or Bearer).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const WebSocket = require("ws");
const { startServer, waitFor } = require("./server_harness");

test("plain WebSocket receives realtime-update", async (t) => {
  const srv = await startServer(["--update-ms", "200"]);
  t.after(srv.stop);
  const ws = new WebSocket(`${srv.ws}/api/memory-analysis/ws`);
  t.after(() => ws.terminate());
  const seqs = [];
  const update = await waitFor(
    (cb) => ws.on("message", (raw) => cb(JSON.parse(raw.toString()))),
    (msg) => {
      if (msg.event !== "realtime-update") return null;
      seqs.push(msg.data.seq);
      return seqs.length >= 3 ? msg.data : null;
    },
  );
  for (const key of ["rssMB", "heapMB", "externalMB", "externalRatio"])
    assert.equal(typeof update.memory[key], "number", key);
  assert.ok(update.memory.rssMB > 0);
  for (const key of ["trend", "divergence", "divergenceTrend"]) assert.ok(key in update.trends, key);
  assert.equal(typeof update.leaks, "number");
  assert.equal(typeof update.patterns, "number");
  assert.equal(typeof update.timestamp, "number");
  assert.ok(seqs[2] > seqs[0], "updates keep coming with rising seq");
});

test("WebSocket upgrade needs the token when one is set", async (t) => {
  const srv = await startServer(["--token", "tok-123"]);
  t.after(srv.stop);
  const status = await new Promise((resolve) => {
    const ws = new WebSocket(`${srv.ws}/api/memory-analysis/ws`);
    ws.on("unexpected-response", (req, res) => resolve(res.statusCode));
    ws.on("open", () => resolve(101));
    ws.on("error", () => {});
  });
  assert.equal(status, 401);
  const wrong = await new Promise((resolve) => {
    const ws = new WebSocket(`${srv.ws}/api/memory-analysis/ws?token=nope`);
    ws.on("unexpected-response", (req, res) => resolve(res.statusCode));
    ws.on("open", () => resolve(101));
    ws.on("error", () => {});
  });
  assert.equal(wrong, 401);
  for (const opts of [{ url: `${srv.ws}/api/memory-analysis/ws?token=tok-123` },
                      { url: `${srv.ws}/api/memory-analysis/ws`, headers: { Authorization: "Bearer tok-123" } }]) {
    const ws = new WebSocket(opts.url, { headers: opts.headers });
    const first = await waitFor((cb) => ws.on("message", (raw) => cb(JSON.parse(raw.toString()))),
                                (msg) => msg.event === "realtime-update" && msg);
    assert.equal(first.event, "realtime-update");
    ws.terminate();
  }
});
