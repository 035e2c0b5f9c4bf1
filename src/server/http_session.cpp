#include "server/http_session.h"

#include <spdlog/spdlog.h>

#include "server/auth.h"
#include "server/http_response.h"
#include "server/router.h"
#include "server/socketio_polling.h"
#include "server/websocket_session.h"

namespace memlens::server {
namespace {

constexpr uint32_t kHeaderLimit = 16 * 1024;

// Keeps active_connections right on every exit path of the connection coroutine.
struct ConnectionCount {
  explicit ConnectionCount(ServerState& s) : state(s) {}
  ~ConnectionCount() { state.active_connections.fetch_sub(1, std::memory_order_relaxed); }
  ServerState& state;
};

// Paths anyone may fetch without the token: the page and its assets carry no data.
bool is_public(std::string_view path) {
  return path == "/" || path == "/memory-analysis" || path.starts_with("/memory-analysis/") ||
         path == "/favicon.ico";
}

template <typename Stream>
net::awaitable<void> write_response(Stream& stream, Response& res, beast::error_code& ec) {
  http::serializer<false, http::string_body> sr{res};
  co_await http::async_write(stream, sr, net::redirect_error(kAwait, ec));
}

template <typename Stream>
net::awaitable<void> serve_http(std::shared_ptr<ServerState> state, Stream stream,
                                beast::flat_buffer buffer) {
  const ServerOptions& opts = state->options;
  beast::error_code ec;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(opts.max_body_bytes);
    beast::get_lowest_layer(stream).expires_after(opts.read_timeout);
    co_await http::async_read(stream, buffer, parser, net::redirect_error(kAwait, ec));
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        ec == net::ssl::error::stream_truncated)
      break;
    if (ec) {
      // Malformed or oversized request: answer once, then close (the stream state is unknown).
      Request dummy{http::verb::get, "/", 11};
      dummy.keep_alive(false);
      auto status = ec == http::error::body_limit ? http::status::payload_too_large
                    : ec == http::error::header_limit
                        ? http::status::request_header_fields_too_large
                        : http::status::bad_request;
      std::string msg =
          ec == http::error::body_limit
              ? "request body larger than " + std::to_string(opts.max_body_bytes) + " bytes"
              : "bad request: " + ec.message();
      beast::get_lowest_layer(stream).expires_after(opts.read_timeout);
      Response res = error_response(dummy, status, msg);
      co_await write_response(stream, res, ec);
      break;
    }
    Request req = parser.release();
    state->requests.fetch_add(1, std::memory_order_relaxed);
    auto [path, query] = split_target(req.target());

    if (websocket::is_upgrade(req) && (path == kWebSocketPath || path == kSocketIoPath)) {
      bool socketio = path == kSocketIoPath;
      // Socket.IO checks the token at the namespace connect (auth payload); the plain stream
      // needs it on the upgrade (Bearer or ?token=).
      if (socketio || request_authorized(req, opts.token, true)) {
        co_await run_websocket(state, std::move(stream), std::move(req),
                               socketio ? StreamProtocol::kSocketIo : StreamProtocol::kPlain);
        co_return;
      }
      beast::get_lowest_layer(stream).expires_after(opts.read_timeout);
      Response res = unauthorized_response(req);
      co_await write_response(stream, res, ec);
      break;
    }

    Response res;
    if (path == kSocketIoPath) {
      // Engine.IO long-polling (the token, if any, is checked at the namespace connect).
      QueryParams params = parse_query(query);  // before req moves: query points into it
      auto pending = serve_socketio_polling(state, std::move(req), std::move(params));
      res = co_await std::move(pending);
    } else if (!is_public(path) && !request_authorized(req, opts.token, false)) {
      res = unauthorized_response(req);
    } else {
      auto shared = std::make_shared<Request>(std::move(req));
      auto dispatch = [state, shared] {
        Response r = state->router.dispatch(*shared);
        compress_if_accepted(*shared, r);  // on the worker pool, like the handler
        return r;
      };
      auto pending = state->offload(std::move(dispatch));
      res = co_await std::move(pending);
    }
    bool keep_alive = res.keep_alive();
    beast::get_lowest_layer(stream).expires_after(opts.read_timeout);
    co_await write_response(stream, res, ec);
    if (ec || !keep_alive) break;
  }
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
  if constexpr (std::is_same_v<Stream, TlsStream>) {
    co_await stream.async_shutdown(net::redirect_error(kAwait, ec));
  } else {
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }
}

}  // namespace

net::awaitable<void> run_connection(std::shared_ptr<ServerState> state, tcp::socket socket) {
  ConnectionCount count(*state);
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  if (!state->tls) {
    co_await serve_http(state, std::move(stream), std::move(buffer));
    co_return;
  }
  TlsStream tls(std::move(stream), *state->tls);
  beast::get_lowest_layer(tls).expires_after(state->options.read_timeout);
  beast::error_code ec;
  co_await tls.async_handshake(ssl::stream_base::server, net::redirect_error(kAwait, ec));
  if (ec) {
    spdlog::debug("server: TLS handshake failed: {}", ec.message());
    co_return;
  }
  co_await serve_http(state, std::move(tls), std::move(buffer));
}

}  // namespace memlens::server
