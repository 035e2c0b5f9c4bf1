// ServerState: what every session of one Server shares: the analyzer (absent when the server
// only browses recorded sessions), the session archive (absent without a store), the options, the
// router, the TLS context, the list of streaming subscribers (WebSocket and Socket.IO clients) and
// the counters. Broadcasting copies the subscriber list under the lock and delivers outside it;
// each subscriber owns a bounded queue (habit 12), so one slow client never holds the others.
//
// Ownership: shared_ptr, held by the Server and by every live session. Thread-safety: all
// members are safe to use from any thread (the registry has its own mutex, counters are atomic).
//
//   co_await state->offload([&] { return state->analyzer->report(); });  // off the I/O thread
//   state->broadcast(make_broadcast("alerts", payload));
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "memlens/analyzer.h"
#include "monitor/session_archive.h"
#include "server/net.h"
#include "server/router.h"
#include "server/server.h"
#include "server/socketio_polling.h"
#include "server/socketio_protocol.h"

namespace memlens::server {

// One event, pre-encoded once for every client: the plain WebSocket frame
// {"event":E,"data":D} and the Socket.IO frame 42/memory-analysis,[E,D].
struct Broadcast {
  std::string event;
  std::string websocket_text;
  std::string socketio_text;
};
std::shared_ptr<const Broadcast> make_broadcast(std::string_view event, const nlohmann::json& data);

class Subscriber {
 public:
  virtual ~Subscriber() = default;
  // Thread-safe: queues the event on the subscriber's own executor; never blocks.
  virtual void deliver(std::shared_ptr<const Broadcast> message) = 0;
};

class ServerState {
 public:
  ServerState(ProcessMemoryAnalyzer* analyzer, monitor::SessionArchive* archive,
              ServerOptions options, net::io_context& io, net::thread_pool& workers)
      : analyzer(analyzer),
        archive(archive),
        options(std::move(options)),
        io(io),
        workers(workers) {}

  // Null when there is no live process (`memlens serve STORE`): the live routes then answer 503
  // (add_live_route in routes.h) and no realtime updates are sent.
  ProcessMemoryAnalyzer* const analyzer;
  // Null when no session store is configured: the sessions routes answer 404.
  monitor::SessionArchive* const archive;
  const ServerOptions options;
  net::io_context& io;
  net::thread_pool& workers;
  std::shared_ptr<ssl::context> tls;  // null: plain HTTP
  Router router;
  PollingSessions polling;  // Socket.IO long-polling sessions; the I/O thread only

  // Runs f() on the worker pool (the analyzer's calls may read /proc or run the analysis) and
  // resumes the calling coroutine on its own executor with the result.
  // Not a coroutine itself, and callers name the awaitable before co_await-ing it: GCC 12
  // double-destroys temporaries captured in a co_await full-expression.
  template <typename F>
  auto offload(F f) {
    using R = decltype(f());
    return net::co_spawn(
        workers.get_executor(),
        [f = std::move(f)]() mutable -> net::awaitable<R> { co_return f(); }, kAwait);
  }

  // A Socket.IO session's settings, either transport: the token (and whether this request
  // already carried it), the heartbeat from the options, and the largest packet accepted.
  SocketIoSettings socketio_settings(const Request& req, size_t max_payload) const;

  void join(const std::shared_ptr<Subscriber>& subscriber);
  void leave(const Subscriber* subscriber);
  void broadcast(const std::shared_ptr<const Broadcast>& message);
  size_t subscriber_count() const;

  // The newest realtime-update, sent to a client as soon as it joins.
  void set_latest_update(std::shared_ptr<const Broadcast> update);
  std::shared_ptr<const Broadcast> latest_update() const;

  std::atomic<uint64_t> connections_accepted{0}, connections_rejected{0};
  std::atomic<uint64_t> active_connections{0}, requests{0};
  std::atomic<uint64_t> slow_clients_dropped{0}, updates_sent{0};

 private:
  mutable std::mutex mutex_;
  std::unordered_map<const Subscriber*, std::weak_ptr<Subscriber>> subscribers_;
  std::shared_ptr<const Broadcast> latest_update_;
};

}  // namespace memlens::server
