// The official socket.io-client against memlens's Socket.IO v5 / Engine.IO v4 endpoint:
// namespace /memory-analysis, realtime-update and alerts events, and the token check at the
// namespace connect (CONNECT_ERROR on a wrong token).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { io } = require("socket.io-client");
const { startServer, waitFor } = require("./server_harness");

function connect(url, opts = {}) {
  return io(`${url}/memory-analysis`, { transports: ["websocket"], reconnection: false, ...opts });
}

test("socket.io-client receives realtime-update and alerts", async (t) => {
  const srv = await startServer(["--update-ms", "200"]);
  t.after(srv.stop);
  const socket = connect(srv.base);
  t.after(() => socket.close());
  await waitFor((cb) => socket.on("connect", () => cb(true)), (x) => x);
  assert.ok(socket.id, "namespace connect returned a sid");
  const update = await waitFor((cb) => socket.on("realtime-update", cb), (d) => d);
  assert.equal(typeof update.memory.rssMB, "number");
  assert.ok("trends" in update && "leaks" in update && "patterns" in update);

  // A threshold below our RSS makes the analyzer raise an rssMB alert.
  const alerts = waitFor((cb) => socket.on("alerts", cb), (d) => d);
  const res = await fetch(`${srv.base}/api/memory-analysis/thresholds`, {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ rssMB: 1 }),
  });
  assert.equal(res.status, 200);
  const payload = await alerts;
  assert.ok(Array.isArray(payload.alerts) && payload.alerts.length > 0);
  const alert = payload.alerts[0];
  for (const key of ["type", "severity", "message", "value", "threshold"]) assert.ok(key in alert, key);
  assert.equal(alert.type, "rssMB");
});

test("socket.io namespace connect checks the token", async (t) => {
  const srv = await startServer(["--token", "sio-tok"]);
  t.after(srv.stop);
  const bad = connect(srv.base, { auth: { token: "wrong" } });
  const err = await waitFor((cb) => bad.on("connect_error", cb), (e) => e);
  assert.match(String(err.message), /unauthorized/);
  bad.close();
  const good = connect(srv.base, { auth: { token: "sio-tok" } });
  t.after(() => good.close());
  const update = await waitFor((cb) => good.on("realtime-update", cb), (d) => d);
  assert.equal(typeof update.memory.rssMB, "number");
});
