#include "server/socketio_polling.h"

#include <spdlog/spdlog.h>

#include <deque>

#include "server/http_response.h"
#include "server/server_state.h"
#include "server/socketio_heartbeat.h"
#include "server/socketio_protocol.h"

namespace memlens::server {

namespace {
constexpr char kRecordSeparator = '\x1e';  // between packets of one polling payload
constexpr std::string_view kClosePacket = "1", kNoopPacket = "6";

Response engineio_error(const Request& req, int code, std::string_view message) {
  nlohmann::json body = {{"code", code}, {"message", message}};
  return text_response(req, http::status::bad_request, body.dump(), "application/json");
}
}  // namespace

class PollingSession : public Subscriber, public std::enable_shared_from_this<PollingSession> {
 public:
  PollingSession(std::shared_ptr<ServerState> state, const SocketIoSettings& settings)
      : state_(std::move(state)), sio_(new_session_id(), settings), wake_(state_->io) {}

  const std::string& sid() const { return sio_.sid(); }
  std::string open_packet() const { return sio_.open_packet(); }

  void deliver(std::shared_ptr<const Broadcast> message) override {
    net::post(state_->io, [self = shared_from_this(), message = std::move(message)] {
      if (self->sio_.joined()) self->enqueue(message->socketio_text);
    });
  }

  // A POST: the client's packets.
  void receive(std::string_view body) {
    for (size_t start = 0; start <= body.size() && !closed_;) {
      size_t end = body.find(kRecordSeparator, start);
      if (end == std::string_view::npos) end = body.size();
      bool was_joined = sio_.joined();
      auto outcome = sio_.on_packet(body.substr(start, end - start));
      for (auto& reply : outcome.replies) enqueue(std::move(reply));
      if (!was_joined && sio_.joined())
        if (auto latest = state_->latest_update()) enqueue(latest->socketio_text);
      if (outcome.close) close();
      start = end + 1;
    }
  }

  // A GET: waits until there is something to send (a ping comes pingInterval after each pong),
  // then sends all of it. Only one at a time.
  net::awaitable<Response> poll(Request req) {
    auto self = shared_from_this();
    if (get_pending_) {
      close();
      co_return engineio_error(req, 3, "Bad request: overlapping polls");
    }
    get_pending_ = true;
    if (outbox_.empty() && !closed_) {
      const auto& s = sio_.settings();
      wake_.expires_after(std::chrono::milliseconds(s.ping_interval_ms + s.ping_timeout_ms));
      beast::error_code ec;
      co_await wake_.async_wait(net::redirect_error(kAwait, ec));
    }
    get_pending_ = false;
    std::string payload;
    for (const auto& packet : outbox_) {
      if (!payload.empty()) payload += kRecordSeparator;
      payload += packet;
    }
    outbox_.clear();
    if (payload.empty()) payload = closed_ ? kClosePacket : kNoopPacket;
    state_->updates_sent.fetch_add(1, std::memory_order_relaxed);
    co_return text_response(req, http::status::ok, std::move(payload), "text/plain; charset=UTF-8");
  }

  void start_heartbeat() {
    net::co_spawn(
        state_->io,
        socketio_heartbeat(
            shared_from_this(), sio_, [this] { return closed_; },
            [this] { enqueue(std::string(SocketIoProtocol::kPing)); }, [this] { close(); }),
        net::detached);
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    wake_.cancel();
    state_->leave(this);
    state_->polling.by_sid.erase(sio_.sid());  // callers hold a reference of their own
  }

 private:
  void enqueue(std::string packet) {
    if (closed_) return;
    if (outbox_.size() >= state_->options.max_queued_messages) {
      state_->slow_clients_dropped.fetch_add(1, std::memory_order_relaxed);
      spdlog::warn("server: dropping a slow Socket.IO polling client ({} packets queued)",
                   outbox_.size());
      close();
      return;
    }
    outbox_.push_back(std::move(packet));
    wake_.cancel();
  }

  std::shared_ptr<ServerState> state_;
  SocketIoProtocol sio_;
  net::steady_timer wake_;
  std::deque<std::string> outbox_;
  bool get_pending_ = false;
  bool closed_ = false;
};

net::awaitable<Response> serve_socketio_polling(std::shared_ptr<ServerState> state, Request req,
                                                QueryParams query) {
  auto param = [&](std::string_view name) -> std::string_view {
    auto it = query.find(name);
    return it == query.end() ? std::string_view{} : std::string_view(it->second);
  };
  if (param("EIO") != "4") co_return engineio_error(req, 5, "Unsupported protocol version");
  if (param("transport") != "polling") co_return engineio_error(req, 0, "Transport unknown");

  std::string_view sid = param("sid");
  if (sid.empty()) {  // the handshake
    if (req.method() != http::verb::get) co_return engineio_error(req, 2, "Bad handshake method");
    // Sessions outlive their requests: the connection limit caps them as well.
    if (state->polling.by_sid.size() >= state->options.max_connections) {
      state->connections_rejected.fetch_add(1, std::memory_order_relaxed);
      co_return error_response(req, http::status::service_unavailable,
                               "too many Socket.IO polling sessions");
    }
    auto session = std::make_shared<PollingSession>(
        state, state->socketio_settings(req, SocketIoSettings{}.max_payload));
    state->polling.by_sid[session->sid()] = session;
    state->join(session);
    session->start_heartbeat();
    co_return text_response(req, http::status::ok, session->open_packet(),
                            "text/plain; charset=UTF-8");
  }

  auto it = state->polling.by_sid.find(std::string(sid));
  if (it == state->polling.by_sid.end()) co_return engineio_error(req, 1, "Session ID unknown");
  std::shared_ptr<PollingSession> session = it->second;
  if (req.method() == http::verb::get) {
    auto pending = session->poll(std::move(req));  // named first: see ServerState::offload
    co_return co_await std::move(pending);
  }
  if (req.method() == http::verb::post) {
    session->receive(req.body());
    co_return text_response(req, http::status::ok, "ok", "text/plain; charset=UTF-8");
  }
  co_return engineio_error(req, 2, "Bad request method");
}

}  // namespace memlens::server
