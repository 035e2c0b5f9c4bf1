#include "server/http_response.h"

#include <fmt/format.h>

#include "base/gzip.h"

namespace memlens::server {

Response text_response(const Request& req, http::status status, std::string body,
                       std::string_view content_type) {
  Response res{status, req.version()};
  res.set(http::field::server, "memlens");
  res.set(http::field::content_type, content_type);
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response json_response(const Request& req, http::status status, const nlohmann::json& body) {
  // Replace invalid UTF-8 (e.g. a mangled symbol name) instead of throwing mid-request.
  return text_response(req, status,
                       body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                       "application/json");
}

Response error_response(const Request& req, http::status status, std::string_view message) {
  return json_response(req, status, nlohmann::json{{"error", std::string(message)}});
}

Response download_response(const Request& req, std::string body, std::string_view content_type,
                           std::string_view filename) {
  Response res = text_response(req, http::status::ok, std::move(body), content_type);
  res.set(http::field::content_disposition, fmt::format("attachment; filename=\"{}\"", filename));
  return res;
}

Response redirect_response(const Request& req, std::string_view location) {
  Response res = text_response(req, http::status::found, "");
  res.set(http::field::location, location);
  return res;
}

namespace {

// "gzip" among the Accept-Encoding codings, without q=0.
bool accepts_gzip(std::string_view header) {
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    size_t semi = item.find(';');
    std::string_view coding = item.substr(0, semi);
    while (!coding.empty() && coding.front() == ' ') coding.remove_prefix(1);
    while (!coding.empty() && coding.back() == ' ') coding.remove_suffix(1);
    if (coding != "gzip") continue;
    if (semi == std::string_view::npos) return true;
    std::string_view params = item.substr(semi + 1);
    size_t q = params.find("q=");
    if (q == std::string_view::npos) return true;
    std::string_view value = params.substr(q + 2);
    return !(value.starts_with("0") && value.find_first_not_of("0. ") == std::string_view::npos);
  }
  return false;
}

bool is_text(std::string_view content_type) {
  return content_type.starts_with("text/") || content_type.starts_with("application/json") ||
         content_type.starts_with("application/javascript") ||
         content_type.starts_with("image/svg+xml");
}

}  // namespace

void compress_if_accepted(const Request& req, Response& res) {
  constexpr size_t kMinBytes = 8 * 1024;  // below this the header costs more than it saves
  if (res.body().size() < kMinBytes || res.count(http::field::content_encoding) != 0) return;
  if (!is_text(res[http::field::content_type])) return;
  if (!accepts_gzip(req[http::field::accept_encoding])) return;
  std::string packed = base::gzip(res.body());
  if (packed.empty()) return;  // zlib failed: the plain body still answers
  res.body() = std::move(packed);
  res.set(http::field::content_encoding, "gzip");
  res.set(http::field::vary, "Accept-Encoding");
  res.prepare_payload();
}

}  // namespace memlens::server
