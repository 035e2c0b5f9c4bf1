#include "server/websocket_session.h"

#include <spdlog/spdlog.h>

#include <deque>
#include <optional>

#include "server/socketio_heartbeat.h"
#include "server/socketio_protocol.h"

namespace memlens::server {
namespace {

constexpr size_t kMaxInboundMessage = 64 * 1024;

template <typename Stream>
class WebSocketSession : public Subscriber,
                         public std::enable_shared_from_this<WebSocketSession<Stream>> {
 public:
  WebSocketSession(std::shared_ptr<ServerState> state, Stream stream, StreamProtocol protocol)
      : state_(std::move(state)),
        ws_(std::move(stream)),
        wake_(ws_.get_executor()),
        protocol_(protocol) {
    wake_.expires_at(std::chrono::steady_clock::time_point::max());
  }

  void deliver(std::shared_ptr<const Broadcast> message) override {
    net::post(ws_.get_executor(), [self = this->shared_from_this(), message = std::move(message)] {
      if (self->protocol_ == StreamProtocol::kSocketIo) {
        if (!self->sio_ || !self->sio_->joined()) return;
        self->enqueue(std::shared_ptr<const std::string>(message, &message->socketio_text));
      } else {
        self->enqueue(std::shared_ptr<const std::string>(message, &message->websocket_text));
      }
    });
  }

  net::awaitable<void> run(Request req) {
    auto self = this->shared_from_this();
    beast::get_lowest_layer(ws_).expires_never();  // the WebSocket timeouts take over
    websocket::stream_base::timeout timeout{};
    timeout.handshake_timeout = state_->options.read_timeout;
    timeout.idle_timeout = state_->options.read_timeout * 2;
    timeout.keep_alive_pings = true;
    ws_.set_option(timeout);
    ws_.read_message_max(kMaxInboundMessage);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "memlens"); }));

    beast::error_code ec;
    if (state_->options.stream_send_buffer_bytes > 0)
      beast::get_lowest_layer(ws_).socket().set_option(
          net::socket_base::send_buffer_size(state_->options.stream_send_buffer_bytes), ec);
    co_await ws_.async_accept(req, net::redirect_error(kAwait, ec));
    if (ec) co_return;

    if (protocol_ == StreamProtocol::kSocketIo) {
      sio_.emplace(new_session_id(), state_->socketio_settings(req, kMaxInboundMessage));
      enqueue(std::make_shared<const std::string>(sio_->open_packet()));
      net::co_spawn(
          ws_.get_executor(),
          socketio_heartbeat(
              self, *sio_, [this] { return closing_; },
              [this] { enqueue(std::make_shared<const std::string>(SocketIoProtocol::kPing)); },
              [this] { shutdown(); }),
          net::detached);
    } else if (auto latest = state_->latest_update()) {
      enqueue(std::shared_ptr<const std::string>(latest, &latest->websocket_text));
    }
    state_->join(self);
    net::co_spawn(ws_.get_executor(), writer(), net::detached);

    beast::flat_buffer buffer;
    while (!closing_) {
      buffer.clear();
      co_await ws_.async_read(buffer, net::redirect_error(kAwait, ec));
      if (ec) break;
      if (protocol_ != StreamProtocol::kSocketIo) continue;  // the plain stream is one-way
      bool was_joined = sio_->joined();
      auto outcome = sio_->on_packet(beast::buffers_to_string(buffer.data()));
      for (auto& reply : outcome.replies)
        enqueue(std::make_shared<const std::string>(std::move(reply)));
      if (!was_joined && sio_->joined())
        if (auto latest = state_->latest_update())
          enqueue(std::shared_ptr<const std::string>(latest, &latest->socketio_text));
      if (outcome.close) break;
    }
    state_->leave(this);
    shutdown();
  }

 private:
  void enqueue(std::shared_ptr<const std::string> text) {
    if (closing_) return;
    if (queue_.size() >= state_->options.max_queued_messages) {
      state_->slow_clients_dropped.fetch_add(1, std::memory_order_relaxed);
      spdlog::warn("server: dropping a slow WebSocket client ({} messages queued)", queue_.size());
      shutdown();
      return;
    }
    queue_.push_back(std::move(text));
    wake_.cancel();
  }

  void shutdown() {
    if (closing_) return;
    closing_ = true;
    queue_.clear();
    wake_.cancel();
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(ws_).close();
  }

  net::awaitable<void> writer() {
    auto self = this->shared_from_this();
    beast::error_code ec;
    while (!closing_) {
      if (queue_.empty()) {
        wake_.expires_at(std::chrono::steady_clock::time_point::max());
        co_await wake_.async_wait(net::redirect_error(kAwait, ec));
        continue;
      }
      auto text = queue_.front();
      ws_.text(true);
      co_await ws_.async_write(net::buffer(*text), net::redirect_error(kAwait, ec));
      if (ec) break;
      if (!queue_.empty()) queue_.pop_front();
      state_->updates_sent.fetch_add(1, std::memory_order_relaxed);
    }
    shutdown();
  }

  std::shared_ptr<ServerState> state_;
  websocket::stream<Stream> ws_;
  net::steady_timer wake_;
  StreamProtocol protocol_;
  std::optional<SocketIoProtocol> sio_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  bool closing_ = false;
};

}  // namespace

template <typename Stream>
net::awaitable<void> run_websocket(std::shared_ptr<ServerState> state, Stream stream, Request req,
                                   StreamProtocol protocol) {
  auto session =
      std::make_shared<WebSocketSession<Stream>>(std::move(state), std::move(stream), protocol);
  co_await session->run(std::move(req));
}

template net::awaitable<void> run_websocket<PlainStream>(std::shared_ptr<ServerState>, PlainStream,
                                                         Request, StreamProtocol);
template net::awaitable<void> run_websocket<TlsStream>(std::shared_ptr<ServerState>, TlsStream,
                                                       Request, StreamProtocol);

}  // namespace memlens::server
