// Engine.IO v4 HTTP long-polling, the transport a Socket.IO client starts with by default
// (socket.io-client's `io(url)`): GET /socket.io/?EIO=4&transport=polling opens a session and
// answers the open packet; POST ...&sid=S carries the client's packets (separated by \x1e); GET
// ...&sid=S waits until the server has packets for the client (events, pings) and returns them.
// The session speaks the same SocketIoProtocol as the WebSocket transport and receives the same
// broadcasts; it offers no upgrade (the open packet lists none), so such a client stays on
// polling; clients that ask for transports: ["websocket"] get the WebSocket transport.
//
// A session ends when the client sends close, misses a pong (pingInterval + pingTimeout), sends
// two GETs at once, or falls max_queued_messages behind. At most max_connections sessions are
// open at once (more handshakes get 503).
//
// Ownership: the sessions live in ServerState::polling (by sid) and as broadcast subscribers.
// Thread-safety: everything runs on the server's I/O thread; deliver() posts to it.
//
//   if (path == kSocketIoPath) res = co_await serve_socketio_polling(state, req, query);
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "server/net.h"
#include "server/router.h"

namespace memlens::server {

class ServerState;
class PollingSession;

// The open sessions by sid; used only on the I/O thread.
struct PollingSessions {
  std::unordered_map<std::string, std::shared_ptr<PollingSession>> by_sid;
};

// Answers one polling request (a GET may wait for data up to the ping interval).
net::awaitable<Response> serve_socketio_polling(std::shared_ptr<ServerState> state, Request req,
                                                QueryParams query);

}  // namespace memlens::server
