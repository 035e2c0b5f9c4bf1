// TargetProcess: runs one of tests/targets/agent's programs under the agent and speaks its line
// protocol (scenario_common.h): collects "sym" and "expect" lines, waits for "ready" (no fixed
// sleeps: blocking reads with a generous deadline), and lets the test advance it.
//
//   TargetProcess t = TargetProcess::start({path, "exact"}, agent_env());
//   ASSERT_TRUE(t.wait_ready());
//   auto client = AgentClient::connect(t.pid(), 10s);
//   t.advance();  ...  EXPECT_EQ(t.wait_exit(), 0);
//
// Thread-safety: one test thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "memlens/site.h"

namespace memlens::agent_test {

class TargetProcess {
 public:
  static TargetProcess start(const std::vector<std::string>& argv,
                             const std::vector<std::string>& extra_env);
  TargetProcess(TargetProcess&& o) noexcept;
  TargetProcess& operator=(TargetProcess&&) = delete;
  ~TargetProcess();

  pid_t pid() const { return pid_; }
  // Reads lines until "ready"; false on EOF or after `timeout`. Lines other than sym/expect
  // are kept in other_lines().
  bool wait_ready(std::chrono::seconds timeout = std::chrono::seconds(120));
  void advance();   // one line to the program's stdin
  int wait_exit();  // exit status, or 128 + signal
  const std::map<std::string, uint64_t>& syms() const { return syms_; }
  const std::map<std::string, uint64_t>& expects() const { return expects_; }
  const std::vector<std::string>& other_lines() const { return other_; }

  // The function (from the sym lines) whose code holds `address`: the nearest sym at or below
  // it, within 64 KiB; "" when none.
  std::string function_of(uint64_t address) const;
  // Sites whose leaf frame lies in `function`.
  static std::vector<const SiteSample*> sites_with_leaf(const TargetProcess& t,
                                                        const std::vector<SiteSample>& sites,
                                                        const std::string& function);
  // Sites with `function` anywhere in their stack.
  static std::vector<const SiteSample*> sites_through(const TargetProcess& t,
                                                      const std::vector<SiteSample>& sites,
                                                      const std::string& function);

 private:
  TargetProcess() = default;
  bool read_line(std::string* line, std::chrono::steady_clock::time_point deadline);

  pid_t pid_ = -1;
  int in_fd_ = -1, out_fd_ = -1;
  std::string buffer_;
  std::map<std::string, uint64_t> syms_, expects_;
  std::vector<std::string> other_;
  bool exited_ = false;
  int status_ = 0;
};

// The sums over the sites whose leaf frame lies in `function` (one function may own several
// sites: malloc and new, several call lines).
struct LeafTotals {
  uint64_t live_bytes = 0, live_count = 0, allocations = 0, frees = 0, allocated = 0;
  int sites = 0;
  BufferType type = BufferType::kMalloc;
};
LeafTotals totals_at_leaf(const TargetProcess& t, const std::vector<SiteSample>& sites,
                          const std::string& function);

// The agent's path in this build tree and the environment that preloads it.
std::string agent_library();
std::string target_path(const std::string& name);
std::vector<std::string> agent_env(const std::vector<std::string>& extra = {});

}  // namespace memlens::agent_test
