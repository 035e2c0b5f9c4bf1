// Alert sinks against real receivers on loopback: a raw-socket HTTP server for the webhook
// (success, retries after 500s, a receiver that never answers, connection refused, the bounded
// queue) and shell commands for --on-alert (stdin reaches the command, timeouts kill it), and
// the whole path from an analyzer's threshold alert to a command's stdin.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "monitor/alert_sinks.h"
#include "store_test_support.h"

namespace memlens::monitor {
namespace {

using namespace std::chrono_literals;

// Accepts connections on 127.0.0.1:<ephemeral>; answers each request with the next status in
// `statuses` (the last one repeats); status 0 means: read the request, never answer.
class TinyHttpServer {
 public:
  explicit TinyHttpServer(std::vector<int> statuses) : statuses_(std::move(statuses)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 16);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~TinyHttpServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
    for (int c : held_) ::close(c);
  }
  int port() const { return port_; }
  std::vector<std::string> requests() const {
    std::lock_guard lock(m_);
    return requests_;
  }

 private:
  void serve() {
    while (!stop_) {
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;
      std::string req;
      char buf[4096];
      size_t need = std::string::npos;
      while (need == std::string::npos || req.size() < need) {
        ssize_t n = ::read(c, buf, sizeof buf);
        if (n <= 0) break;
        req.append(buf, static_cast<size_t>(n));
        size_t end = req.find("\r\n\r\n");
        if (end != std::string::npos && need == std::string::npos) {
          size_t cl = req.find("Content-Length: ");
          size_t body = cl == std::string::npos ? 0 : std::stoul(req.substr(cl + 16));
          need = end + 4 + body;
        }
      }
      int status;
      {
        std::lock_guard lock(m_);
        requests_.push_back(req);
        status = statuses_[std::min(requests_.size() - 1, statuses_.size() - 1)];
      }
      if (status == 0) {
        held_.push_back(c);  // silent: the client must give up by its own timeout
        continue;
      }
      std::string resp = "HTTP/1.1 " + std::to_string(status) +
                         " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      (void)!::write(c, resp.data(), resp.size());
      ::close(c);
    }
  }

  std::vector<int> statuses_;
  int fd_ = -1, port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex m_;
  std::vector<std::string> requests_;
  std::vector<int> held_;
};

std::unique_ptr<WebhookSink> webhook(int port, int attempts, std::chrono::milliseconds timeout,
                                     size_t capacity = 16) {
  WebhookOptions o;
  o.url = "http://127.0.0.1:" + std::to_string(port) + "/hook";
  o.max_attempts = attempts;
  o.timeout = timeout;
  o.initial_backoff = 20ms;
  o.capacity = capacity;
  auto s = WebhookSink::create(o);
  EXPECT_TRUE(s) << s.error().message;
  return s ? std::move(*s) : nullptr;
}

std::string body_of(const std::string& request) {
  return request.substr(request.find("\r\n\r\n") + 4);
}

TEST(WebhookSink, PostsTheAlertJson) {
  TinyHttpServer server({200});
  auto sink = webhook(server.port(), 3, 10s);
  Alert a;
  a.id = "a1";
  a.type = "rssMB";
  a.severity = Severity::kCritical;
  a.message = "RSS 300 MB";
  a.value = 300;
  a.threshold = 150;
  std::string payload = alert_payload(a, 42, "./server");
  sink->post(payload);
  ASSERT_TRUE(sink->drain(60s));
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].rfind("POST /hook HTTP/1.1\r\n", 0), 0u) << reqs[0];
  EXPECT_NE(reqs[0].find("Content-Type: application/json"), std::string::npos);
  EXPECT_EQ(body_of(reqs[0]), payload);
  auto j = nlohmann::json::parse(body_of(reqs[0]));
  EXPECT_EQ(j["event"], "threshold_alert");
  EXPECT_EQ(j["pid"], 42);
  EXPECT_EQ(j["alert"]["type"], "rssMB");
  SinkStats st = sink->stats();
  EXPECT_EQ(st.delivered, 1u);
  EXPECT_EQ(st.failed, 0u);
}

TEST(WebhookSink, RetriesAfterServerErrorsWithBackoff) {
  TinyHttpServer server({500, 503, 200});
  auto sink = webhook(server.port(), 4, 10s);
  sink->post(R"({"event":"x"})");
  ASSERT_TRUE(sink->drain(60s));
  EXPECT_EQ(server.requests().size(), 3u);
  SinkStats st = sink->stats();
  EXPECT_EQ(st.delivered, 1u);
  EXPECT_EQ(st.attempts, 3u);
}

TEST(WebhookSink, GivesUpOnASilentReceiverAfterItsTimeout) {
  TinyHttpServer server({0});
  auto sink = webhook(server.port(), 2, 300ms);
  sink->post(R"({"event":"x"})");
  ASSERT_TRUE(sink->drain(60s));
  SinkStats st = sink->stats();
  EXPECT_EQ(st.failed, 1u);
  EXPECT_EQ(st.attempts, 2u);
  EXPECT_NE(st.last_error.find("timed out"), std::string::npos) << st.last_error;
}

TEST(WebhookSink, ConnectionRefusedIsAFailureNotACrash) {
  int port;
  {
    TinyHttpServer gone({200});
    port = gone.port();
  }
  auto sink = webhook(port, 2, 2s);
  sink->post("{}");
  ASSERT_TRUE(sink->drain(60s));
  EXPECT_EQ(sink->stats().failed, 1u);
  EXPECT_FALSE(sink->stats().last_error.empty());
}

TEST(WebhookSink, QueueIsBoundedAndPostNeverWaits) {
  TinyHttpServer server({0});
  auto sink = webhook(server.port(), 1, 2s, /*capacity=*/2);
  for (int i = 0; i < 10; ++i) sink->post("{}");  // returns at once: the worker is stuck
  SinkStats st = sink->stats();
  EXPECT_EQ(st.queued, 10u);
  EXPECT_GE(st.dropped, 7u);
}

TEST(WebhookSink, RejectsUnsupportedUrls) {
  WebhookOptions o;
  o.url = "ftp://example.com/x";
  auto s = WebhookSink::create(o);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("http://host"), std::string::npos);
}

TEST(CommandSink, CommandReceivesTheJsonOnStdin) {
  storage::testing::ScratchDir dir;
  CommandOptions o;
  o.command = "cat > " + dir.sub("alert.json");
  CommandSink sink(o);
  sink.post(R"({"event":"leak_detected","pid":7})");
  ASSERT_TRUE(sink.drain(60s));
  std::ifstream in(dir.sub("alert.json"));
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), R"({"event":"leak_detected","pid":7})");
  EXPECT_EQ(sink.stats().delivered, 1u);
}

TEST(CommandSink, SlowCommandIsKilledAtItsTimeout) {
  storage::testing::ScratchDir dir;
  CommandOptions o;
  o.command = "sleep 30; touch " + dir.sub("finished");
  o.timeout = 300ms;
  CommandSink sink(o);
  sink.post("{}");
  ASSERT_TRUE(sink.drain(60s));
  EXPECT_EQ(sink.stats().failed, 1u);
  EXPECT_NE(sink.stats().last_error.find("timed out"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir.sub("finished")));
}

TEST(CommandSink, FailingCommandReportsItsStatus) {
  CommandOptions o;
  o.command = "exit 3";
  CommandSink sink(o);
  sink.post("{}");
  ASSERT_TRUE(sink.drain(60s));
  EXPECT_NE(sink.stats().last_error.find("status 3"), std::string::npos) << sink.stats().last_error;
}

TEST(AlertSinks, AnalyzerThresholdAlertReachesTheCommand) {
  storage::testing::ScratchDir dir;
  Config config;
  config.sampling_interval_ms = 100;
  config.alert_thresholds.rss_mb = 1;  // any process is over 1 MB: the first sample alerts
  auto analyzer = ProcessMemoryAnalyzer::create(config, Target::self());
  ASSERT_TRUE(analyzer) << analyzer.error().message;
  AlertSinks sinks;
  CommandOptions o;
  o.command = "cat >> " + dir.sub("alerts.jsonl") + "; echo >> " + dir.sub("alerts.jsonl");
  sinks.add(std::make_unique<CommandSink>(o));
  sinks.attach(**analyzer);
  ASSERT_TRUE((*analyzer)->start());
  const int64_t deadline = base::wall_ms() + 120'000;
  std::string text;
  while (text.find("rssMB") == std::string::npos && base::wall_ms() < deadline) {
    std::this_thread::sleep_for(50ms);
    std::ifstream in(dir.sub("alerts.jsonl"));
    std::stringstream s;
    s << in.rdbuf();
    text = s.str();
  }
  (*analyzer)->stop();
  ASSERT_NE(text.find("rssMB"), std::string::npos) << text;
  auto first = nlohmann::json::parse(text.substr(0, text.find('\n')));
  EXPECT_EQ(first["event"], "threshold_alert");
  EXPECT_EQ(first["pid"], getpid());
}

}  // namespace
}  // namespace memlens::monitor
