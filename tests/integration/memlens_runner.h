// Runs the built `memlens` binary for the integration tests: arguments in; exit status, stdout
// and stderr out; a generous time limit (the machine may be busy) after which it is killed and
// the run marked as timed out. Also: paths of the test targets, and reading a report file.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/report_validator.h"

namespace memlens::testing {

inline std::string memlens_binary() {
  return std::string(MEMLENS_BINARY_DIR) + "/memlens";
}
inline std::string target_path(const std::string& name) {
  return std::string(MEMLENS_BINARY_DIR) + "/tests/targets/" + name;
}
inline std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "memlens_it_" + std::to_string(getpid()) + "_" + name;
}

// A loopback port that was free a moment ago (the kernel hands out ephemeral ports in turn, so
// it is unlikely to be taken again at once).
inline uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct RunResult {
  int exit_code = -1;  // -1: killed or timed out
  bool timed_out = false;
  std::string out, err;
};

// Starts memlens with `args`; `while_running(pid)` (optional) is called once it runs.
inline RunResult run_memlens(const std::vector<std::string>& args,
                             std::chrono::seconds limit = std::chrono::seconds(180),
                             const std::function<void(pid_t)>& while_running = {}) {
  static int counter = 0;
  std::string out_path = temp_path("out" + std::to_string(++counter));
  std::string err_path = out_path + ".err";
  std::vector<std::string> argv_s = {memlens_binary()};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  // Each monitoring run records into its own store, so parallel tests never share a database.
  bool monitors = !args.empty() && (args[0] == "run" || args[0] == "attach" || args[0] == "demo");
  const std::string store = temp_path("store" + std::to_string(counter));
  if (monitors && std::find(args.begin(), args.end(), "--storage") == args.end())
    argv_s.insert(argv_s.begin() + 2, {"--storage", store});
  pid_t pid = fork();
  if (pid == 0) {
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(out, 1);
    dup2(err, 2);
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  RunResult r;
  if (while_running) while_running(pid);
  auto end = std::chrono::steady_clock::now() + limit;
  int status = 0;
  for (;;) {
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (std::chrono::steady_clock::now() > end) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      r.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!r.timed_out && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  r.out = read_text(out_path);
  r.err = read_text(err_path);
  unlink(out_path.c_str());
  unlink(err_path.c_str());
  std::error_code ignored;
  std::filesystem::remove_all(store, ignored);
  return r;
}

inline std::optional<nlohmann::json> read_report(const std::string& path) {
  std::string text = read_text(path);
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

// The growth pattern of `metric` in a report, or null.
inline nlohmann::json pattern_of(const nlohmann::json& report, const std::string& metric) {
  for (const auto& p : report["growthPatterns"])
    if (p["metric"] == metric) return p;
  return nullptr;
}

inline std::vector<std::string> leak_types(const nlohmann::json& report) {
  std::vector<std::string> types;
  for (const auto& l : report["leaks"]) types.push_back(l["type"].get<std::string>());
  return types;
}

// Lines of stderr that are not empty.
inline std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream s(text);
  for (std::string line; std::getline(s, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

}  // namespace memlens::testing
