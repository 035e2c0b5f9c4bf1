#include "http_test_client.h"

#include <algorithm>
#include <cctype>

namespace memlens::server::testing {
namespace {

constexpr auto kTimeout = std::chrono::seconds(60);

template <typename Stream>
HttpReply exchange(Stream& stream, const std::string& host, const HttpCall& call) {
  Request req{http::string_to_verb(call.method), call.target, 11};
  req.set(http::field::host, host);
  for (auto& [k, v] : call.headers) req.set(k, v);
  if (!call.body.empty() || call.method == "POST" || call.method == "PUT") {
    req.body() = call.body;
    req.prepare_payload();
  }
  HttpReply reply;
  beast::error_code ec;
  http::write(stream, req, ec);
  if (ec) {
    reply.error = "write: " + ec.message();
    return reply;
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(256 * 1024 * 1024);
  if (call.method == "HEAD") parser.skip(true);
  http::read(stream, buffer, parser, ec);
  if (ec) {
    reply.error = "read: " + ec.message();
    return reply;
  }
  auto& res = parser.get();
  reply.status = res.result_int();
  reply.body = res.body();
  for (auto& field : res) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    reply.headers[name] = std::string(field.value());
  }
  return reply;
}

}  // namespace

HttpReply http_request(const std::string& host, uint16_t port, const HttpCall& call) {
  net::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(kTimeout);
  beast::error_code ec;
  stream.connect(tcp::endpoint(net::ip::make_address(host), port), ec);
  if (ec) return HttpReply{0, "", {}, "connect: " + ec.message()};
  if (!call.tls) return exchange(stream, host, call);
  ssl::context ctx(ssl::context::tls_client);
  ctx.set_verify_mode(ssl::verify_none);  // the test's self-signed certificate
  beast::ssl_stream<beast::tcp_stream&> tls(stream, ctx);
  tls.handshake(ssl::stream_base::client, ec);
  if (ec) return HttpReply{0, "", {}, "handshake: " + ec.message()};
  return exchange(tls, host, call);
}

std::string raw_exchange(uint16_t port, const std::string& bytes) {
  net::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(kTimeout);
  beast::error_code ec;
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return "";
  net::write(stream, net::buffer(bytes), ec);
  std::string out;
  char buf[4096];
  for (;;) {
    size_t n = stream.read_some(net::buffer(buf), ec);
    out.append(buf, n);
    if (ec) break;
  }
  return out;
}

}  // namespace memlens::server::testing
