#include "server/socketio_heartbeat.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace memlens::server {
namespace {
constexpr std::chrono::milliseconds kPongCheck{20};  // how often a pong is looked for
}  // namespace

// `session` is only held: the coroutine's frame keeps it, so the session lives as long as this.
net::awaitable<void> socketio_heartbeat([[maybe_unused]] std::shared_ptr<void> session,
                                        SocketIoProtocol& sio, std::function<bool()> ended,
                                        std::function<void()> send_ping,
                                        std::function<void()> end) {
  using Clock = std::chrono::steady_clock;
  net::steady_timer timer(co_await net::this_coro::executor);
  beast::error_code ec;
  while (!ended()) {
    timer.expires_after(std::chrono::milliseconds(sio.settings().ping_interval_ms));
    co_await timer.async_wait(net::redirect_error(kAwait, ec));
    if (ended()) break;
    sio.expect_pong();
    send_ping();
    // The next ping goes pingInterval after the pong (as the reference server does), not after
    // the whole timeout: a client expects one within pingInterval + pingTimeout of the last.
    auto deadline = Clock::now() + std::chrono::milliseconds(sio.settings().ping_timeout_ms);
    while (!ended() && !sio.pong_received() && Clock::now() < deadline) {
      timer.expires_after(std::min<Clock::duration>(kPongCheck, deadline - Clock::now()));
      co_await timer.async_wait(net::redirect_error(kAwait, ec));
    }
    if (!ended() && !sio.pong_received()) {
      spdlog::info("server: Socket.IO client missed its pong; closing");
      end();
    }
  }
}

}  // namespace memlens::server
