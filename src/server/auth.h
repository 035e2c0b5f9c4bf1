// Token authentication: the server's token (empty = no auth) against what a client presents,
// as "Authorization: Bearer T" on any request, or as ?token=T on a WebSocket / Socket.IO
// upgrade (browsers cannot set headers there), or in the Socket.IO auth payload {token}.
// Comparison is constant-time: both sides are hashed (SHA-256) and the digests compared with
// CRYPTO_memcmp, so neither content nor length leaks through timing.
//
// Pure functions; thread-safe.
//
//   if (!request_authorized(req, opts.token, /*allow_query=*/false)) return unauthorized(req);
#pragma once

#include <optional>
#include <string_view>

#include "server/net.h"

namespace memlens::server {

bool tokens_equal(std::string_view expected, std::string_view presented);
// "Bearer abc" -> "abc"; nullopt when the header is absent or another scheme.
std::optional<std::string_view> bearer_token(const Request& req);
// True when no token is configured, or the request presents the right one (Bearer header, or
// ?token= when allow_query).
bool request_authorized(const Request& req, std::string_view token, bool allow_query);
// 401 with WWW-Authenticate: Bearer and {"error": ...}.
Response unauthorized_response(const Request& req);
bool is_loopback_address(std::string_view address);

}  // namespace memlens::server
