#include "server/server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <thread>

#include "server/auth.h"
#include "server/http_session.h"
#include "server/realtime_payload.h"
#include "server/routes.h"
#include "server/server_state.h"
#include "server/tls_context.h"

namespace memlens::server {

struct Server::Impl {
  // A pointer so stop() can destroy it: that destroys every session coroutine and so closes
  // every socket, before the Server itself goes away.
  std::unique_ptr<net::io_context> io = std::make_unique<net::io_context>(1);
  std::unique_ptr<net::thread_pool> workers;
  std::shared_ptr<ServerState> state;
  std::optional<tcp::acceptor> acceptor;
  std::thread thread;
  Subscription alert_subscription;
  uint16_t port = 0;
  bool stopped = false;
};

namespace {

net::awaitable<void> accept_loop(std::shared_ptr<ServerState> state, tcp::acceptor& acceptor) {
  beast::error_code ec;
  for (;;) {
    tcp::socket socket(net::make_strand(state->io));
    co_await acceptor.async_accept(socket, net::redirect_error(kAwait, ec));
    if (ec == net::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      // EMFILE and friends: back off briefly instead of spinning.
      spdlog::warn("server: accept failed: {}", ec.message());
      net::steady_timer pause(co_await net::this_coro::executor, std::chrono::milliseconds(50));
      co_await pause.async_wait(net::redirect_error(kAwait, ec));
      continue;
    }
    if (state->active_connections.load() >= state->options.max_connections) {
      state->connections_rejected.fetch_add(1, std::memory_order_relaxed);
      socket.close(ec);
      continue;
    }
    state->connections_accepted.fetch_add(1, std::memory_order_relaxed);
    state->active_connections.fetch_add(1, std::memory_order_relaxed);
    socket.set_option(tcp::no_delay(true), ec);
    auto executor = socket.get_executor();
    net::co_spawn(executor, run_connection(state, std::move(socket)), net::detached);
  }
}

// Sends realtime-update to every subscriber each update_interval_ms. The payload is built on
// the worker pool from copies the analyzer hands out under its own lock.
net::awaitable<void> update_loop(std::shared_ptr<ServerState> state) {
  net::steady_timer timer(co_await net::this_coro::executor);
  uint64_t seq = 0;
  beast::error_code ec;
  for (;;) {
    uint64_t n = ++seq;
    auto build = [state, n] {
      return make_broadcast("realtime-update", realtime_update(*state->analyzer, n));
    };
    auto pending = state->offload(std::move(build));
    std::shared_ptr<const Broadcast> update = co_await std::move(pending);
    state->set_latest_update(update);
    if (state->analyzer->config().enable_real_time_updates) state->broadcast(update);
    timer.expires_after(std::chrono::milliseconds(state->options.update_interval_ms));
    co_await timer.async_wait(net::redirect_error(kAwait, ec));
    if (ec) co_return;
  }
}

}  // namespace

base::Result<std::unique_ptr<Server>> Server::start(ProcessMemoryAnalyzer& analyzer,
                                                    ServerOptions options,
                                                    monitor::SessionArchive* archive) {
  return start_with(&analyzer, archive, std::move(options));
}

base::Result<std::unique_ptr<Server>> Server::start_archive(monitor::SessionArchive& archive,
                                                            ServerOptions options) {
  return start_with(nullptr, &archive, std::move(options));
}

base::Result<std::unique_ptr<Server>> Server::start_with(ProcessMemoryAnalyzer* analyzer,
                                                         monitor::SessionArchive* archive,
                                                         ServerOptions options) {
  if (!is_loopback_address(options.address) && options.token.empty())
    return base::Error{fmt::format("refusing to listen on {} without --token", options.address)};
  if (options.tls_cert.empty() != options.tls_key.empty())
    return base::Error{"TLS needs both --tls-cert and --tls-key"};
  if (options.update_interval_ms <= 0) return base::Error{"update interval must be > 0 ms"};
  if (options.max_queued_messages == 0) return base::Error{"max queued messages must be > 0"};

  std::unique_ptr<Server> server(new Server());
  auto& impl = *(server->impl_ = std::make_unique<Impl>());
  impl.workers = std::make_unique<net::thread_pool>(std::max<size_t>(1, options.worker_threads));
  std::string address = options.address == "localhost" ? "127.0.0.1" : options.address;
  impl.state =
      std::make_shared<ServerState>(analyzer, archive, std::move(options), *impl.io, *impl.workers);
  ServerState& state = *impl.state;
  if (!state.options.tls_cert.empty()) {
    auto tls = make_tls_context(state.options.tls_cert, state.options.tls_key);
    if (!tls) return tls.error();
    state.tls = *tls;
  }

  beast::error_code ec;
  auto ip = net::ip::make_address(address, ec);
  if (ec) return base::Error{fmt::format("bad listen address {}: {}", address, ec.message())};
  tcp::endpoint endpoint(ip, state.options.port);
  impl.acceptor.emplace(*impl.io);
  impl.acceptor->open(endpoint.protocol(), ec);
  if (!ec) impl.acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl.acceptor->bind(endpoint, ec);
  if (!ec) impl.acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return base::Error{
        fmt::format("cannot listen on {}:{}: {}", address, state.options.port, ec.message()),
        ec.value()};
  impl.port = impl.acceptor->local_endpoint().port();

  add_api_routes(state);
  add_control_routes(state);
  add_export_routes(state);
  add_ops_routes(state);
  add_metrics_route(state);
  add_session_routes(state);

  if (analyzer) {
    // Threshold alerts arrive on the sampling thread; encoding is cheap, delivery only posts.
    std::weak_ptr<ServerState> weak = impl.state;
    impl.alert_subscription =
        analyzer->events().threshold_alert.connect([weak](const Alert& alert) {
          auto s = weak.lock();
          if (!s || !alert.active) return;
          s->broadcast(make_broadcast("alerts", alerts_payload({alert})));
        });
  }

  net::co_spawn(*impl.io, accept_loop(impl.state, *impl.acceptor), net::detached);
  if (analyzer) net::co_spawn(net::make_strand(*impl.io), update_loop(impl.state), net::detached);
  impl.thread = std::thread([&impl] {
    for (;;) {
      try {
        impl.io->run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("server: I/O loop: {}", e.what());
      }
    }
  });
  spdlog::info("server: listening on {}", server->url());
  return server;
}

Server::~Server() {
  stop();
}

void Server::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  impl_->alert_subscription.reset();
  impl_->io->stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->state->polling.by_sid.clear();  // they hold the state: break the cycle
  impl_->workers->join();
  impl_->acceptor.reset();
  impl_->io.reset();  // destroys the session coroutines: every socket closes here
}

uint16_t Server::port() const {
  return impl_->port;
}

std::string Server::url() const {
  const ServerOptions& o = impl_->state->options;
  std::string host = o.address.find(':') != std::string::npos ? "[" + o.address + "]" : o.address;
  return fmt::format("{}://{}:{}/memory-analysis/", impl_->state->tls ? "https" : "http", host,
                     impl_->port);
}

Server::Stats Server::stats() const {
  const ServerState& s = *impl_->state;
  return {s.connections_accepted.load(), s.connections_rejected.load(), s.subscriber_count(),
          s.slow_clients_dropped.load(), s.requests.load()};
}

}  // namespace memlens::server
