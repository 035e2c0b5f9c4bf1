// The official socket.io-client against memlens's Socket.IO v5 / Engine.IO v4 endpoint, over
// WebSocket and over HTTP long-polling (the client's default): namespace /memory-analysis,
// realtime-update and alerts events, the token check at the namespace connect (CONNECT_ERROR on a
// wrong token), and the polling transport's wire and error codes.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { io } = require("socket.io-client");
const WebSocket = require("ws");
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

test("socket.io-client with its default transports (HTTP long-polling) receives updates", async (t) => {
  const srv = await startServer(["--update-ms", "200"]);
  t.after(srv.stop);
  const socket = io(`${srv.base}/memory-analysis`, { reconnection: false });
  t.after(() => socket.close());
  await waitFor((cb) => socket.on("connect", () => cb(true)), (x) => x);
  assert.equal(socket.io.engine.transport.name, "polling");
  const first = await waitFor((cb) => socket.on("realtime-update", cb), (d) => d);
  assert.equal(typeof first.memory.rssMB, "number");
  // More than one: each long-poll returns and the next one is answered too.
  const second = await waitFor((cb) => socket.on("realtime-update", cb), (d) => d !== first && d);
  assert.equal(typeof second.memory.rssMB, "number");
});

test("socket.io polling checks the token at the namespace connect", async (t) => {
  const srv = await startServer(["--token", "poll-tok", "--update-ms", "200"]);
  t.after(srv.stop);
  const opts = { transports: ["polling"], reconnection: false };
  const bad = io(`${srv.base}/memory-analysis`, { ...opts, auth: { token: "wrong" } });
  const err = await waitFor((cb) => bad.on("connect_error", cb), (e) => e);
  assert.match(String(err.message), /unauthorized/);
  bad.close();
  const good = io(`${srv.base}/memory-analysis`, { ...opts, auth: { token: "poll-tok" } });
  t.after(() => good.close());
  const update = await waitFor((cb) => good.on("realtime-update", cb), (d) => d);
  assert.equal(typeof update.memory.rssMB, "number");
});

test("engine.io polling answers protocol errors with its error codes", async (t) => {
  const srv = await startServer();
  t.after(srv.stop);
  const get = async (query) => {
    const res = await fetch(`${srv.base}/socket.io/?${query}`);
    return { status: res.status, body: await res.text() };
  };
  let r = await get("EIO=3&transport=polling");
  assert.equal(r.status, 400);
  assert.equal(JSON.parse(r.body).code, 5);
  r = await get("EIO=4&transport=carrier-pigeon");
  assert.equal(r.status, 400);
  assert.equal(JSON.parse(r.body).code, 0);
  r = await get("EIO=4&transport=polling&sid=nosuchsession");
  assert.equal(r.status, 400);
  assert.equal(JSON.parse(r.body).code, 1);
  // A handshake, then a POST of two packets (a ping probe and the namespace connect) and a GET
  // that returns both answers, separated by the record separator.
  r = await get("EIO=4&transport=polling");
  assert.equal(r.status, 200);
  assert.equal(r.body[0], "0");
  const open = JSON.parse(r.body.slice(1));
  assert.ok(open.sid && open.pingInterval > 0);
  assert.deepEqual(open.upgrades, []);
  const post = await fetch(`${srv.base}/socket.io/?EIO=4&transport=polling&sid=${open.sid}`, {
    method: "POST",
    body: "2probe\x1e40/memory-analysis,",
  });
  assert.equal(post.status, 200);
  r = await get(`EIO=4&transport=polling&sid=${open.sid}`);
  const packets = r.body.split("\x1e");
  assert.equal(packets[0], "3probe");
  assert.match(packets[1], /^40\/memory-analysis,\{"sid":/);
  // The client closes; the session is gone.
  await fetch(`${srv.base}/socket.io/?EIO=4&transport=polling&sid=${open.sid}`, {
    method: "POST",
    body: "1",
  });
  r = await get(`EIO=4&transport=polling&sid=${open.sid}`);
  assert.equal(r.status, 400);
  assert.equal(JSON.parse(r.body).code, 1);
});

test("engine.io polling sessions are capped by the connection limit", async (t) => {
  const srv = await startServer(["--max-connections", "8"]);
  t.after(srv.stop);
  const statuses = [];
  for (let i = 0; i < 10; i++) {
    const res = await fetch(`${srv.base}/socket.io/?EIO=4&transport=polling`);
    statuses.push(res.status);
    await res.text();
  }
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 200, 200, 503, 503]);
});

test("engine.io heartbeat: pings every interval, a pong keeps the session, a missed one ends it", async (t) => {
  const srv = await startServer(["--ping-interval-ms", "300", "--ping-timeout-ms", "1000"]);
  t.after(srv.stop);
  const url = (q) => `${srv.base}/socket.io/?EIO=4&transport=polling${q}`;
  const open = JSON.parse((await (await fetch(url(""))).text()).slice(1));
  assert.equal(open.pingInterval, 300);
  assert.equal(open.pingTimeout, 1000);
  const sid = `&sid=${open.sid}`;
  const pings = async () => (await (await fetch(url(sid))).text()).split("\x1e");
  // Polling: the GET brings the ping; answered, the session outlives several rounds, and the
  // next ping comes pingInterval after the pong (well before pingInterval + pingTimeout, where
  // the client would give up).
  let pongAt = 0;
  for (let round = 0; round < 3; round++) {
    const got = await pings();
    assert.ok(got.length > 0 && got.every((p) => p === "2"), `round ${round}: ${got}`);
    if (round > 0) assert.ok(Date.now() - pongAt < 900, `ping ${Date.now() - pongAt} ms after the pong`);
    const pong = await fetch(url(sid), { method: "POST", body: "3" });
    assert.equal(pong.status, 200);
    await pong.text();
    pongAt = Date.now();
  }
  // Not answered: gone after the timeout.
  assert.ok((await pings()).every((p) => p === "2"));
  await new Promise((r) => setTimeout(r, 1600));
  const gone = await fetch(url(sid));
  assert.equal(gone.status, 400);
  assert.equal(JSON.parse(await gone.text()).code, 1);

  // WebSocket: the server pings; a client that never answers is disconnected.
  const ws = new WebSocket(`${srv.base.replace("http", "ws")}/socket.io/?EIO=4&transport=websocket`);
  const frames = [];
  ws.on("message", (m) => frames.push(String(m)));
  const closed = await waitFor((cb) => ws.on("close", () => cb(true)), (x) => x, 10000);
  assert.ok(closed);
  assert.equal(frames[0][0], "0");
  assert.ok(frames.includes("2"), "a ping came before the close");

  // The official client answers the pings: still connected after several rounds.
  const socket = io(`${srv.base}/memory-analysis`, { reconnection: false });
  t.after(() => socket.close());
  await waitFor((cb) => socket.on("connect", () => cb(true)), (x) => x);
  await new Promise((r) => setTimeout(r, 2500));
  assert.ok(socket.connected, "still connected after 8 ping intervals");
});
