// Prometheus scrapes memlens: Debian's `prometheus` runs on loopback with a generated config
// that scrapes a running `memlens demo --serve` every second, and the test asks Prometheus's
// HTTP API (/api/v1/query) until memlens's series have arrived. Skips (with the reason) only
// when prometheus is not installed or this memlens has no HTTP server yet.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "memlens/analyzer.h"
#include "memlens_runner.h"
#if MEMLENS_HAVE_SERVER
#include "server/server.h"
#endif

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const char* kPrometheus = "/usr/bin/prometheus";
using memlens::testing::free_port;
using memlens::testing::memlens_binary;

// GET http://127.0.0.1:port/target; the body of a 200 answer, else nullopt.
std::optional<std::string> http_get(int port, const std::string& target) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  (void)!::write(fd, req.data(), req.size());
  std::string resp;
  char buf[8192];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) resp.append(buf, static_cast<size_t>(n));
  ::close(fd);
  if (resp.rfind("HTTP/1.1 200", 0) != 0) return std::nullopt;
  size_t body = resp.find("\r\n\r\n");
  if (body == std::string::npos) return std::nullopt;
  std::string out = resp.substr(body + 4);
  if (resp.find("Transfer-Encoding: chunked") != std::string::npos) {  // de-chunk
    std::string plain;
    size_t pos = 0;
    for (;;) {
      size_t eol = out.find("\r\n", pos);
      if (eol == std::string::npos) break;
      size_t len = std::stoul(out.substr(pos, eol - pos), nullptr, 16);
      if (len == 0) break;
      plain += out.substr(eol + 2, len);
      pos = eol + 2 + len + 2;
    }
    out = plain;
  }
  return out;
}

struct Process {
  pid_t pid = -1;
  ~Process() {
    if (pid > 0) {
      ::kill(pid, SIGTERM);
      int st;
      for (int i = 0; i < 100 && ::waitpid(pid, &st, WNOHANG) == 0; ++i)
        std::this_thread::sleep_for(50ms);
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &st, 0);
    }
  }
};

pid_t spawn(const std::vector<std::string>& args, const std::string& log) {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    FILE* f = std::fopen(log.c_str(), "w");
    if (f) {
      ::dup2(fileno(f), 1);
      ::dup2(fileno(f), 2);
    }
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Starts Prometheus scraping 127.0.0.1:memlens_port every second and checks, through its HTTP
// API, that memlens's series arrive. Runs inside a TEST (uses ASSERT/EXPECT).
void expect_series_in_prometheus(const std::string& dir, int memlens_port) {
  const int prom_port = free_port();
  const std::string config = dir + "/prometheus.yml";
  std::ofstream(config) << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                        << "scrape_configs:\n  - job_name: memlens\n    static_configs:\n"
                        << "      - targets: ['127.0.0.1:" << memlens_port << "']\n";
  Process prometheus;
  const std::string prom_log = dir + "/prometheus.log";
  prometheus.pid =
      spawn({kPrometheus, "--config.file=" + config, "--storage.tsdb.path=" + dir + "/tsdb",
             "--web.listen-address=127.0.0.1:" + std::to_string(prom_port)},
            prom_log);
  ASSERT_GT(prometheus.pid, 0);

  // Poll Prometheus's API until the series is there (no fixed sleeps; a generous limit).
  nlohmann::json result;
  for (int i = 0; i < 600; ++i) {
    auto body = http_get(prom_port, "/api/v1/query?query=memlens_process_resident_bytes");
    if (body) {
      auto j = nlohmann::json::parse(*body, nullptr, false);
      if (!j.is_discarded() && j["status"] == "success" && !j["data"]["result"].empty()) {
        result = j["data"]["result"];
        break;
      }
    }
    std::this_thread::sleep_for(200ms);
  }
  ASSERT_FALSE(result.empty()) << "no memlens series in Prometheus\nprometheus log:\n"
                               << read_file(prom_log);
  EXPECT_EQ(result[0]["metric"]["job"], "memlens");
  double rss = std::stod(result[0]["value"][1].get<std::string>());
  EXPECT_GT(rss, 0);

  auto up = http_get(prom_port, "/api/v1/query?query=up%7Bjob%3D%22memlens%22%7D");
  ASSERT_TRUE(up);
  auto upj = nlohmann::json::parse(*up);
  ASSERT_FALSE(upj["data"]["result"].empty());
  EXPECT_EQ(upj["data"]["result"][0]["value"][1], "1");
  // The other families the alert rules and dashboard use are scraped too.
  for (const char* name : {"memlens_heap_used_bytes", "memlens_external_bytes", "memlens_up"}) {
    auto body = http_get(prom_port, std::string("/api/v1/query?query=") + name);
    ASSERT_TRUE(body) << name;
    EXPECT_FALSE(nlohmann::json::parse(*body)["data"]["result"].empty()) << name;
  }
}

TEST(PrometheusScrape, MemlensDemoServeIsScrapedByPrometheus) {
  if (::access(kPrometheus, X_OK) != 0) GTEST_SKIP() << "prometheus is not installed";
  if (::access(memlens_binary().c_str(), X_OK) != 0) GTEST_SKIP() << "memlens is not built";
  std::string tmpl = "/tmp/memlens-prom-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  const std::string dir = tmpl;
  const int memlens_port = free_port();

  Process memlens;
  const std::string memlens_log = dir + "/memlens.log";
  memlens.pid = spawn({memlens_binary(), "demo", "--interval", "500ms", "--storage", dir + "/store",
                       "--serve", "127.0.0.1:" + std::to_string(memlens_port)},
                      memlens_log);
  ASSERT_GT(memlens.pid, 0);
  bool serving = false;
  for (int i = 0; i < 1200 && !serving; ++i) {  // up to 2 min on a loaded machine
    serving = http_get(memlens_port, "/metrics").has_value();
    if (serving) break;
    if (read_file(memlens_log).find("not built") != std::string::npos)
      GTEST_SKIP() << "this memlens has no HTTP server yet: " << read_file(memlens_log);
    int st;
    if (::waitpid(memlens.pid, &st, WNOHANG) == memlens.pid) {
      memlens.pid = -1;
      FAIL() << "memlens demo exited: " << read_file(memlens_log);
    }
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(serving) << "memlens never answered GET /metrics: " << read_file(memlens_log);
  expect_series_in_prometheus(dir, memlens_port);

  fs::remove_all(dir);
}

#if MEMLENS_HAVE_SERVER
// The same path with the server embedded as a library (the seed's way): an analyzer watching
// this test process, memlens::server::Server on a free port, Prometheus scraping it.
TEST(PrometheusScrape, EmbeddedServerIsScrapedByPrometheus) {
  if (::access(kPrometheus, X_OK) != 0) GTEST_SKIP() << "prometheus is not installed";
  std::string tmpl = "/tmp/memlens-prom-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  memlens::Config config;
  config.sampling_interval_ms = 250;
  auto analyzer = memlens::ProcessMemoryAnalyzer::create(config, memlens::Target::self());
  ASSERT_TRUE(analyzer) << analyzer.error().message;
  ASSERT_TRUE((*analyzer)->start());
  memlens::server::ServerOptions options;
  options.port = 0;
  auto server = memlens::server::Server::start(**analyzer, options);
  ASSERT_TRUE(server) << server.error().message;
  expect_series_in_prometheus(tmpl, (*server)->port());
  (*server)->stop();
  (*analyzer)->stop();
  fs::remove_all(tmpl);
}
#endif

}  // namespace
