// The Engine.IO v4 heartbeat of one Socket.IO session, whichever transport carries it: the
// server sends a ping pingInterval after the last pong; no pong within pingTimeout ends the
// session. (Pinging every pingInterval + pingTimeout instead, as memlens did before, lands right
// at the edge of the client's own timeout, pingInterval + pingTimeout since the last ping:
// clients dropped at random.)
//
//   net::co_spawn(executor, socketio_heartbeat(self, sio, [this] { return closed_; },
//                                              [this] { queue("2"); }, [this] { close(); }),
//                 net::detached);
//
// `session` keeps the session alive while the heartbeat runs; `ended` says it is over,
// `send_ping` queues a ping, `end` closes the session. Runs on the session's executor, like the
// callbacks it calls.
#pragma once

#include <functional>
#include <memory>

#include "server/net.h"
#include "server/socketio_protocol.h"

namespace memlens::server {

net::awaitable<void> socketio_heartbeat(std::shared_ptr<void> session, SocketIoProtocol& sio,
                                        std::function<bool()> ended,
                                        std::function<void()> send_ping, std::function<void()> end);

}  // namespace memlens::server
