#include "monitor/alert_sinks.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <regex>

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "base/clock.h"
#include "memlens/json.h"

extern char** environ;

namespace memlens::monitor {

// ---- AlertSink: bounded queue + workers ----

AlertSink::AlertSink(size_t capacity, size_t workers)
    : capacity_(std::max<size_t>(capacity, 1)), worker_count_(std::max<size_t>(workers, 1)) {}

AlertSink::~AlertSink() = default;

void AlertSink::start() {
  for (size_t i = 0; i < worker_count_; ++i) workers_.emplace_back([this] { work(); });
}

void AlertSink::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_)
    if (t.joinable()) t.join();
  workers_.clear();
}

void AlertSink::post(std::string json) {
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= capacity_) {
      queue_.pop_front();  // the newest alert matters most; the oldest waiting one goes
      ++stats_.dropped;
    }
    queue_.push_back(std::move(json));
    ++stats_.queued;
  }
  cv_.notify_one();
}

SinkStats AlertSink::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

bool AlertSink::drain(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return cv_.wait_for(lock, timeout, [this] { return queue_.empty() && in_flight_ == 0; });
}

bool AlertSink::pause(std::chrono::milliseconds d) {
  std::unique_lock lock(mutex_);
  return !cv_.wait_for(lock, d, [this] { return stopping_; });
}

void AlertSink::count_attempt() {
  std::lock_guard lock(mutex_);
  ++stats_.attempts;
}

void AlertSink::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    std::string item = std::move(queue_.front());
    queue_.pop_front();
    ++in_flight_;
    lock.unlock();
    std::string error = deliver(item);
    lock.lock();
    --in_flight_;
    if (error.empty()) {
      ++stats_.delivered;
    } else {
      ++stats_.failed;
      stats_.last_error = error;
    }
    cv_.notify_all();  // drain() waiters
  }
}

// ---- WebhookSink ----

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

http::request<http::string_body> webhook_request(const std::string& host, const std::string& port,
                                                 const std::string& target,
                                                 const std::string& json) {
  http::request<http::string_body> req{http::verb::post, target, 11};
  req.set(http::field::host, host + ":" + port);
  req.set(http::field::user_agent, "memlens");
  req.set(http::field::content_type, "application/json");
  req.body() = json;
  req.prepare_payload();
  return req;
}

std::string status_error(const http::response<http::string_body>& res) {
  if (res.result_int() < 200 || res.result_int() >= 300)
    return fmt::format("HTTP {}", res.result_int());
  return {};
}

bool is_timeout(const beast::error_code& ec) {
  return ec == net::error::would_block || ec == beast::error::timeout;
}

// The trust store for https: only `ca_file` when given (as curl --cacert), else the system's.
base::Result<std::unique_ptr<ssl::context>> client_tls_context(const std::string& ca_file) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  ctx->set_verify_mode(ssl::verify_peer);
  beast::error_code ec;
  if (!ca_file.empty()) {
    if (::access(ca_file.c_str(), R_OK) != 0)
      return base::Error{fmt::format("--webhook-ca '{}': {}", ca_file, std::strerror(errno))};
    ctx->load_verify_file(ca_file, ec);
    if (ec)
      return base::Error{fmt::format("--webhook-ca '{}': not a PEM CA certificate file ({})",
                                     ca_file, ec.message())};
  } else {
    ctx->set_default_verify_paths(ec);
    if (ec)
      return base::Error{
          fmt::format("--webhook: cannot load the system trust store ({})", ec.message())};
  }
  return ctx;
}

}  // namespace

base::Result<std::unique_ptr<WebhookSink>> WebhookSink::create(WebhookOptions options) {
  static const std::regex kUrl(R"(^(https?)://([^/:]+)(?::(\d+))?(/.*)?$)");
  std::smatch m;
  if (!std::regex_match(options.url, m, kUrl)) {
    return base::Error{fmt::format(
        "--webhook '{}': expected http://host[:port][/path] or https://host[:port][/path]",
        options.url)};
  }
  const bool https = m[1] == "https";
  std::unique_ptr<ssl::context> tls;
  if (https) {
    auto ctx = client_tls_context(options.ca_file);
    if (!ctx) return ctx.error();
    tls = std::move(*ctx);
  }
  std::unique_ptr<WebhookSink> sink(new WebhookSink(std::move(options)));
  sink->host_ = m[2];
  sink->port_ = m[3].matched ? std::string(m[3]) : (https ? "443" : "80");
  sink->target_ = m[4].matched ? std::string(m[4]) : "/";
  sink->tls_ = std::move(tls);
  sink->start();
  return sink;
}

WebhookSink::WebhookSink(WebhookOptions options)
    : AlertSink(options.capacity, 1), options_(std::move(options)) {}

WebhookSink::~WebhookSink() {
  stop();
}

std::string WebhookSink::deliver(const std::string& json) {
  auto backoff = options_.initial_backoff;
  std::string error;
  for (int attempt = 1; attempt <= std::max(options_.max_attempts, 1); ++attempt) {
    count_attempt();
    error = tls_ ? post_once_tls(json) : post_once(json);
    if (error.empty()) return {};
    if (attempt == options_.max_attempts || !pause(backoff)) break;
    backoff *= 2;
  }
  return fmt::format("webhook {}: {}", options_.url, error);
}

// One POST with a deadline over the whole exchange: the Beast stream's timer covers connect,
// write and read, so a receiver that accepts and never answers cannot hold the worker.
std::string WebhookSink::post_once(const std::string& json) {
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  auto req = webhook_request(host_, port_, target_, json);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  beast::error_code result = net::error::would_block;

  resolver.async_resolve(host_, port_, [&](beast::error_code ec, tcp::resolver::results_type r) {
    if (ec) return void(result = ec);
    stream.expires_after(options_.timeout);
    stream.async_connect(r, [&](beast::error_code ec, const tcp::endpoint&) {
      if (ec) return void(result = ec);
      http::async_write(stream, req, [&](beast::error_code ec, size_t) {
        if (ec) return void(result = ec);
        http::async_read(stream, buffer, res, [&](beast::error_code ec, size_t) { result = ec; });
      });
    });
  });
  ioc.run_for(options_.timeout + std::chrono::milliseconds(500));
  if (is_timeout(result)) return "timed out";
  if (result) return result.message();
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  return status_error(res);
}

// The same exchange over TLS, with a handshake between connect and write. The certificate
// must chain to the trust store and name host_ (DNS name, or IP address for a literal).
std::string WebhookSink::post_once_tls(const std::string& json) {
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, *tls_);
  beast::error_code not_ip;
  (void)net::ip::make_address(host_, not_ip);
  // SNI carries host names only (RFC 6066 forbids address literals there).
  if (not_ip && !SSL_set_tlsext_host_name(stream.native_handle(), host_.c_str()))
    return "cannot set the TLS server name";
  // The chain is checked by OpenSSL; the name by host_name_verification, wrapped to tell a
  // name mismatch (verify result then only "unspecified") from an untrusted chain.
  bool name_mismatch = false;
  stream.set_verify_callback([&name_mismatch, check = ssl::host_name_verification(host_)](
                                 bool preverified, ssl::verify_context& ctx) {
    bool ok = check(preverified, ctx);
    if (preverified && !ok) name_mismatch = true;
    return ok;
  });
  auto req = webhook_request(host_, port_, target_, json);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  beast::error_code result = net::error::would_block;
  bool handshaking = false;

  resolver.async_resolve(host_, port_, [&](beast::error_code ec, tcp::resolver::results_type r) {
    if (ec) return void(result = ec);
    beast::get_lowest_layer(stream).expires_after(options_.timeout);
    beast::get_lowest_layer(stream).async_connect(r, [&](beast::error_code ec,
                                                         const tcp::endpoint&) {
      if (ec) return void(result = ec);
      handshaking = true;
      stream.async_handshake(ssl::stream_base::client, [&](beast::error_code ec) {
        if (ec) return void(result = ec);
        handshaking = false;
        http::async_write(stream, req, [&](beast::error_code ec, size_t) {
          if (ec) return void(result = ec);
          http::async_read(stream, buffer, res, [&](beast::error_code ec, size_t) { result = ec; });
        });
      });
    });
  });
  ioc.run_for(options_.timeout + std::chrono::milliseconds(500));
  if (is_timeout(result)) return handshaking ? "timed out during the TLS handshake" : "timed out";
  if (result && handshaking) {
    if (name_mismatch)
      return fmt::format("TLS handshake failed: server certificate does not match host '{}'",
                         host_);
    long verify = SSL_get_verify_result(stream.native_handle());
    if (verify != X509_V_OK)
      return fmt::format("TLS handshake failed: server certificate not trusted ({})",
                         X509_verify_cert_error_string(verify));
    return fmt::format("TLS handshake failed: {}", result.message());
  }
  if (result) return result.message();
  // No close_notify exchange: the response is complete (Content-Length or chunked), and a
  // receiver that never answers one must not cost us the timeout.
  beast::error_code ignored;
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
  return status_error(res);
}

// ---- CommandSink ----

CommandSink::CommandSink(CommandOptions options)
    : AlertSink(options.capacity, options.max_concurrent), options_(std::move(options)) {
  start();
}

CommandSink::~CommandSink() {
  stop();
}

std::string CommandSink::deliver(const std::string& json) {
  count_attempt();
  int in[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return fmt::format("pipe: {}", std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group, so a timeout kills the command and whatever it started; default
  // signal mask, since memlens blocks SIGTERM/SIGINT in its threads.
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
  const char* argv[] = {"/bin/sh", "-c", options_.command.c_str(), nullptr};
  pid_t pid = -1;
  int rc = posix_spawn(&pid, "/bin/sh", &actions, &attr, const_cast<char**>(argv), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(in[0]);
  if (rc != 0) {
    ::close(in[1]);
    return fmt::format("cannot run /bin/sh: {}", std::strerror(rc));
  }
  // The JSON is small (well under a pipe's 64 KB), so this write does not wait on the child.
  // A command that exits without reading makes it fail with EPIPE: SIGPIPE is blocked in this
  // worker thread and a pending one is consumed, so memlens is never killed by it.
  sigset_t pipe_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, nullptr);
  if (::write(in[1], json.data(), json.size()) < 0 && errno == EPIPE) {
    timespec zero{};
    (void)sigtimedwait(&pipe_set, nullptr, &zero);
  }
  ::close(in[1]);

  const int64_t deadline = base::mono_ns() + options_.timeout.count() * 1'000'000;
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) return fmt::format("waitpid: {}", std::strerror(errno));
    if (base::mono_ns() >= deadline) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return fmt::format("'{}' timed out after {} ms and was killed", options_.command,
                         options_.timeout.count());
    }
    ::usleep(10'000);
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  if (WIFEXITED(status))
    return fmt::format("'{}' exited with status {}", options_.command, WEXITSTATUS(status));
  return fmt::format("'{}' died of signal {}", options_.command, WTERMSIG(status));
}

// ---- payloads and wiring ----

std::string alert_payload(const Alert& alert, int pid, const std::string& command) {
  nlohmann::json j = {{"event", "threshold_alert"},
                      {"pid", pid},
                      {"command", command},
                      {"timestamp", alert.timestamp},
                      {"alert", to_json(alert)}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string leak_payload(const Leak& leak, int pid, const std::string& command, int64_t now_ms) {
  nlohmann::json j = {{"event", "leak_detected"},
                      {"pid", pid},
                      {"command", command},
                      {"timestamp", now_ms},
                      {"leak", to_json(leak)}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void AlertSinks::post(const std::string& json) {
  for (auto& s : sinks_) s->post(json);
}

void AlertSinks::attach(ProcessMemoryAnalyzer& analyzer) {
  AnalyzerStatus st = analyzer.status();
  const int pid = st.pid;
  const std::string command = st.command;
  subscriptions_.push_back(
      analyzer.events().threshold_alert.connect([this, pid, command](const Alert& a) {
        if (a.active) post(alert_payload(a, pid, command));  // raised or escalated, not cleared
      }));
  subscriptions_.push_back(
      analyzer.events().leak_detected.connect([this, pid, command](const Leak& l) {
        post(leak_payload(l, pid, command, base::wall_ms()));
      }));
  // Alerts raised before we subscribed (create() takes the first sample). Read after
  // subscribing: one raised in between may arrive twice, but none is missed.
  for (const Alert& a : analyzer.status().active_alerts) post(alert_payload(a, pid, command));
}

}  // namespace memlens::monitor
