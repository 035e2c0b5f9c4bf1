// Small builders for the server's HTTP responses: JSON bodies, {"error": "..."} bodies,
// plain text, and downloads. Every response carries the request's version and keep-alive.
// Pure functions; thread-safe.
//
//   return json_response(req, http::status::ok, {{"status", "ok"}});
//   return error_response(req, http::status::bad_request, "window must be 1..10000");
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "server/net.h"

namespace memlens::server {

Response text_response(const Request& req, http::status status, std::string body,
                       std::string_view content_type = "text/plain; charset=utf-8");
Response json_response(const Request& req, http::status status, const nlohmann::json& body);
Response error_response(const Request& req, http::status status, std::string_view message);
// A download: Content-Disposition attachment with `filename`.
Response download_response(const Request& req, std::string body, std::string_view content_type,
                           std::string_view filename);
Response redirect_response(const Request& req, std::string_view location);

// Compresses a text body (JSON, HTML, JS, CSS, SVG, Prometheus text) of at least 8 KiB with
// gzip when the request accepts it, and says so in Content-Encoding and Vary. A recorded
// session's export or report is mostly repeated stack frames: ~40x smaller on the wire.
void compress_if_accepted(const Request& req, Response& res);

}  // namespace memlens::server
