// Server: serves one ProcessMemoryAnalyzer over HTTP(S): the REST API under
// /api/memory-analysis, /health/memory, /metrics, the embedded dashboard, a WebSocket stream at
// /api/memory-analysis/ws and Socket.IO v5 (Engine.IO v4) on /socket.io/. With a
// monitor::SessionArchive it also serves the recorded sessions (/api/memory-analysis/sessions);
// start_archive() serves only those, for a store with no live process (`memlens serve STORE`).
//
// Ownership: the Server owns its io_context thread, a small worker pool for the analyzer's
// slower calls, the listening socket and every session. The analyzer and the archive must
// outlive the Server.
// Thread-safety: start() and stop() may be called from any thread; stop() is idempotent and
// joins every thread (the destructor calls it).
//
//   memlens::server::ServerOptions opts;
//   opts.port = 0;  // any free port
//   auto srv = memlens::server::Server::start(*analyzer, opts);
//   if (!srv) die(srv.error().message);
//   std::puts((*srv)->url().c_str());
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "base/result.h"
#include "memlens/analyzer.h"
#include "monitor/session_archive.h"

namespace memlens::server {

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 10000;          // 0: any free port (see Server::port())
  std::string token;              // required for any non-loopback address
  std::string tls_cert, tls_key;  // PEM files; both set: HTTPS/WSS only
  size_t max_connections = 256;
  size_t max_body_bytes = 1 << 20;
  std::chrono::seconds read_timeout{15};
  size_t max_queued_messages = 64;  // per WebSocket client; beyond it the client is dropped
  // SO_SNDBUF of stream (WebSocket/Socket.IO) sockets: bounds the kernel memory a stuck client
  // holds and makes it reach the queue limit soon instead of after megabytes of buffering.
  int stream_send_buffer_bytes = 64 * 1024;
  int64_t update_interval_ms = 2000;  // realtime-update period
  // Engine.IO heartbeat of Socket.IO sessions (both transports): a ping every interval; no pong
  // within the timeout ends the session.
  int socketio_ping_interval_ms = 25000;
  int socketio_ping_timeout_ms = 20000;
  // /health/memory: unhealthy above this external/heap ratio (DESIGN: critical > 2.5).
  double health_critical_ratio = 2.5;
  size_t worker_threads = 2;  // pool running the analyzer's blocking calls
};

class ServerState;

class Server {
 public:
  // Binds, listens and starts serving. Fails with a one-line message on a bad address, a
  // non-loopback address without a token, unreadable TLS files or a port in use.
  // `archive` (optional) adds the recorded-session routes.
  static base::Result<std::unique_ptr<Server>> start(ProcessMemoryAnalyzer& analyzer,
                                                     ServerOptions options,
                                                     monitor::SessionArchive* archive = nullptr);
  // No live process: the dashboard and the session routes; every live route answers 503,
  // /health/memory 503 "no-process", /metrics memlens_up 0. Same failures as start().
  static base::Result<std::unique_ptr<Server>> start_archive(monitor::SessionArchive& archive,
                                                             ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  uint16_t port() const;    // the bound port (useful with port 0)
  std::string url() const;  // "http://127.0.0.1:10000/memory-analysis/"
  // Stops accepting, closes every connection and joins the threads. Idempotent.
  void stop();

  // Counters for tests and /metrics.
  struct Stats {
    uint64_t connections_accepted = 0, connections_rejected = 0;
    uint64_t ws_clients = 0, slow_clients_dropped = 0;
    uint64_t requests = 0;
  };
  Stats stats() const;

 private:
  Server() = default;
  static base::Result<std::unique_ptr<Server>> start_with(ProcessMemoryAnalyzer* analyzer,
                                                          monitor::SessionArchive* archive,
                                                          ServerOptions options);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace memlens::server
