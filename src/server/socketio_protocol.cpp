#include "server/socketio_protocol.h"

#include <openssl/rand.h>
#include <nlohmann/json.hpp>

#include <random>

#include "server/auth.h"

namespace memlens::server {

std::string new_session_id() {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  unsigned char bytes[20];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    std::random_device rd;
    for (auto& b : bytes) b = static_cast<unsigned char>(rd());
  }
  std::string id;
  for (unsigned char b : bytes) id.push_back(kAlphabet[b & 63]);
  return id;
}

SocketIoProtocol::SocketIoProtocol(std::string sid, SocketIoSettings settings)
    : sid_(std::move(sid)), settings_(std::move(settings)) {}

std::string SocketIoProtocol::open_packet() const {
  nlohmann::json open = {{"sid", sid_},
                         {"upgrades", nlohmann::json::array()},
                         {"pingInterval", settings_.ping_interval_ms},
                         {"pingTimeout", settings_.ping_timeout_ms},
                         {"maxPayload", settings_.max_payload}};
  return "0" + open.dump();
}

std::string SocketIoProtocol::event_packet(std::string_view event, std::string_view json_data) {
  std::string out = "42";
  out += kSocketIoNamespace;
  out += ",[";
  out += nlohmann::json(std::string(event)).dump();
  out += ',';
  out += json_data;
  out += ']';
  return out;
}

SocketIoProtocol::Outcome SocketIoProtocol::on_packet(std::string_view packet) {
  Outcome out;
  if (packet.empty()) return out;
  switch (packet.front()) {
    case '1':  // close
      out.close = true;
      break;
    case '2':  // ping (only "2probe" in practice): answer with the same payload
      out.replies.push_back("3" + std::string(packet.substr(1)));
      break;
    case '3':
      pong_received_ = true;
      break;
    case '4':
      return on_socketio(packet.substr(1));
    default:  // 5 upgrade, 6 noop, anything else: nothing to do
      break;
  }
  return out;
}

SocketIoProtocol::Outcome SocketIoProtocol::on_socketio(std::string_view packet) {
  Outcome out;
  if (packet.empty()) return out;
  char type = packet.front();
  packet.remove_prefix(1);
  // Optional namespace "/name," then optional ack id digits, then JSON payload.
  std::string nsp = "/";
  if (!packet.empty() && packet.front() == '/') {
    size_t comma = packet.find(',');
    nsp = std::string(packet.substr(0, comma));
    packet = comma == std::string_view::npos ? std::string_view{} : packet.substr(comma + 1);
  }
  std::string prefix = nsp == "/" ? "" : nsp + ",";
  if (type == '0') {  // CONNECT
    if (nsp != "/" && nsp != kSocketIoNamespace) {
      out.replies.push_back("44" + prefix + R"({"message":"Invalid namespace"})");
      return out;
    }
    if (nsp == kSocketIoNamespace && !settings_.token.empty() && !settings_.transport_authorized) {
      std::string presented;
      auto auth = nlohmann::json::parse(packet, nullptr, false);
      if (auth.is_object() && auth.contains("token") && auth["token"].is_string())
        presented = auth["token"].get<std::string>();
      if (presented.empty() || !tokens_equal(settings_.token, presented)) {
        out.replies.push_back("44" + prefix +
                              R"({"message":"unauthorized: wrong or missing token"})");
        return out;
      }
    }
    if (nsp == kSocketIoNamespace) joined_ = true;
    out.replies.push_back("40" + prefix + nlohmann::json{{"sid", new_session_id()}}.dump());
  } else if (type == '1') {  // DISCONNECT
    if (nsp == kSocketIoNamespace) joined_ = false;
  }
  // EVENT / ACK from the client: the stream is one-way; nothing to answer.
  return out;
}

}  // namespace memlens::server
