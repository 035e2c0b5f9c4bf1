#include "server/tls_context.h"

namespace memlens::server {

base::Result<std::shared_ptr<ssl::context>> make_tls_context(const std::string& cert_file,
                                                             const std::string& key_file) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::single_dh_use);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec) return base::Error{"cannot load TLS certificate " + cert_file + ": " + ec.message()};
  ctx->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) return base::Error{"cannot load TLS key " + key_file + ": " + ec.message()};
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
    return base::Error{"TLS key " + key_file + " does not match certificate " + cert_file};
  return ctx;
}

}  // namespace memlens::server
