// Leaks that only the agent can place, found end to end: the real `memlens run` (agent
// preloaded, as run does by default) watches a program from tests/targets for 10 s with an 8 s
// growth window, and the report must name the right leak type, the function in the stack and
// the module charged with the bytes:
//   - inside a shared library built by the tests (libmemlens_leaky_module.so, linked by
//     module_user, or dlopened a second into the run by module_loader): native_module, charged
//     to that .so, which nativeModules also holds the bytes against;
//   - through OpenSSL contexts created by leak_cipher_contexts() (crypto_leak): crypto_context,
//     charged to libcrypto, with the application caller found through libcrypto's frames;
//   - anonymous mmap regions from map_leaked_region() (mmap_growth): a buffer_leak in the main
//     program with bufferType mmap;
//   - and a library that allocates and frees at the same rate: no leak at all.
// Rates are a few hundred KB/s, far above what the detectors need, and the windows generous, so
// a busy machine that delays samples does not change the outcome (see patterns_test.cpp).
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "memlens_runner.h"

namespace memlens::testing {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;
const std::string kLeakyModule = "libmemlens_leaky_module.so";

std::string agent_path() {
  return std::string(MEMLENS_BINARY_DIR) + "/src/agent/libmemlens-agent.so";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Runs `target` under `memlens run` with the agent and returns its (schema-valid) report.
nlohmann::json run_with_agent(const std::string& target, const std::vector<std::string>& args) {
  std::string report_path = temp_path(target + ".agent.json");
  std::vector<std::string> run = {
      "run",        "--interval", "100ms",         "--window",  "8s", "--full-interval",  "500ms",
      "--duration", "10s",        "--report-json", report_path, "--", target_path(target)};
  run.insert(run.end(), args.begin(), args.end());
  RunResult r = run_memlens(run);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string why;
  EXPECT_TRUE(validate_report_file(report_path, &why)) << why;
  auto j = read_report(report_path);
  unlink(report_path.c_str());
  if (!j) {
    ADD_FAILURE() << "no report at " << report_path << "\n" << r.err;
    return nlohmann::json::object();
  }
  EXPECT_TRUE((*j)["summary"]["agent"].get<bool>()) << "the agent did not connect\n" << r.err;
  return *j;
}

std::vector<nlohmann::json> leaks_of_type(const nlohmann::json& report, const std::string& type) {
  std::vector<nlohmann::json> out;
  for (const auto& l : report["leaks"])
    if (l["type"] == type) out.push_back(l);
  return out;
}

// The nativeModules entry whose moduleName starts with `prefix` ("libcrypto.so" matches
// "libcrypto.so.3"), or null.
nlohmann::json module_entry(const nlohmann::json& report, const std::string& prefix) {
  for (const auto& m : report["nativeModules"])
    if (m["moduleName"].get<std::string>().starts_with(prefix)) return m;
  return nullptr;
}

// The first line (frame) of a formatted stack that names `function`, or "".
std::string frame_of(const std::string& stack, const std::string& function) {
  std::stringstream lines(stack);
  for (std::string line; std::getline(lines, line);)
    if (line.starts_with(function + " (") || line.starts_with(function + " [")) return line;
  return {};
}

bool any_evidence_contains(const nlohmann::json& leak, const std::string& part) {
  for (const auto& e : leak["evidence"])
    if (contains(e.get<std::string>(), part)) return true;
  return false;
}

class AgentLeaks : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(agent_path().c_str(), R_OK) != 0)
      GTEST_SKIP() << "agent not built: " << agent_path();
  }
};

TEST_F(AgentLeaks, LeakInsideATestLibraryIsANativeModuleLeakChargedToIt) {
  auto report = run_with_agent("module_user", {"60", "512", "1"});  // 512 KB/s kept by the .so
  auto leaks = leaks_of_type(report, "native_module");
  ASSERT_EQ(leaks.size(), 1u) << report["leaks"].dump(1);
  const auto& leak = leaks.front();
  const std::string stack = leak["stackTrace"].get<std::string>();
  // The library's leaking function is in the stack, in that library, and the caller after it.
  EXPECT_TRUE(contains(frame_of(stack, "leaky_module_retain"), "[" + kLeakyModule + "]")) << stack;
  EXPECT_TRUE(contains(frame_of(stack, "main"), "[module_user]")) << stack;
  EXPECT_TRUE(contains(leak["source"].get<std::string>(), "leaky_module_retain")) << leak.dump(1);
  EXPECT_TRUE(any_evidence_contains(leak, "allocated inside " + kLeakyModule)) << leak.dump(1);
  EXPECT_GT(leak["estimatedSize"].get<double>(), 2 * kMiB) << leak.dump(1);
  // The growth is the library's alone.
  EXPECT_TRUE(leaks_of_type(report, "buffer_leak").empty()) << report["leaks"].dump(1);
  EXPECT_TRUE(leaks_of_type(report, "unknown").empty()) << report["leaks"].dump(1);

  auto module = module_entry(report, kLeakyModule);
  ASSERT_FALSE(module.is_null()) << report["nativeModules"].dump(1);
  EXPECT_EQ(module["moduleType"], "other");
  EXPECT_GT(module["liveHeapBytes"].get<double>(), 2 * kMiB) << module.dump(1);
  EXPECT_GT(module["allocations"].get<int64_t>(), 200) << module.dump(1);
  EXPECT_EQ(module["deallocations"].get<int64_t>(), 0) << module.dump(1);
  // The program that calls the library is not charged with the library's bytes.
  auto program = module_entry(report, "module_user");
  ASSERT_FALSE(program.is_null()) << report["nativeModules"].dump(1);
  EXPECT_LT(program.value("liveHeapBytes", 0.0), 1 * kMiB) << program.dump(1);
}

TEST_F(AgentLeaks, LeakInALibraryDlopenedLaterIsChargedToIt) {
  // Loaded 1 s in: the monitor has read the mappings before the library existed, so it must
  // pick up the new module generation to name the frames.
  auto report = run_with_agent("module_loader", {target_path(kLeakyModule), "60", "512", "1"});
  auto leaks = leaks_of_type(report, "native_module");
  ASSERT_EQ(leaks.size(), 1u) << report["leaks"].dump(1);
  const auto& leak = leaks.front();
  const std::string stack = leak["stackTrace"].get<std::string>();
  EXPECT_TRUE(contains(frame_of(stack, "leaky_module_retain"), "[" + kLeakyModule + "]")) << stack;
  EXPECT_TRUE(contains(frame_of(stack, "main"), "[module_loader]")) << stack;
  EXPECT_TRUE(any_evidence_contains(leak, "allocated inside " + kLeakyModule)) << leak.dump(1);
  auto module = module_entry(report, kLeakyModule);
  ASSERT_FALSE(module.is_null()) << report["nativeModules"].dump(1);
  EXPECT_GT(module["liveHeapBytes"].get<double>(), 2 * kMiB) << module.dump(1);
}

TEST_F(AgentLeaks, LeakedOpensslContextsAreACryptoLeakNamingTheCaller) {
  auto report = run_with_agent("crypto_leak", {"60", "500"});  // ~430 KB/s of contexts
  // One leak per call site in leak_cipher_contexts (EVP_CIPHER_CTX_new, EVP_MD_CTX_new and
  // the two inits allocate in different places). Every one must be charged to libcrypto and
  // reach the application function: a stack cut short inside libcrypto (no frame pointers
  // there) would show up here as a crypto_context leak without it.
  auto leaks = leaks_of_type(report, "crypto_context");
  ASSERT_FALSE(leaks.empty()) << report["leaks"].dump(1);
  double leaked = 0;
  for (const auto& leak : leaks) {
    const std::string stack = leak["stackTrace"].get<std::string>();
    EXPECT_TRUE(contains(frame_of(stack, "leak_cipher_contexts"), "[crypto_leak]")) << stack;
    EXPECT_TRUE(contains(stack.substr(0, stack.find('\n')), "[libcrypto.so")) << stack;
    EXPECT_TRUE(contains(leak["source"].get<std::string>(), "leak_cipher_contexts ("))
        << leak.dump(1);
    EXPECT_TRUE(any_evidence_contains(leak, "allocated inside libcrypto.so")) << leak.dump(1);
    leaked += leak["estimatedSize"].get<double>();
  }
  EXPECT_GT(leaked, 2 * kMiB) << report["leaks"].dump(1);
  EXPECT_TRUE(leaks_of_type(report, "native_module").empty()) << report["leaks"].dump(1);
  EXPECT_TRUE(leaks_of_type(report, "buffer_leak").empty()) << report["leaks"].dump(1);
  EXPECT_TRUE(leaks_of_type(report, "unknown").empty()) << report["leaks"].dump(1);

  auto module = module_entry(report, "libcrypto.so");
  ASSERT_FALSE(module.is_null()) << report["nativeModules"].dump(1);
  EXPECT_EQ(module["moduleType"], "crypto");
  EXPECT_GT(module["liveHeapBytes"].get<double>(), 2 * kMiB) << module.dump(1);
}

TEST_F(AgentLeaks, LeakedAnonymousMappingsAreAnMmapBufferLeakInTheProgram) {
  auto report = run_with_agent("mmap_growth", {"60", "512"});  // 512 KB/s of 64 KB regions
  bool found = false;
  for (const auto& leak : leaks_of_type(report, "buffer_leak")) {
    const std::string stack = leak["stackTrace"].get<std::string>();
    if (!contains(stack, "map_leaked_region")) continue;
    found = true;
    EXPECT_TRUE(contains(frame_of(stack, "map_leaked_region"), "[mmap_growth]")) << stack;
    EXPECT_TRUE(contains(leak["source"].get<std::string>(), "map_leaked_region (")) << leak.dump(1);
    EXPECT_TRUE(any_evidence_contains(leak, "mmap allocations")) << leak.dump(1);
    EXPECT_GT(leak["estimatedSize"].get<double>(), 2 * kMiB) << leak.dump(1);
  }
  EXPECT_TRUE(found) << "no buffer_leak at map_leaked_region\n" << report["leaks"].dump(1);
  EXPECT_TRUE(leaks_of_type(report, "unknown").empty()) << "the agent explains the growth\n"
                                                        << report["leaks"].dump(1);

  bool buffer = false;
  for (const auto& b : report["bufferLeaks"])
    if (b["isLeak"].get<bool>() && b["bufferType"] == "mmap" &&
        contains(b["stackTrace"].get<std::string>(), "map_leaked_region"))
      buffer = true;
  EXPECT_TRUE(buffer) << report["bufferLeaks"].dump(1);

  auto program = module_entry(report, "mmap_growth");
  ASSERT_FALSE(program.is_null()) << report["nativeModules"].dump(1);
  EXPECT_GT(program["liveHeapBytes"].get<double>(), 2 * kMiB) << program.dump(1);
}

TEST_F(AgentLeaks, LibraryThatFreesWhatItAllocatesIsNoLeak) {
  auto report = run_with_agent("module_user", {"60", "512", "0"});  // 512 KB/s, all freed
  EXPECT_TRUE(report["leaks"].empty()) << report["leaks"].dump(1);
  for (const auto& b : report["bufferLeaks"]) EXPECT_FALSE(b["isLeak"].get<bool>()) << b.dump(1);
  // The agent did see the library's traffic: the absence of a leak is a finding, not blindness.
  auto module = module_entry(report, kLeakyModule);
  ASSERT_FALSE(module.is_null()) << report["nativeModules"].dump(1);
  EXPECT_GT(module["allocations"].get<int64_t>(), 200) << module.dump(1);
  EXPECT_GT(module["deallocations"].get<int64_t>(), 200) << module.dump(1);
  EXPECT_LT(module.value("liveHeapBytes", 0.0), 64 * 1024.0) << module.dump(1);
}

}  // namespace
}  // namespace memlens::testing
