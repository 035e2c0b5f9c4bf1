#include "server/http_response.h"

#include <fmt/format.h>

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

}  // namespace memlens::server
