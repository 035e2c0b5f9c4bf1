// Runs the memlens binary for the browser tests: to completion (recording a store), or in the
// background in its own process group (a server), stopped with SIGTERM then SIGKILL. Also a free
// loopback port and a poll-until helper; every wait has a generous limit (the machine is shared).

"use strict";
const { spawn } = require("node:child_process");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const net = require("node:net");

function memlensBin() {
  const bin = process.env.MEMLENS_BIN;
  assert.ok(bin && fs.existsSync(bin), `MEMLENS_BIN must name the memlens binary (got ${bin})`);
  return bin;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor(what, limitMs, probe) {
  const deadline = Date.now() + limitMs;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${limitMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ""}`);
}

// Runs memlens with args to the end; resolves {code, out}. Rejects after limitMs.
function runMemlens(args, { cwd, limitMs = 240_000 } = {}) {
  return new Promise((resolve, reject) => {
    const proc = spawn(memlensBin(), args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    proc.stdout.on("data", (c) => (out += c));
    proc.stderr.on("data", (c) => (out += c));
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`memlens ${args.join(" ")} did not finish in ${limitMs} ms:\n${out.slice(-3000)}`));
    }, limitMs);
    proc.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

// A memlens that serves until stopped (serve, or run/demo with --serve).
class MemlensServer {
  constructor(args, { cwd } = {}) {
    this.args = args;
    this.cwd = cwd;
    this.log = [];
  }

  // Starts it and waits until GET readyPath answers (any status, or a 2xx with `ok`); returns
  // the base URL.
  async start(port, readyPath, { ok = false } = {}) {
    this.proc = spawn(memlensBin(), this.args, { cwd: this.cwd, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const keep = (chunk) => {
      this.log.push(String(chunk));
      if (this.log.length > 200) this.log.shift();
    };
    this.proc.stdout.on("data", keep);
    this.proc.stderr.on("data", keep);
    this.exited = new Promise((resolve) => this.proc.on("exit", (code, sig) => resolve({ code, sig })));
    this.url = `http://127.0.0.1:${port}`;
    try {
      await waitFor(`memlens to answer GET ${readyPath}`, 60_000, async () => {
        if (this.proc.exitCode !== null) throw new Error("memlens exited early");
        const res = await fetch(`${this.url}${readyPath}`);
        return ok ? res.ok : res.status > 0;
      });
    } catch (err) {
      err.message += `\n--- memlens output ---\n${this.log.join("").slice(-4000)}`;
      throw err;
    }
    return this.url;
  }

  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return;
    try {
      process.kill(-this.proc.pid, "SIGTERM");  // its own process group: memlens and any child
    } catch {}
    const done = await Promise.race([this.exited, new Promise((r) => setTimeout(() => r(null), 8000))]);
    if (!done) {
      try {
        process.kill(-this.proc.pid, "SIGKILL");
      } catch {}
    }
  }
}

module.exports = { freePort, waitFor, runMemlens, MemlensServer };
