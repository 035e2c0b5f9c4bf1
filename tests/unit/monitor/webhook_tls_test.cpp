// https:// webhooks against a real TLS receiver on 127.0.0.1 whose self-signed certificate is
// made at test time: with the certificate given as --webhook-ca the POST arrives over TLS;
// without it (system trust store) or with another CA the handshake is refused with a one-line
// "not trusted" error and retried as configured; a certificate for another name is refused;
// a receiver that never handshakes costs one timeout per attempt; unreadable or non-PEM CA
// files and malformed URLs fail at creation.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base/clock.h"
#include "monitor/alert_sinks.h"

namespace memlens::monitor {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// A fresh directory under /tmp, removed at the end.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = "/tmp/memlens-webhook-tls-XXXXXX";
    path_ = ::mkdtemp(tmpl.data()) ? tmpl : "";
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A self-signed P-256 certificate for `san` (e.g. "IP:127.0.0.1"), written as PEM files.
struct CertFiles {
  std::string cert, key;
};

CertFiles make_self_signed(const TempDir& dir, const std::string& name, const std::string& san) {
  CertFiles out{dir.sub(name + ".crt"), dir.sub(name + ".key")};
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), static_cast<long>(base::wall_ms() % 1'000'000'000));
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 24 * 3600);
  X509_set_pubkey(x, key);
  X509_NAME* subject = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1, 0);
  X509_set_issuer_name(x, subject);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, san.c_str()},
                            std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(x, key, EVP_sha256());
  FILE* f = std::fopen(out.cert.c_str(), "w");
  PEM_write_X509(f, x);
  std::fclose(f);
  f = std::fopen(out.key.c_str(), "w");
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  X509_free(x);
  EVP_PKEY_free(key);
  return out;
}

// Accepts TLS connections on 127.0.0.1:<ephemeral>, answers each complete request with 200,
// and counts handshakes that the client broke off.
class TlsReceiver {
 public:
  explicit TlsReceiver(const CertFiles& files) {
    ctx_ = SSL_CTX_new(TLS_server_method());
    ok_ = SSL_CTX_use_certificate_file(ctx_, files.cert.c_str(), SSL_FILETYPE_PEM) == 1 &&
          SSL_CTX_use_PrivateKey_file(ctx_, files.key.c_str(), SSL_FILETYPE_PEM) == 1;
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok_ = ok_ && ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
          ::listen(fd_, 16) == 0;
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~TlsReceiver() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
    SSL_CTX_free(ctx_);
  }
  bool ok() const { return ok_; }
  int port() const { return port_; }
  std::vector<std::string> requests() const {
    std::lock_guard lock(m_);
    return requests_;
  }
  std::string protocol() const {
    std::lock_guard lock(m_);
    return protocol_;
  }
  std::string server_name() const {
    std::lock_guard lock(m_);
    return server_name_;
  }
  int failed_handshakes() const { return failed_handshakes_; }

 private:
  void serve() {
    for (;;) {
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;
      timeval tv{30, 0};  // a stuck client cannot hold the receiver forever
      ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      SSL* ssl = SSL_new(ctx_);
      SSL_set_fd(ssl, c);
      if (SSL_accept(ssl) != 1) {
        ++failed_handshakes_;
      } else {
        std::string req = read_request(ssl);
        {
          std::lock_guard lock(m_);
          requests_.push_back(req);
          protocol_ = SSL_get_version(ssl);
          const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
          server_name_ = sni ? sni : "";
        }
        const std::string resp =
            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        SSL_write(ssl, resp.data(), static_cast<int>(resp.size()));
        SSL_shutdown(ssl);
      }
      SSL_free(ssl);
      ::close(c);
    }
  }

  static std::string read_request(SSL* ssl) {
    std::string req;
    char buf[4096];
    size_t need = std::string::npos;
    while (need == std::string::npos || req.size() < need) {
      int n = SSL_read(ssl, buf, sizeof buf);
      if (n <= 0) break;
      req.append(buf, static_cast<size_t>(n));
      size_t end = req.find("\r\n\r\n");
      if (end != std::string::npos && need == std::string::npos) {
        size_t cl = req.find("Content-Length: ");
        need = end + 4 + (cl == std::string::npos ? 0 : std::stoul(req.substr(cl + 16)));
      }
    }
    return req;
  }

  SSL_CTX* ctx_ = nullptr;
  bool ok_ = false;
  int fd_ = -1, port_ = 0;
  std::thread thread_;
  std::atomic<int> failed_handshakes_{0};
  mutable std::mutex m_;
  std::vector<std::string> requests_;
  std::string protocol_, server_name_;
};

base::Result<std::unique_ptr<WebhookSink>> https_sink(const std::string& host, int port,
                                                      const std::string& ca_file, int attempts) {
  WebhookOptions o;
  o.url = "https://" + host + ":" + std::to_string(port) + "/hook";
  o.ca_file = ca_file;
  o.max_attempts = attempts;
  o.timeout = 20s;  // generous: a loaded machine may be slow to handshake
  o.initial_backoff = 20ms;
  return WebhookSink::create(o);
}

// The receiver's thread may still be closing the last refused handshake when the sink is done.
bool wait_for_failed_handshakes(const TlsReceiver& r, int n) {
  const int64_t deadline = base::wall_ms() + 60'000;
  while (r.failed_handshakes() < n && base::wall_ms() < deadline) std::this_thread::sleep_for(10ms);
  return r.failed_handshakes() >= n;
}

TEST(WebhookTls, PostArrivesOverTlsWhenTheCaIsGiven) {
  TempDir dir;
  CertFiles server = make_self_signed(dir, "127.0.0.1", "IP:127.0.0.1");
  TlsReceiver receiver(server);
  ASSERT_TRUE(receiver.ok());
  auto sink = https_sink("127.0.0.1", receiver.port(), server.cert, 3);
  ASSERT_TRUE(sink) << sink.error().message;
  const std::string payload = R"({"event":"threshold_alert","pid":42})";
  (*sink)->post(payload);
  ASSERT_TRUE((*sink)->drain(120s));
  SinkStats st = (*sink)->stats();
  EXPECT_EQ(st.delivered, 1u) << st.last_error;
  EXPECT_EQ(st.attempts, 1u);
  auto reqs = receiver.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].rfind("POST /hook HTTP/1.1\r\n", 0), 0u) << reqs[0];
  EXPECT_EQ(reqs[0].substr(reqs[0].find("\r\n\r\n") + 4), payload);
  EXPECT_EQ(receiver.protocol().rfind("TLSv1.", 0), 0u) << receiver.protocol();
  EXPECT_EQ(receiver.failed_handshakes(), 0);
  EXPECT_EQ(receiver.server_name(), "") << "no SNI for an address literal";
}

TEST(WebhookTls, HostNameIsSentAsSniAndMatchedAgainstTheCertificate) {
  TempDir dir;
  CertFiles server = make_self_signed(dir, "localhost", "DNS:localhost");
  TlsReceiver receiver(server);
  ASSERT_TRUE(receiver.ok());
  auto sink = https_sink("localhost", receiver.port(), server.cert, 2);
  ASSERT_TRUE(sink) << sink.error().message;
  (*sink)->post("{}");
  ASSERT_TRUE((*sink)->drain(120s));
  EXPECT_EQ((*sink)->stats().delivered, 1u) << (*sink)->stats().last_error;
  ASSERT_EQ(receiver.requests().size(), 1u);
  EXPECT_EQ(receiver.server_name(), "localhost");
}

TEST(WebhookTls, UntrustedCertificateFailsClearlyAndIsRetried) {
  TempDir dir;
  CertFiles server = make_self_signed(dir, "127.0.0.1", "IP:127.0.0.1");
  TlsReceiver receiver(server);
  ASSERT_TRUE(receiver.ok());
  auto sink = https_sink("127.0.0.1", receiver.port(), "", 3);  // system trust store
  ASSERT_TRUE(sink) << sink.error().message;
  (*sink)->post("{}");
  ASSERT_TRUE((*sink)->drain(120s));
  SinkStats st = (*sink)->stats();
  EXPECT_EQ(st.delivered, 0u);
  EXPECT_EQ(st.failed, 1u);
  EXPECT_EQ(st.attempts, 3u);
  EXPECT_NE(st.last_error.find("TLS handshake failed: server certificate not trusted"),
            std::string::npos)
      << st.last_error;
  EXPECT_NE(st.last_error.find("self-signed"), std::string::npos) << st.last_error;
  EXPECT_EQ(st.last_error.find('\n'), std::string::npos) << st.last_error;
  EXPECT_TRUE(wait_for_failed_handshakes(receiver, 3)) << receiver.failed_handshakes();
  EXPECT_TRUE(receiver.requests().empty()) << "nothing may be sent before the peer is trusted";
}

TEST(WebhookTls, AnotherCaIsNotTrustedEither) {
  TempDir dir;
  CertFiles server = make_self_signed(dir, "127.0.0.1", "IP:127.0.0.1");
  CertFiles other = make_self_signed(dir, "other", "IP:127.0.0.1");
  TlsReceiver receiver(server);
  ASSERT_TRUE(receiver.ok());
  auto sink = https_sink("127.0.0.1", receiver.port(), other.cert, 1);
  ASSERT_TRUE(sink) << sink.error().message;
  (*sink)->post("{}");
  ASSERT_TRUE((*sink)->drain(120s));
  EXPECT_EQ((*sink)->stats().failed, 1u);
  EXPECT_NE((*sink)->stats().last_error.find("not trusted"), std::string::npos)
      << (*sink)->stats().last_error;
  EXPECT_TRUE(receiver.requests().empty());
}

TEST(WebhookTls, CertificateForAnotherNameIsRefused) {
  TempDir dir;
  // Trusted (it is its own CA) but issued for 127.0.0.2, not the 127.0.0.1 in the URL.
  CertFiles server = make_self_signed(dir, "elsewhere", "IP:127.0.0.2,DNS:elsewhere.invalid");
  TlsReceiver receiver(server);
  ASSERT_TRUE(receiver.ok());
  auto sink = https_sink("127.0.0.1", receiver.port(), server.cert, 1);
  ASSERT_TRUE(sink) << sink.error().message;
  (*sink)->post("{}");
  ASSERT_TRUE((*sink)->drain(120s));
  const std::string error = (*sink)->stats().last_error;
  EXPECT_EQ((*sink)->stats().failed, 1u);
  EXPECT_NE(error.find("does not match host '127.0.0.1'"), std::string::npos) << error;
  EXPECT_TRUE(receiver.requests().empty());
}

TEST(WebhookTls, ReceiverThatNeverHandshakesTimesOut) {
  // Listens (the kernel completes the TCP connect from its backlog) but never speaks TLS.
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 16), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  WebhookOptions o;
  o.url = "https://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/hook";
  o.max_attempts = 2;
  o.timeout = 300ms;
  o.initial_backoff = 20ms;
  auto sink = WebhookSink::create(o);
  ASSERT_TRUE(sink) << sink.error().message;
  (*sink)->post("{}");
  ASSERT_TRUE((*sink)->drain(120s));
  SinkStats st = (*sink)->stats();
  EXPECT_EQ(st.failed, 1u);
  EXPECT_EQ(st.attempts, 2u);
  EXPECT_NE(st.last_error.find("timed out during the TLS handshake"), std::string::npos)
      << st.last_error;
  ::close(fd);
}

TEST(WebhookTls, BadCaFilesAndUrlsFailAtCreationInOneLine) {
  TempDir dir;
  auto missing = https_sink("127.0.0.1", 443, dir.sub("nope.pem"), 1);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("--webhook-ca"), std::string::npos);
  EXPECT_NE(missing.error().message.find("No such file"), std::string::npos)
      << missing.error().message;

  std::ofstream(dir.sub("garbage.pem")) << "this is not a certificate\n";
  auto garbage = https_sink("127.0.0.1", 443, dir.sub("garbage.pem"), 1);
  ASSERT_FALSE(garbage);
  EXPECT_NE(garbage.error().message.find("not a PEM CA certificate"), std::string::npos)
      << garbage.error().message;
  EXPECT_EQ(garbage.error().message.find('\n'), std::string::npos);

  WebhookOptions o;
  o.url = "https//127.0.0.1/hook";
  auto bad_url = WebhookSink::create(o);
  ASSERT_FALSE(bad_url);
  EXPECT_NE(bad_url.error().message.find("https://host"), std::string::npos);
}

}  // namespace
}  // namespace memlens::monitor
