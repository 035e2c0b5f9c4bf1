// TLS for the server: an Asio SSL context from a PEM certificate chain and private key
// (TLS 1.2+). Built once at start; shared read-only by every session.
//
//   auto ctx = make_tls_context("cert.pem", "key.pem");
//   if (!ctx) return ctx.error();
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "server/net.h"

namespace memlens::server {

base::Result<std::shared_ptr<ssl::context>> make_tls_context(const std::string& cert_file,
                                                             const std::string& key_file);

}  // namespace memlens::server
