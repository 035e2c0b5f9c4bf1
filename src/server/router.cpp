#include "server/router.h"

#include <spdlog/spdlog.h>

#include <exception>
#include <set>

#include "server/http_response.h"

namespace memlens::server {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (pos < path.size()) {
    if (path[pos] == '/') {
      ++pos;
      continue;
    }
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    parts.push_back(path.substr(pos, end - pos));
    pos = end;
  }
  return parts;
}

}  // namespace

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
               hex_value(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

QueryParams parse_query(std::string_view query) {
  QueryParams params;
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t end = query.find('&', pos);
    if (end == std::string_view::npos) end = query.size();
    std::string_view pair = query.substr(pos, end - pos);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      std::string key = percent_decode(pair.substr(0, eq));
      std::string value = eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1));
      params[std::move(key)] = std::move(value);
    }
    pos = end + 1;
  }
  return params;
}

std::pair<std::string_view, std::string_view> split_target(std::string_view target) {
  size_t q = target.find('?');
  if (q == std::string_view::npos) return {target, {}};
  return {target.substr(0, q), target.substr(q + 1)};
}

std::optional<std::string_view> RouteContext::get(std::string_view name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return std::string_view(it->second);
}

void Router::add(http::verb method, std::string pattern, Handler handler) {
  Route route{method, {}, std::move(handler)};
  for (std::string_view part : split_path(pattern)) route.segments.emplace_back(part);
  routes_.push_back(std::move(route));
}

bool Router::match(const Route& route, const std::vector<std::string_view>& parts,
                   std::map<std::string, std::string, std::less<>>* params) {
  if (route.segments.size() != parts.size()) return false;
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& seg = route.segments[i];
    if (seg.size() >= 2 && seg.front() == '{' && seg.back() == '}') {
      if (params) (*params)[seg.substr(1, seg.size() - 2)] = percent_decode(parts[i]);
    } else if (seg != parts[i]) {
      return false;
    }
  }
  return true;
}

bool Router::knows(std::string_view path) const {
  auto parts = split_path(path);
  for (const Route& r : routes_)
    if (match(r, parts, nullptr)) return true;
  return false;
}

Response Router::dispatch(const Request& req) const {
  auto [path, query_text] = split_target(req.target());
  auto parts = split_path(path);
  http::verb method = req.method() == http::verb::head ? http::verb::get : req.method();
  std::set<std::string> allowed;
  for (const Route& route : routes_) {
    std::map<std::string, std::string, std::less<>> params;
    if (!match(route, parts, &params)) continue;
    if (route.method != method) {
      allowed.insert(std::string(http::to_string(route.method)));
      if (route.method == http::verb::get) allowed.insert("HEAD");
      continue;
    }
    QueryParams query = parse_query(query_text);
    RouteContext ctx{req, path, query, std::move(params)};
    try {
      Response res = route.handler(ctx);
      if (req.method() == http::verb::head) {
        // Keep Content-Length of the GET body, send no body.
        auto length = res.body().size();
        res.body().clear();
        res.content_length(length);
      }
      return res;
    } catch (const std::exception& e) {
      spdlog::error("server: {} {} failed: {}", http::to_string(req.method()), path, e.what());
      return error_response(req, http::status::internal_server_error,
                            std::string("internal error: ") + e.what());
    }
  }
  if (allowed.empty())
    return error_response(req, http::status::not_found, "no such route: " + std::string(path));
  std::string allow;
  for (const auto& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
  Response res = error_response(
      req, http::status::method_not_allowed,
      std::string(http::to_string(req.method())) + " not allowed on " + std::string(path));
  res.set(http::field::allow, allow);
  return res;
}

}  // namespace memlens::server
