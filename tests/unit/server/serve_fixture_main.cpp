// memlens_serve_fixture: a real analyzer watching this process, served by a real Server, for
// the node (WebSocket / socket.io-client) tests and the load benchmark. Optionally grows its
// own heap so the stream has something to say.
//
//   memlens_serve_fixture --port 18123 [--token T] [--update-ms 200] [--max-queued 64]
//                         [--ping-interval-ms 25000] [--ping-timeout-ms 20000]
//                         [--grow-kb-per-tick 0] [--tls-cert C --tls-key K]
// Prints "READY <url>" once listening; exits on SIGTERM/SIGINT.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "memlens/analyzer.h"
#include "server/server.h"

namespace {
std::atomic<bool> g_stop{false};
void on_signal(int) {
  g_stop = true;
}
}  // namespace

int main(int argc, char** argv) {
  memlens::server::ServerOptions opts;
  opts.update_interval_ms = 200;
  long grow_kb = 0;
  int sampling_ms = 100;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--port")
      opts.port = static_cast<uint16_t>(std::stoi(v));
    else if (k == "--address")
      opts.address = v;
    else if (k == "--token")
      opts.token = v;
    else if (k == "--update-ms")
      opts.update_interval_ms = std::stoll(v);
    else if (k == "--max-queued")
      opts.max_queued_messages = std::stoul(v);
    else if (k == "--max-connections")
      opts.max_connections = std::stoul(v);
    else if (k == "--ping-interval-ms")
      opts.socketio_ping_interval_ms = std::stoi(v);
    else if (k == "--ping-timeout-ms")
      opts.socketio_ping_timeout_ms = std::stoi(v);
    else if (k == "--grow-kb-per-tick")
      grow_kb = std::stol(v);
    else if (k == "--sampling-ms")
      sampling_ms = std::stoi(v);
    else if (k == "--tls-cert")
      opts.tls_cert = v;
    else if (k == "--tls-key")
      opts.tls_key = v;
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  memlens::Config config;
  config.sampling_interval_ms = sampling_ms;
  config.full_pass_interval_ms = 1000;
  config.update_interval_ms = opts.update_interval_ms;
  memlens::Target target = memlens::Target::self();
  target.use_agent = false;
  auto analyzer = memlens::ProcessMemoryAnalyzer::create(config, target);
  if (!analyzer) {
    std::fprintf(stderr, "analyzer: %s\n", analyzer.error().message.c_str());
    return 3;
  }
  if (auto st = (*analyzer)->start(); !st) {
    std::fprintf(stderr, "analyzer: %s\n", st.error().message.c_str());
    return 3;
  }
  auto server = memlens::server::Server::start(**analyzer, opts);
  if (!server) {
    std::fprintf(stderr, "server: %s\n", server.error().message.c_str());
    return 3;
  }
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  std::printf("READY %s port=%u pid=%d\n", (*server)->url().c_str(), (*server)->port(), getpid());
  std::fflush(stdout);
  std::vector<std::vector<char>> hoard;
  while (!g_stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (grow_kb > 0 && hoard.size() < 20000) {
      hoard.emplace_back(static_cast<size_t>(grow_kb) * 1024, 'x');  // touched: resident
    }
  }
  (*server)->stop();
  (*analyzer)->stop();
  return 0;
}
