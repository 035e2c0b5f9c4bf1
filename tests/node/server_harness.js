// Starts the server under test for the node tests: the memlens_serve_fixture binary (a real
// analyzer watching itself, served by the real Server) on a free loopback port chosen here.
// MEMLENS_SERVE_FIXTURE names the binary (CTest sets it); extra args pass through.
"use strict";
const { spawn } = require("node:child_process");
const net = require("node:net");
const path = require("node:path");

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function startServer(extraArgs = []) {
  const bin =
    process.env.MEMLENS_SERVE_FIXTURE ||
    path.join(__dirname, "../../build/tests/unit/server/memlens_serve_fixture");
  const port = await freePort();
  const child = spawn(bin, ["--port", String(port), ...extraArgs], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("server did not start within 60 s")), 60000);
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (out.includes("READY")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited early with ${code}`));
    });
  });
  return {
    port,
    base: `http://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", resolve);
        child.kill("SIGTERM");
      }),
  };
}

// Resolves with the first value `pick(msg)` returns truthy for, among messages from `subscribe`.
function waitFor(subscribe, pick, timeoutMs = 60000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching message in ${timeoutMs} ms`)), timeoutMs);
    subscribe((msg) => {
      const hit = pick(msg);
      if (hit) {
        clearTimeout(timer);
        resolve(hit);
      }
    });
  });
}

module.exports = { startServer, freePort, waitFor };
