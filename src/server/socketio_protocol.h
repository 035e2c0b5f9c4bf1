// SocketIoProtocol: the Engine.IO v4 / Socket.IO v5 text protocol of one client, without I/O.
// The session feeds it each received Engine.IO packet (one WebSocket text frame, or one packet
// of a polling POST) and sends what it returns; it decides the handshake, the namespace connect
// (with token check), pings and disconnects. Only text packets; binary attachments are ignored.
//
// Engine.IO packets: 0 open, 1 close, 2 ping, 3 pong, 4 message, 5 upgrade, 6 noop.
// Socket.IO packets (inside 4): 0 CONNECT, 1 DISCONNECT, 2 EVENT, 3 ACK, 4 CONNECT_ERROR, e.g.
//   client "40/memory-analysis,{\"token\":\"T\"}" -> server "40/memory-analysis,{\"sid\":\"..\"}"
//   server "42/memory-analysis,[\"realtime-update\",{...}]"
//
// Value type; one per connection; not thread-safe (used from the session's strand).
//
//   SocketIoProtocol sio(new_session_id(), {.token = opts.token});
//   send(sio.open_packet());
//   auto out = sio.on_packet(frame);  // send out.replies; close when out.close
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace memlens::server {

inline constexpr std::string_view kSocketIoNamespace = "/memory-analysis";

struct SocketIoSettings {
  std::string token;                  // empty: no auth
  bool transport_authorized = false;  // the upgrade request already carried the right token
  int ping_interval_ms = 25000;
  int ping_timeout_ms = 20000;
  size_t max_payload = 1000000;
};

class SocketIoProtocol {
 public:
  struct Outcome {
    std::vector<std::string> replies;
    bool close = false;
  };

  SocketIoProtocol(std::string sid, SocketIoSettings settings);

  const std::string& sid() const { return sid_; }
  std::string open_packet() const;  // "0{sid, upgrades, pingInterval, pingTimeout, maxPayload}"
  Outcome on_packet(std::string_view packet);
  bool joined() const { return joined_; }  // connected to /memory-analysis
  // Set by a pong; the session clears it when it sends a ping and closes if still clear at
  // the ping timeout.
  bool pong_received() const { return pong_received_; }
  void expect_pong() { pong_received_ = false; }
  const SocketIoSettings& settings() const { return settings_; }

  // "42/memory-analysis,[\"<event>\",<json_data>]"
  static std::string event_packet(std::string_view event, std::string_view json_data);
  static constexpr std::string_view kPing = "2";

 private:
  Outcome on_socketio(std::string_view packet);

  std::string sid_;
  SocketIoSettings settings_;
  bool joined_ = false;
  bool pong_received_ = true;
};

// 20 random URL-safe characters.
std::string new_session_id();

}  // namespace memlens::server
