// Real programs give identical output with and without the agent, and a leak through libcrypto
// (built without frame pointers) is found with the application function in its raw stack.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <string>

#include "ingest/agent_client.h"
#include "target_process.h"

namespace memlens::agent_test {
namespace {

struct Output {
  std::string text;
  int status = -1;
};

// Runs a shell command line, optionally with the agent preloaded; stdout and stderr together.
Output run(const std::string& cmd, const std::string& env_prefix) {
  Output out;
  std::string full = env_prefix + " sh -c '" + cmd + "' 2>&1";
  FILE* f = popen(full.c_str(), "r");
  if (f == nullptr) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), f)) > 0) out.text.append(buf.data(), n);
  int st = pclose(f);
  out.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

void expect_same_output(const std::string& cmd) {
  std::string preload = "env LD_PRELOAD=" + agent_library() + " MEMLENS_SAMPLE_BYTES=0";
  Output plain = run(cmd, "env");
  Output traced = run(cmd, preload);
  EXPECT_EQ(plain.status, 0) << cmd;
  EXPECT_EQ(traced.status, plain.status) << cmd;
  EXPECT_EQ(traced.text, plain.text) << cmd;
  EXPECT_FALSE(plain.text.empty()) << cmd;
}

TEST(AgentPrograms, Sqlite3SameOutput) {
  std::string script = testing::TempDir() + "memlens_agent_sqlite.sql";
  FILE* f = std::fopen(script.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs(
      "create table t(a integer, b text);\n"
      "with recursive c(x) as (select 1 union all select x+1 from c where x<20000)\n"
      "  insert into t select x, hex(x * 2654435761 % 1000003) from c;\n"
      "select count(*), sum(a), count(distinct length(b)) from t;\n"
      "create index i on t(b);\n"
      "select count(*), min(b), max(b) from t where b > '8';\n",
      f);
  std::fclose(f);
  expect_same_output("sqlite3 :memory: < " + script);
}

TEST(AgentPrograms, Python3SameOutput) {
  expect_same_output(
      "python3 -c \"import json,collections;d={str(i):[i]*5 for i in range(20000)};"
      "print(len(json.dumps(d)), sum(collections.Counter(str(i%97) for i in "
      "range(50000)).values()))\"");
}

TEST(AgentPrograms, SortSameOutput) {
  expect_same_output("seq 1 50000 | awk \"{print (\\$1*7919)%50021}\" | sort -n | md5sum");
}

TEST(AgentPrograms, GitSameOutput) {
  expect_same_output(std::string("git -C ") + MEMLENS_SOURCE_DIR +
                     " log --oneline -n 5 --stat; git -C " + MEMLENS_SOURCE_DIR +
                     " ls-files | wc -l");
}

TEST(AgentPrograms, VerboseLogsEveryKnobOnceOnStderr) {
  Output out = run("true", "env MEMLENS_AGENT_VERBOSE=1 MEMLENS_SAMPLE_BYTES=4096 LD_PRELOAD=" +
                               agent_library());
  EXPECT_EQ(out.status, 0);
  for (const char* knob :
       {"MEMLENS_SAMPLE_BYTES=4096", "MEMLENS_FOLLOW_FORK=0", "MEMLENS_MAX_SITES=",
        "MEMLENS_MAX_DEPTH=", "MEMLENS_UNWINDER=", "socket=@memlens-agent."}) {
    EXPECT_NE(out.text.find(knob), std::string::npos) << knob << " in: " << out.text;
  }
  size_t first = out.text.find("MEMLENS_SAMPLE_BYTES=");
  EXPECT_EQ(out.text.find("MEMLENS_SAMPLE_BYTES=", first + 1), std::string::npos);  // once
}

TEST(AgentPrograms, CryptoContextLeakShowsTheApplicationCaller) {
  TargetProcess t = TargetProcess::start({target_path("agent_crypto")}, agent_env());
  ASSERT_TRUE(t.wait_ready());
  auto c = ingest::AgentClient::connect(t.pid(), std::chrono::milliseconds(30000));
  ASSERT_TRUE(c) << c.error().message;
  auto pull = c->pull();
  ASSERT_TRUE(pull) << pull.error().message;
  uint64_t live_count = 0;
  auto sites = TargetProcess::sites_through(t, pull->sites, "leak_crypto");
  ASSERT_FALSE(sites.empty()) << "no stack reached leak_crypto through libcrypto";
  for (const SiteSample* s : sites) {
    live_count += s->live_count;
    // The leaf is inside libcrypto, not in the application.
    EXPECT_EQ(t.function_of(s->stack[0]), "");
  }
  EXPECT_GE(live_count, 32u);  // 16 cipher + 16 digest contexts, never freed
  t.advance();
  EXPECT_EQ(t.wait_exit(), 0);
}

}  // namespace
}  // namespace memlens::agent_test
