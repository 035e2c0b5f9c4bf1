// The stack-suffix cache and the learned frame rules (src/agent/suffix_unwinder.h, frame_rules.h)
// must give exactly the stacks of a full libunwind unwind: the same programs run with
// MEMLENS_STACK_CACHE=1 and =0, address randomisation off (setarch -R keeps the pid: it execs),
// and every distinct stack with its allocation count must match, including the ones that pass
// through libcrypto, which is built without frame pointers.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "ingest/agent_client.h"
#include "target_process.h"

namespace memlens::agent_test {
namespace {

using StackCounts = std::map<std::vector<uint64_t>, uint64_t>;  // stack -> allocations

// Runs the program through its `stages` readies and pulls at the last one (by then the stdin
// buffer that the ready handshake's fgets allocates exists; at an earlier ready it would race
// with the pull). Only stacks through `through` count when it is not empty.
StackCounts stacks_of(const std::vector<std::string>& argv, const std::string& cache, int stages,
                      const std::string& through) {
  std::vector<std::string> full = {"/usr/bin/setarch", "x86_64", "-R"};
  full.insert(full.end(), argv.begin(), argv.end());
  TargetProcess t = TargetProcess::start(full, agent_env({"MEMLENS_STACK_CACHE=" + cache}));
  StackCounts out;
  for (int stage = 0; stage < stages; ++stage) {
    if (stage > 0) t.advance();
    EXPECT_TRUE(t.wait_ready(std::chrono::seconds(600)));
  }
  auto client = ingest::AgentClient::connect(t.pid(), std::chrono::milliseconds(30000));
  EXPECT_TRUE(client) << client.error().message;
  if (client) {
    auto pull = client->pull();
    EXPECT_TRUE(pull) << pull.error().message;
    if (pull) {
      EXPECT_EQ(pull->stats.dropped_events, 0u);
      std::vector<const SiteSample*> chosen;
      if (through.empty()) {
        for (const SiteSample& s : pull->sites) chosen.push_back(&s);
      } else {
        chosen = TargetProcess::sites_through(t, pull->sites, through);
        EXPECT_FALSE(chosen.empty()) << "no stack reached " << through;
      }
      for (const SiteSample* s : chosen) {
        if (s->buffer_type == BufferType::kMalloc || s->buffer_type == BufferType::kNew) {
          out[s->stack] += s->allocations;
        }
      }
    }
  }
  t.advance();
  EXPECT_EQ(t.wait_exit(), 0);
  return out;
}

std::string hex_stack(const std::vector<uint64_t>& stack) {
  std::string s;
  char buf[24];
  for (uint64_t a : stack) {
    std::snprintf(buf, sizeof buf, " %llx", static_cast<unsigned long long>(a));
    s += buf;
  }
  return s;
}

// Names every stack whose count differs, so a failure says which stacks went wrong.
void expect_same(const StackCounts& cached, const StackCounts& full) {
  for (const auto& [stack, n] : full) {
    auto it = cached.find(stack);
    uint64_t got = it == cached.end() ? 0 : it->second;
    EXPECT_EQ(got, n) << "full unwind stack" << hex_stack(stack);
  }
  for (const auto& [stack, n] : cached) {
    EXPECT_TRUE(full.count(stack) == 1) << "cached-only stack (" << n << ")" << hex_stack(stack);
  }
}

TEST(AgentStackCache, SameStacksAsFullUnwindsThroughLibcrypto) {
  // One ready only: the stacks through leak_crypto are complete by then.
  StackCounts cached = stacks_of({target_path("agent_crypto")}, "1", 1, "leak_crypto");
  StackCounts full = stacks_of({target_path("agent_crypto")}, "0", 1, "leak_crypto");
  ASSERT_FALSE(full.empty());
  expect_same(cached, full);
}

TEST(AgentStackCache, SameStacksAsFullUnwindsInTheScenarioProgram) {
  // Every allocation function at its own call site, from one thread: deterministic stacks.
  StackCounts cached = stacks_of({target_path("agent_scenario"), "exact"}, "1", 2, "");
  StackCounts full = stacks_of({target_path("agent_scenario"), "exact"}, "0", 2, "");
  ASSERT_FALSE(full.empty());
  expect_same(cached, full);
}

TEST(AgentStackCache, SameStacksAsFullUnwindsOnPathsThatShareTheirLeafFrames) {
  // One allocating function at the same stack position through different callers, in orders
  // that repeat and then do not; two call sites of one caller; recursion; 300-frame stacks.
  StackCounts cached = stacks_of({target_path("agent_paths")}, "1", 1, "work");
  StackCounts full = stacks_of({target_path("agent_paths")}, "0", 1, "work");
  ASSERT_GE(full.size(), 8u);
  expect_same(cached, full);
}

TEST(AgentStackCache, SameStacksAsFullUnwindsAcrossCoroutinesSignalStacksAndLongjmp) {
  // A coroutine on a heap stack, a handler on an alternate signal stack, longjmp out of
  // allocating recursions: stacks that switch, jump and get cut must still come out whole.
  StackCounts cached = stacks_of({target_path("agent_contexts")}, "1", 2, "");
  StackCounts full = stacks_of({target_path("agent_contexts")}, "0", 2, "");
  ASSERT_GE(full.size(), 12u);
  expect_same(cached, full);
  // Each kind is there, reached through the function that made it.
  for (const char* fn : {"co_inner", "in_handler", "dive", "climb"}) {
    SCOPED_TRACE(fn);
    StackCounts cached_fn = stacks_of({target_path("agent_contexts")}, "1", 2, fn);
    StackCounts full_fn = stacks_of({target_path("agent_contexts")}, "0", 2, fn);
    ASSERT_FALSE(full_fn.empty());
    expect_same(cached_fn, full_fn);
  }
}

TEST(AgentStackCache, CoroutinesSignalStacksAndLongjmpRunAsWithoutTheAgent) {
  auto checksum = [](const std::vector<std::string>& env) {
    TargetProcess t = TargetProcess::start({target_path("agent_contexts")}, env);
    EXPECT_TRUE(t.wait_ready(std::chrono::seconds(120)));
    t.advance();
    EXPECT_TRUE(t.wait_ready(std::chrono::seconds(120)));
    t.advance();
    EXPECT_EQ(t.wait_exit(), 0);
    return t.expects().count("checksum") == 1 ? t.expects().at("checksum") : 0;
  };
  uint64_t native = checksum({});
  ASSERT_NE(native, 0u);
  EXPECT_EQ(checksum(agent_env({"MEMLENS_STACK_CACHE=1"})), native);
}

}  // namespace
}  // namespace memlens::agent_test
