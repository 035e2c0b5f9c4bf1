// Router: maps (method, path) to a handler. Patterns are literal paths whose segments may be
// "{name}" placeholders ("/api/memory-analysis/alerts/{id}/dismiss"). An unknown path is 404;
// a known path with another method is 405 with an Allow header; HEAD is answered as GET.
// Query strings are split and percent-decoded for the handler.
//
// Ownership: holds its handlers by value. Thread-safety: add() before serving; dispatch() is
// const and may run on many threads at once.
//
//   Router r;
//   r.add(http::verb::get, "/api/memory-analysis/status", [&](const RouteContext& c) { ... });
//   Response res = r.dispatch(req);
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/net.h"

namespace memlens::server {

using QueryParams = std::map<std::string, std::string, std::less<>>;

// Splits "a=1&b=x%20y" into {a: "1", b: "x y"}; '+' is a space; the last duplicate wins.
QueryParams parse_query(std::string_view query);
std::string percent_decode(std::string_view text);

struct RouteContext {
  const Request& request;
  std::string_view path;  // without the query
  const QueryParams& query;
  std::map<std::string, std::string, std::less<>> params;  // "{name}" placeholders

  // Query parameter helpers: nullopt when absent; an error message when present but invalid.
  std::optional<std::string_view> get(std::string_view name) const;
};

using Handler = std::function<Response(const RouteContext&)>;

class Router {
 public:
  void add(http::verb method, std::string pattern, Handler handler);
  // 404 / 405 / the handler's response. Never throws: a handler's exception becomes a 500.
  Response dispatch(const Request& req) const;
  // True when some route's pattern matches the path (any method).
  bool knows(std::string_view path) const;

 private:
  struct Route {
    http::verb method;
    std::vector<std::string> segments;
    Handler handler;
  };
  static bool match(const Route& route, const std::vector<std::string_view>& parts,
                    std::map<std::string, std::string, std::less<>>* params);
  std::vector<Route> routes_;
};

// Splits a request target into path and query ("/a/b?x=1" -> "/a/b", "x=1").
std::pair<std::string_view, std::string_view> split_target(std::string_view target);

}  // namespace memlens::server
