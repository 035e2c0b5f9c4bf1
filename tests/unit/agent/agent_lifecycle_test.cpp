// Process lifecycle under the agent: fork (child untracked unless asked), exec (the new image
// gets a new agent, and the client reconnects), dlopen/dlclose, exit from a thread, signals,
// allocations before main and in exit handlers.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <string>

#include "ingest/agent_client.h"
#include "target_process.h"

namespace memlens::agent_test {
namespace {

using std::chrono::milliseconds;

pid_t child_pid(const TargetProcess& t) {
  for (const auto& line : t.other_lines()) {
    int pid = 0;
    if (std::sscanf(line.c_str(), "child %d", &pid) == 1) return pid;
  }
  return -1;
}

TEST(AgentLifecycle, ForkChildIsNotTrackedByDefault) {
  TargetProcess t = TargetProcess::start({target_path("agent_scenario"), "fork"}, agent_env());
  ASSERT_TRUE(t.wait_ready());  // the child has allocated and printed its pid by now
  auto parent = ingest::AgentClient::connect(t.pid(), milliseconds(30000));
  ASSERT_TRUE(parent) << parent.error().message;
  auto pull = parent->pull();
  ASSERT_TRUE(pull);
  EXPECT_EQ(TargetProcess::sites_with_leaf(t, pull->sites, "parent_alloc").size(), 1u);
  EXPECT_TRUE(TargetProcess::sites_with_leaf(t, pull->sites, "child_alloc").empty());
  // The child is alive (waiting for the parent) and its agent never listened.
  auto c = ingest::AgentClient::connect(child_pid(t), milliseconds(300));
  EXPECT_FALSE(c);
  t.advance();
  EXPECT_EQ(t.wait_exit(), 0);
  pid_t child = child_pid(t);
  EXPECT_GT(child, 0);
}

TEST(AgentLifecycle, ForkChildTrackedWithFollowFork) {
  TargetProcess t = TargetProcess::start({target_path("agent_scenario"), "fork"},
                                         agent_env({"MEMLENS_FOLLOW_FORK=1"}));
  ASSERT_TRUE(t.wait_ready());
  pid_t child = child_pid(t);
  ASSERT_GT(child, 0);
  auto c = ingest::AgentClient::connect(child, milliseconds(30000));
  ASSERT_TRUE(c) << c.error().message;
  auto pull = c->pull();
  ASSERT_TRUE(pull) << pull.error().message;
  auto sites = TargetProcess::sites_with_leaf(t, pull->sites, "child_alloc");
  ASSERT_EQ(sites.size(), 1u);
  EXPECT_EQ(sites[0]->live_bytes, 5000u);
  t.advance();
  EXPECT_EQ(t.wait_exit(), 0);
}

TEST(AgentLifecycle, ExecGetsAFreshAgentAndTheClientReconnects) {
  TargetProcess t = TargetProcess::start({target_path("agent_scenario"), "exec"}, agent_env());
  ASSERT_TRUE(t.wait_ready());
  auto c = ingest::AgentClient::connect(t.pid(), milliseconds(30000));
  ASSERT_TRUE(c) << c.error().message;
  auto first = c->pull();
  ASSERT_TRUE(first);
  EXPECT_EQ(TargetProcess::sites_with_leaf(t, first->sites, "before_exec").size(), 1u);
  t.advance();
  ASSERT_TRUE(t.wait_ready());  // the exec'ed image is up and has allocated
  c->set_io_timeout(milliseconds(30000));
  base::Result<ingest::AgentPull> second = base::Error{"not tried"};
  for (int attempt = 0; attempt < 3; ++attempt) {  // the first may fail on the old connection
    second = c->pull();
    if (second) break;
  }
  ASSERT_TRUE(second) << second.error().message;
  auto sites = TargetProcess::sites_with_leaf(t, second->sites, "after_exec");
  ASSERT_EQ(sites.size(), 1u);
  EXPECT_EQ(sites[0]->live_bytes, 2222u);
  t.advance();
  EXPECT_EQ(t.wait_exit(), 0);
}

TEST(AgentLifecycle, LeakInADlopenedLibraryShowsTheCaller) {
  TargetProcess t = TargetProcess::start(
      {target_path("agent_scenario"), "dlopen", target_path("libmemlens_leaky.so")}, agent_env());
  ASSERT_TRUE(t.wait_ready());
  auto c = ingest::AgentClient::connect(t.pid(), milliseconds(30000));
  ASSERT_TRUE(c) << c.error().message;
  auto pull = c->pull();
  ASSERT_TRUE(pull);
  auto sites = TargetProcess::sites_through(t, pull->sites, "call_leaky");
  ASSERT_EQ(sites.size(), 1u);
  EXPECT_EQ(sites[0]->live_bytes, 10000u);
  EXPECT_EQ(sites[0]->live_count, 10u);
  // The leaf is inside the library's leaky_make, the next frame in call_leaky.
  uint64_t make = t.syms().at("leaky_make");
  ASSERT_GE(sites[0]->stack.size(), 2u);
  EXPECT_GE(sites[0]->stack[0], make);
  EXPECT_LT(sites[0]->stack[0], make + 256);
  EXPECT_EQ(t.function_of(sites[0]->stack[1]), "call_leaky");
  t.advance();
  ASSERT_TRUE(t.wait_ready());  // after dlclose the process goes on, still tracked
  auto after = c->pull();
  ASSERT_TRUE(after);
  EXPECT_EQ(TargetProcess::sites_with_leaf(t, after->sites, "after_dlclose").size(), 1u);
  t.advance();
  EXPECT_EQ(t.wait_exit(), 0);
}

TEST(AgentLifecycle, ExitFromAThreadWhileAllocating) {
  TargetProcess t =
      TargetProcess::start({target_path("agent_scenario"), "thread-exit"}, agent_env());
  EXPECT_EQ(t.wait_exit(), 7);
}

TEST(AgentLifecycle, SignalStormWhileAllocating) {
  TargetProcess t = TargetProcess::start({target_path("agent_scenario"), "signals"}, agent_env());
  EXPECT_EQ(t.wait_exit(), 0);
}

TEST(AgentLifecycle, AllocationsBeforeMainAndInExitHandlers) {
  TargetProcess t = TargetProcess::start({target_path("agent_scenario"), "atexit"}, agent_env());
  EXPECT_EQ(t.wait_exit(), 0);
}

TEST(AgentLifecycle, DeadAgentGivesAnErrorNotAHang) {
  TargetProcess t = TargetProcess::start({target_path("agent_scenario"), "exact"}, agent_env());
  ASSERT_TRUE(t.wait_ready());
  auto c = ingest::AgentClient::connect(t.pid(), milliseconds(30000));
  ASSERT_TRUE(c) << c.error().message;
  kill(t.pid(), SIGKILL);
  t.wait_exit();
  c->set_io_timeout(milliseconds(2000));
  auto pull = c->pull();
  EXPECT_FALSE(pull);
  auto again = c->pull();  // reconnect attempt fails cleanly too
  EXPECT_FALSE(again);
  EXPECT_FALSE(again.error().message.empty());
}

}  // namespace
}  // namespace memlens::agent_test
