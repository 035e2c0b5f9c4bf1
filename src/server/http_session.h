// HTTP session: one coroutine per accepted connection. It runs the TLS handshake when the
// server has a TLS context, then reads requests (header limit 16 KiB, body limit
// max_body_bytes -> 413, read_timeout on every read), checks the token, dispatches through the
// router on the worker pool, writes the response and loops while keep-alive holds. A WebSocket
// upgrade on /api/memory-analysis/ws or /socket.io/ hands the stream to run_websocket().
//
// Ownership: the coroutine owns the socket; it holds the ServerState alive. Thread-safety: runs
// on the socket's strand.
//
//   net::co_spawn(socket.get_executor(), run_connection(state, std::move(socket)), net::detached);
#pragma once

#include <memory>

#include "server/net.h"
#include "server/server_state.h"

namespace memlens::server {

inline constexpr std::string_view kWebSocketPath = "/api/memory-analysis/ws";
inline constexpr std::string_view kSocketIoPath = "/socket.io/";

net::awaitable<void> run_connection(std::shared_ptr<ServerState> state, tcp::socket socket);

}  // namespace memlens::server
