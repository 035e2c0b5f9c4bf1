#include "server/server_state.h"

#include <vector>

#include "server/auth.h"
#include "server/socketio_protocol.h"

namespace memlens::server {

std::shared_ptr<const Broadcast> make_broadcast(std::string_view event,
                                                const nlohmann::json& data) {
  auto b = std::make_shared<Broadcast>();
  b->event = std::string(event);
  std::string data_text = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  b->websocket_text =
      R"({"event":)" + nlohmann::json(b->event).dump() + R"(,"data":)" + data_text + "}";
  b->socketio_text = SocketIoProtocol::event_packet(event, data_text);
  return b;
}

SocketIoSettings ServerState::socketio_settings(const Request& req, size_t max_payload) const {
  SocketIoSettings s;
  s.token = options.token;
  s.transport_authorized = !s.token.empty() && request_authorized(req, s.token, true);
  s.ping_interval_ms = options.socketio_ping_interval_ms;
  s.ping_timeout_ms = options.socketio_ping_timeout_ms;
  s.max_payload = max_payload;
  return s;
}

void ServerState::join(const std::shared_ptr<Subscriber>& subscriber) {
  std::lock_guard lock(mutex_);
  subscribers_[subscriber.get()] = subscriber;
}

void ServerState::leave(const Subscriber* subscriber) {
  std::lock_guard lock(mutex_);
  subscribers_.erase(subscriber);
}

void ServerState::broadcast(const std::shared_ptr<const Broadcast>& message) {
  std::vector<std::shared_ptr<Subscriber>> targets;
  {
    std::lock_guard lock(mutex_);
    targets.reserve(subscribers_.size());
    for (auto& [key, weak] : subscribers_)
      if (auto s = weak.lock()) targets.push_back(std::move(s));
  }
  for (auto& s : targets) s->deliver(message);
}

size_t ServerState::subscriber_count() const {
  std::lock_guard lock(mutex_);
  return subscribers_.size();
}

void ServerState::set_latest_update(std::shared_ptr<const Broadcast> update) {
  std::lock_guard lock(mutex_);
  latest_update_ = std::move(update);
}

std::shared_ptr<const Broadcast> ServerState::latest_update() const {
  std::lock_guard lock(mutex_);
  return latest_update_;
}

}  // namespace memlens::server
