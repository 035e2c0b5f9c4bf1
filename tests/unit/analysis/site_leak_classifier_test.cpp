// Leak typing by where the bytes are charged: application code → buffer_leak, a library →
// native_module, a crypto/TLS library → crypto_context; sizes, rates, severity, merging, ids.
#include "analysis/site_leak_classifier.h"

#include <gtest/gtest.h>

#include "analysis/buffer_leak_detector.h"
#include "analysis/site_history.h"

namespace memlens::analysis {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;
constexpr int64_t kStep = 5'000;
constexpr int kSteps = 60;

Frame frame(std::string fn, std::string file, int line, std::string module, std::string path,
            bool exe = false) {
  Frame f;
  f.address = 0x1000;
  f.function = std::move(fn);
  f.file = std::move(file);
  f.line = line;
  f.module = std::move(module);
  f.module_path = std::move(path);
  f.in_executable = exe;
  return f;
}

const Frame kAgentMalloc =
    frame("malloc", "", 0, "libmemlens-agent.so", "/opt/m/libmemlens-agent.so");
const Frame kLibcStrdup =
    frame("strdup", "", 0, "libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6");
const Frame kOperatorNew = frame("operator new(unsigned long)", "", 0, "libstdc++.so.6",
                                 "/usr/lib/x86_64-linux-gnu/libstdc++.so.6");
const Frame kAppInsert =
    frame("Cache::insert(int)", "/src/cache.cpp", 212, "server", "/opt/app/server", true);
const Frame kAppOpen =
    frame("Session::open()", "/src/session.cpp", 40, "server", "/opt/app/server", true);
const Frame kMain = frame("main", "/src/main.cpp", 10, "server", "/opt/app/server", true);
const Frame kCryptoZalloc =
    frame("CRYPTO_zalloc", "", 0, "libcrypto.so.3", "/usr/lib/x86_64-linux-gnu/libcrypto.so.3");
const Frame kCryptoCtxNew = frame("EVP_CIPHER_CTX_new", "", 0, "libcrypto.so.3",
                                  "/usr/lib/x86_64-linux-gnu/libcrypto.so.3");
const Frame kPlugin =
    frame("plugin_alloc", "/src/plugin.c", 33, "libplugin.so", "/opt/app/lib/libplugin.so");
const Frame kSqlite =
    frame("sqlite3Malloc", "", 0, "libsqlite3.so.0", "/usr/lib/x86_64-linux-gnu/libsqlite3.so.0");

// A site whose live bytes grow by `per_step` every 5 s for 300 s and that frees nothing.
SiteHistory leaking_site(uint64_t id, std::vector<Frame> frames, uint64_t per_step,
                         BufferType type = BufferType::kMalloc) {
  SiteHistory h;
  h.site.frames = std::move(frames);
  for (int i = 0; i <= kSteps; ++i)
    append_point(h, {kT0 + i * kStep, uint64_t(i) * per_step, uint64_t(i) * 10, 0}, 1000);
  SiteSample& s = h.site.sample;
  s.site_id = id;
  s.buffer_type = type;
  s.live_bytes = kSteps * per_step;
  s.allocations = kSteps * 10;
  s.live_count = s.allocations;
  s.frees = 0;
  s.first_seen = kT0;
  s.oldest_live = kT0;
  s.live_by_age[1] = s.live_bytes;
  return h;
}

std::vector<Leak> classify(const std::vector<SiteHistory>& histories) {
  Config cfg;
  auto detections = detect_buffer_leaks(histories, kT0 + kSteps * kStep, cfg);
  return classify_site_leaks(histories, detections, cfg);
}

TEST(SiteLeakClassifier, ApplicationSiteIsABufferLeak) {
  std::vector<SiteHistory> h = {leaking_site(1, {kAgentMalloc, kAppInsert, kMain}, 102'400)};
  std::vector<Leak> leaks = classify(h);
  ASSERT_EQ(leaks.size(), 1u);
  const Leak& l = leaks[0];
  EXPECT_EQ(l.type, LeakType::kBufferLeak);
  EXPECT_EQ(l.source, "Cache::insert(int) (/src/cache.cpp:212)");
  EXPECT_EQ(l.estimated_size, 60u * 102'400);
  EXPECT_NEAR(l.growth_rate, 102'400.0 / 5, 1e-6);  // exact line: 100 KB per 5 s
  EXPECT_EQ(l.severity, Severity::kLow);            // 6 MB, 20 KB/s
  EXPECT_EQ(l.id.rfind("buffer_leak-", 0), 0u) << l.id;
  EXPECT_NE(l.recommendation.find("Cache::insert(int)"), std::string::npos);
  EXPECT_NE(l.stack_trace.find("main (/src/main.cpp:10) [server]"), std::string::npos);
  ASSERT_GE(l.evidence.size(), 2u);
  EXPECT_EQ(l.evidence[0], "600 allocations, 0 frees, 600 live, oldest 5 min");
  EXPECT_EQ(l.evidence[1], "live bytes +20 KB/s over 300 s (+5.9 MB in the window)");
  EXPECT_EQ(l.first_detected, kT0 + kSteps * kStep);
}

TEST(SiteLeakClassifier, RuntimeFramesAreSkippedWhenCharging) {
  // strdup (libc) called from the app: still the app's leak.
  std::vector<SiteHistory> h = {leaking_site(1, {kAgentMalloc, kLibcStrdup, kAppInsert}, 4096)};
  std::vector<Leak> leaks = classify(h);
  ASSERT_EQ(leaks.size(), 1u);
  EXPECT_EQ(leaks[0].type, LeakType::kBufferLeak);
}

TEST(SiteLeakClassifier, LibrarySiteIsANativeModuleLeak) {
  std::vector<SiteHistory> h = {
      leaking_site(2, {kAgentMalloc, kSqlite, kAppInsert, kMain}, 1 << 20),
      leaking_site(3, {kAgentMalloc, kPlugin, kMain}, 4096)};
  std::vector<Leak> leaks = classify(h);
  ASSERT_EQ(leaks.size(), 2u);
  // Largest first: the sqlite site, charged to libsqlite3 but sourced in the app.
  EXPECT_EQ(leaks[0].type, LeakType::kNativeModule);
  EXPECT_EQ(leaks[0].source, "Cache::insert(int) (/src/cache.cpp:212)");
  EXPECT_EQ(leaks[0].severity, Severity::kHigh);  // 60 MB (> 50 MB) at 204.8 KB/s
  bool found = false;
  for (const std::string& e : leaks[0].evidence)
    found |= e == "allocated inside libsqlite3.so.0 by sqlite3Malloc";
  EXPECT_TRUE(found);
  EXPECT_NE(leaks[0].recommendation.find("libsqlite3.so.0"), std::string::npos);
  // A user library outside the system directories is application code for the source.
  EXPECT_EQ(leaks[1].type, LeakType::kNativeModule);
  EXPECT_EQ(leaks[1].source, "plugin_alloc (/src/plugin.c:33)");
}

TEST(SiteLeakClassifier, CryptoLibrarySiteIsACryptoContextLeak) {
  std::vector<SiteHistory> h = {
      leaking_site(4, {kAgentMalloc, kCryptoZalloc, kCryptoCtxNew, kAppOpen, kMain}, 8192)};
  std::vector<Leak> leaks = classify(h);
  ASSERT_EQ(leaks.size(), 1u);
  EXPECT_EQ(leaks[0].type, LeakType::kCryptoContext);
  EXPECT_EQ(leaks[0].source, "Session::open() (/src/session.cpp:40)");
  EXPECT_NE(leaks[0].recommendation.find("EVP_*_CTX_free"), std::string::npos);
  // The evidence names the library call the application made, not only the allocator under it.
  bool names_entry = false;
  for (const std::string& e : leaks[0].evidence)
    names_entry |=
        e == "allocated inside libcrypto.so.3 by CRYPTO_zalloc, called through EVP_CIPHER_CTX_new";
  EXPECT_TRUE(names_entry);
  EXPECT_EQ(leaks[0].id.rfind("crypto_context-", 0), 0u);
}

TEST(SiteLeakClassifier, SameCauseMergesAndIdsAreStable) {
  std::vector<SiteHistory> h = {
      leaking_site(5, {kAgentMalloc, kAppInsert, kMain}, 1000, BufferType::kMalloc),
      leaking_site(6, {kOperatorNew, kAppInsert, kMain}, 3000, BufferType::kNew)};
  std::vector<Leak> first = classify(h);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].estimated_size, 60u * 4000);
  EXPECT_NEAR(first[0].growth_rate, 4000.0 / 5, 1e-6);
  std::vector<Leak> again = classify(h);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(first[0].id, again[0].id);

  // Same source charged to another module is another leak.
  std::vector<SiteHistory> other = {leaking_site(7, {kAgentMalloc, kSqlite, kAppInsert}, 1000)};
  EXPECT_NE(classify(other)[0].id, first[0].id);
}

TEST(SiteLeakClassifier, LibraryLeaksOfOneFunctionAreOneLeakButAppLinesStayApart) {
  // Two calls of Session::open() into libcrypto (lines 40 and 41), each leaking 300 KB per
  // 5 s: one crypto_context leak at the combined 120 KB/s ("medium"), not two "low" ones.
  Frame open41 = kAppOpen;
  open41.line = 41;
  std::vector<SiteHistory> h = {
      leaking_site(20, {kAgentMalloc, kCryptoZalloc, kCryptoCtxNew, kAppOpen, kMain}, 300'000),
      leaking_site(21, {kAgentMalloc, kCryptoZalloc, kCryptoCtxNew, open41, kMain}, 300'000)};
  std::vector<Leak> leaks = classify(h);
  ASSERT_EQ(leaks.size(), 1u);
  EXPECT_EQ(leaks[0].type, LeakType::kCryptoContext);
  EXPECT_NEAR(leaks[0].growth_rate, 120'000.0, 1e-6);
  EXPECT_EQ(leaks[0].severity, Severity::kMedium);
  bool names_other_line = false;
  for (const std::string& e : leaks[0].evidence)
    names_other_line |= e == "also from Session::open() (/src/session.cpp:41)";
  EXPECT_TRUE(names_other_line);

  // The same two lines allocating in the application itself are two buffer leaks.
  Frame insert213 = kAppInsert;
  insert213.line = 213;
  std::vector<SiteHistory> app = {leaking_site(22, {kAgentMalloc, kAppInsert, kMain}, 300'000),
                                  leaking_site(23, {kAgentMalloc, insert213, kMain}, 300'000)};
  EXPECT_EQ(classify(app).size(), 2u);
}

TEST(SiteLeakClassifier, SeverityFollowsTheSeedScale) {
  // 6 MB per step: 360 MB in 300 s (> 100 MB) and 1.2 MB/s (> 1 MB/s).
  std::vector<SiteHistory> h = {leaking_site(8, {kAgentMalloc, kAppInsert}, 6 << 20)};
  std::vector<Leak> leaks = classify(h);
  ASSERT_EQ(leaks.size(), 1u);
  EXPECT_EQ(leaks[0].severity, Severity::kCritical);
}

TEST(SiteLeakClassifier, NonLeaksAreNotTyped) {
  SiteHistory h = leaking_site(9, {kAgentMalloc, kAppInsert}, 1000);
  BufferLeakDetection d;
  d.site_id = 9;
  d.is_leak = false;
  std::vector<SiteHistory> v = {h};
  EXPECT_TRUE(classify_site_leaks(v, {d}, Config{}).empty());
  d.site_id = 12345;  // unknown site
  d.is_leak = true;
  EXPECT_TRUE(classify_site_leaks(v, {d}, Config{}).empty());
}

TEST(SiteLeakClassifier, ExplainedGrowthRateSumsSiteLeaks) {
  std::vector<Leak> leaks(4);
  leaks[0].type = LeakType::kBufferLeak;
  leaks[0].growth_rate = 1000;
  leaks[1].type = LeakType::kNativeModule;
  leaks[1].growth_rate = 250.4;
  leaks[2].type = LeakType::kCryptoContext;
  leaks[2].growth_rate = 100;
  leaks[3].type = LeakType::kFileHandle;  // descriptors/s, not bytes
  leaks[3].growth_rate = 7;
  EXPECT_EQ(explained_growth_rate(leaks), 1350u);
  EXPECT_EQ(explained_growth_rate({}), 0u);
}

TEST(SiteLeakClassifier, LeakTypeForStacks) {
  EXPECT_EQ(leak_type_for({kAgentMalloc, kAppInsert}), LeakType::kBufferLeak);
  EXPECT_EQ(leak_type_for({kAgentMalloc, kCryptoZalloc, kAppInsert}), LeakType::kCryptoContext);
  EXPECT_EQ(leak_type_for({kAgentMalloc, kPlugin}), LeakType::kNativeModule);
  EXPECT_EQ(leak_type_for({kAgentMalloc, kLibcStrdup}), LeakType::kBufferLeak);  // runtime only
  EXPECT_EQ(leak_type_for({}), LeakType::kBufferLeak);
}

}  // namespace
}  // namespace memlens::analysis
