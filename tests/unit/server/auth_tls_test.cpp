// Token authentication (none/wrong -> 401 with WWW-Authenticate, right -> 200), the refusal
// to listen beyond loopback without a token, and HTTPS with a self-signed certificate made
// by `openssl req` for this test.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "http_test_client.h"
#include "server/auth.h"
#include "server_fixture.h"

namespace memlens::server::testing {
namespace {

const std::string kStatus = "/api/memory-analysis/status";

class AuthTest : public ServerFixture {};

TEST_F(AuthTest, TokenIsRequiredWhenSet) {
  ServerOptions o;
  o.token = "s3cret-token";
  start(o);
  auto none = http_get(port(), kStatus);
  EXPECT_EQ(none.status, 401);
  EXPECT_NE(none.header("www-authenticate").find("Bearer"), std::string::npos);
  EXPECT_TRUE(none.json()["error"].is_string());
  EXPECT_EQ(http_get(port(), kStatus, {{"Authorization", "Bearer wrong"}}).status, 401);
  EXPECT_EQ(http_get(port(), kStatus, {{"Authorization", "Basic czNjcmV0LXRva2Vu"}}).status, 401);
  EXPECT_EQ(http_get(port(), kStatus + "?token=s3cret-token").status, 401);  // REST: header only
  EXPECT_EQ(http_get(port(), kStatus, {{"Authorization", "Bearer s3cret-token"}}).status, 200);
  EXPECT_EQ(http_get(port(), "/metrics").status, 401);
  EXPECT_EQ(http_get(port(), "/health/memory").status, 401);
  // The page itself carries no data and loads without the token (it asks for one).
  EXPECT_EQ(http_get(port(), "/memory-analysis/").status, 200);
}

TEST_F(AuthTest, NoTokenMeansOpenOnLoopback) {
  start();
  EXPECT_EQ(http_get(port(), kStatus).status, 200);
}

TEST_F(AuthTest, RefusesNonLoopbackWithoutToken) {
  ServerOptions o;
  o.address = "0.0.0.0";
  o.port = 0;
  auto started = Server::start(*analyzer_, o);
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().message, "refusing to listen on 0.0.0.0 without --token");
}

TEST_F(AuthTest, TokenComparisonIsExact) {
  EXPECT_TRUE(tokens_equal("abc", "abc"));
  EXPECT_FALSE(tokens_equal("abc", "abd"));
  EXPECT_FALSE(tokens_equal("abc", "abcd"));
  EXPECT_FALSE(tokens_equal("abc", ""));
  EXPECT_TRUE(is_loopback_address("127.0.0.1"));
  EXPECT_TRUE(is_loopback_address("::1"));
  EXPECT_FALSE(is_loopback_address("0.0.0.0"));
}

class TlsTest : public ServerFixture {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("memlens-tls-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    std::string cmd =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -keyout " +
        (dir_ / "key.pem").string() + " -out " + (dir_ / "cert.pem").string() + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << "openssl req failed";
  }
  void TearDown() override {
    ServerFixture::TearDown();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
};

TEST_F(TlsTest, ServesHttpsWithASelfSignedCertificate) {
  ServerOptions o;
  o.tls_cert = (dir_ / "cert.pem").string();
  o.tls_key = (dir_ / "key.pem").string();
  start(o);
  EXPECT_TRUE(server_->url().starts_with("https://"));
  HttpCall call{"GET", kStatus, "", {}, true};
  auto r = http_request("127.0.0.1", port(), call);
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["pid"], getpid());
  // Plain HTTP to the TLS port gets no HTTP answer.
  auto plain = http_get(port(), kStatus);
  EXPECT_NE(plain.status, 200);
}

TEST_F(TlsTest, RejectsMissingOrMismatchedFiles) {
  ServerOptions o;
  o.tls_cert = (dir_ / "missing.pem").string();
  o.tls_key = (dir_ / "key.pem").string();
  auto bad = Server::start(*analyzer_, o);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("certificate"), std::string::npos);
  o.tls_cert = (dir_ / "cert.pem").string();
  o.tls_key = "";
  EXPECT_FALSE(Server::start(*analyzer_, o));
}

}  // namespace
}  // namespace memlens::server::testing
