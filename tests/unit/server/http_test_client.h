// A blocking HTTP(S) client for the server's contract tests: one request per call on a fresh
// connection (or several on one keep-alive connection with HttpConnection), with a generous
// timeout so a loaded machine does not fail the test.
//
//   HttpReply r = http_request("127.0.0.1", port, "GET", "/api/memory-analysis/status");
//   EXPECT_EQ(r.status, 200);
//   auto j = nlohmann::json::parse(r.body);
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "server/net.h"

namespace memlens::server::testing {

struct HttpReply {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string error;                           // transport error, empty on success
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

struct HttpCall {
  std::string method = "GET";
  std::string target = "/";
  std::string body;
  std::map<std::string, std::string> headers;
  bool tls = false;
};

HttpReply http_request(const std::string& host, uint16_t port, const HttpCall& call);
inline HttpReply http_get(uint16_t port, const std::string& target,
                          std::map<std::string, std::string> headers = {}) {
  return http_request("127.0.0.1", port, HttpCall{"GET", target, "", std::move(headers)});
}
// Sends raw bytes and returns whatever the server answers before closing (for malformed input).
std::string raw_exchange(uint16_t port, const std::string& bytes);

}  // namespace memlens::server::testing
