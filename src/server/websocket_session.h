// WebSocket sessions: the plain stream at /api/memory-analysis/ws ({"event","data"} text
// frames) and Socket.IO over WebSocket at /socket.io/?EIO=4&transport=websocket. One
// coroutine reads (with the WebSocket idle timeout as its read timeout, keep-alive pings on),
// one writes from a bounded queue; when the queue is full the client is slow: it is dropped
// (socket closed, counted in slow_clients_dropped) so memlens's memory stays flat.
//
// Ownership: the session owns its stream; the ServerState's registry holds only a weak_ptr.
// Thread-safety: all session state lives on the stream's strand; deliver() posts to it.
//
//   co_await run_websocket(state, std::move(stream), std::move(req), StreamProtocol::kSocketIo);
#pragma once

#include <memory>

#include "server/net.h"
#include "server/server_state.h"

namespace memlens::server {

enum class StreamProtocol { kPlain, kSocketIo };

// Completes the upgrade for `req` and serves the client until it leaves or is dropped.
template <typename Stream>
net::awaitable<void> run_websocket(std::shared_ptr<ServerState> state, Stream stream, Request req,
                                   StreamProtocol protocol);

extern template net::awaitable<void> run_websocket<PlainStream>(std::shared_ptr<ServerState>,
                                                                PlainStream, Request,
                                                                StreamProtocol);
extern template net::awaitable<void> run_websocket<TlsStream>(std::shared_ptr<ServerState>,
                                                              TlsStream, Request, StreamProtocol);

}  // namespace memlens::server
