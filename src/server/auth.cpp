#include "server/auth.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "server/http_response.h"
#include "server/router.h"

namespace memlens::server {

bool tokens_equal(std::string_view expected, std::string_view presented) {
  unsigned char a[SHA256_DIGEST_LENGTH], b[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(expected.data()), expected.size(), a);
  SHA256(reinterpret_cast<const unsigned char*>(presented.data()), presented.size(), b);
  return CRYPTO_memcmp(a, b, sizeof a) == 0;
}

std::optional<std::string_view> bearer_token(const Request& req) {
  auto it = req.find(http::field::authorization);
  if (it == req.end()) return std::nullopt;
  std::string_view value = it->value();
  constexpr std::string_view kScheme = "Bearer ";
  if (value.size() < kScheme.size()) return std::nullopt;
  for (size_t i = 0; i < kScheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(value[i])) !=
        std::tolower(static_cast<unsigned char>(kScheme[i])))
      return std::nullopt;
  value.remove_prefix(kScheme.size());
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  return value;
}

bool request_authorized(const Request& req, std::string_view token, bool allow_query) {
  if (token.empty()) return true;
  if (auto presented = bearer_token(req)) return tokens_equal(token, *presented);
  if (allow_query) {
    QueryParams query = parse_query(split_target(req.target()).second);
    if (auto it = query.find("token"); it != query.end()) return tokens_equal(token, it->second);
  }
  return false;
}

Response unauthorized_response(const Request& req) {
  Response res = error_response(req, http::status::unauthorized,
                                "missing or wrong token (send Authorization: Bearer TOKEN)");
  res.set(http::field::www_authenticate, "Bearer realm=\"memlens\"");
  return res;
}

bool is_loopback_address(std::string_view address) {
  if (address == "localhost") return true;
  boost::system::error_code ec;
  auto addr = net::ip::make_address(std::string(address), ec);
  return !ec && addr.is_loopback();
}

}  // namespace memlens::server
