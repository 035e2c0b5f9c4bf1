// Buffer-leak detection per allocation site over synthetic site histories: a leaking site, a
// churning one, an aged-but-stable one, and the confidence formula documented in the header.
#include "analysis/buffer_leak_detector.h"

#include <gtest/gtest.h>

#include "analysis/site_history.h"

namespace memlens::analysis {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;  // ms since epoch
constexpr int64_t kStep = 5'000;

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

std::vector<Frame> app_stack() {
  return {frame("malloc", "", 0, "libmemlens-agent.so", "/opt/memlens/libmemlens-agent.so"),
          frame("Cache::insert(int)", "/src/cache.cpp", 212, "server", "/opt/app/server", true),
          frame("main", "/src/main.cpp", 10, "server", "/opt/app/server", true)};
}

// A history of `steps` points, kStep apart, ending at kT0 + steps*kStep; live(i), allocs(i),
// frees(i) give each point.
template <typename Live, typename Allocs, typename Frees>
SiteHistory make_history(uint64_t id, int steps, Live live, Allocs allocs, Frees frees) {
  SiteHistory h;
  h.site.frames = app_stack();
  for (int i = 0; i <= steps; ++i)
    append_point(h, {kT0 + i * kStep, live(i), allocs(i), frees(i)}, 1000);
  SiteSample& s = h.site.sample;
  s.site_id = id;
  s.live_bytes = h.points.back().live_bytes;
  s.allocations = h.points.back().allocations;
  s.frees = h.points.back().frees;
  s.live_count = s.allocations - s.frees;
  s.first_seen = kT0;
  // Young unless a test says otherwise: the oldest live block is 30 s old (what a site looks
  // like when its old blocks are freed and only recent ones live).
  s.oldest_live = h.points.back().t - 30'000;
  s.live_by_age[0] = s.live_bytes;
  return h;
}

int64_t end_of(int steps) {
  return kT0 + steps * kStep;
}

Config config() {
  Config c;
  c.growth_detection_window_ms = 300'000;
  c.buffer_leak_age_threshold_ms = 300'000;
  return c;
}

SiteHistory leaking(uint64_t id) {
  return make_history(
      id, 60, [](int i) { return uint64_t(i) * 102'400; }, [](int i) { return uint64_t(i) * 100; },
      [](int) { return uint64_t(0); });
}

const BufferLeakDetection* find(const std::vector<BufferLeakDetection>& v, uint64_t id) {
  for (const auto& d : v)
    if (d.site_id == id) return &d;
  return nullptr;
}

TEST(BufferLeakDetector, GrowingSiteThatNeverFreesIsALeak) {
  std::vector<SiteHistory> h = {leaking(1)};
  auto found = detect_buffer_leaks(h, end_of(60), config());
  ASSERT_EQ(found.size(), 1u);
  const BufferLeakDetection& d = found[0];
  EXPECT_TRUE(d.is_leak);
  // Young allocations: 0.4 * 1 (always growing) + 0.3 * 0 (none aged) + 0.3 * 1 (no frees).
  EXPECT_DOUBLE_EQ(d.leak_confidence, 0.7);
  EXPECT_EQ(d.source, "Cache::insert(int) (/src/cache.cpp:212)");
  EXPECT_EQ(d.size, 60u * 102'400);
  EXPECT_EQ(d.age, 30'000);
  EXPECT_EQ(d.buffer_type, BufferType::kMalloc);
  EXPECT_EQ(d.allocations, 6000u);
  EXPECT_EQ(d.frees, 0u);
  EXPECT_NE(d.stack_trace.find("Cache::insert(int) (/src/cache.cpp:212) [server]"),
            std::string::npos)
      << d.stack_trace;
}

TEST(BufferLeakDetector, AgedBytesRaiseConfidence) {
  SiteHistory h = leaking(1);
  h.site.sample.live_by_age = {0, 0, h.site.sample.live_bytes, 0};  // all 5-30 min old
  h.site.sample.oldest_live = end_of(60) - 10 * 60'000;
  std::vector<SiteHistory> v = {h};
  auto found = detect_buffer_leaks(v, end_of(60), config());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_TRUE(found[0].is_leak);
  EXPECT_DOUBLE_EQ(found[0].leak_confidence, 1.0);
  EXPECT_EQ(found[0].age, 10 * 60'000);
}

TEST(BufferLeakDetector, OldestBlockPastThresholdCountsALittleWithoutBuckets) {
  // 6 min old, but the buckets are too coarse to say how many bytes (1-5 min holds them).
  SiteHistory h = leaking(1);
  h.site.sample.oldest_live = end_of(60) - 6 * 60'000;
  h.site.sample.live_by_age = {0, h.site.sample.live_bytes, 0, 0};
  std::vector<SiteHistory> v = {h};
  auto found = detect_buffer_leaks(v, end_of(60), config());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_DOUBLE_EQ(found[0].leak_confidence, 0.4 + 0.3 * 0.25 + 0.3);
}

TEST(BufferLeakDetector, ChurningSiteIsNotALeak) {
  // 1,000 allocations and 1,000 frees per interval, live bytes wobbling around 64 KB.
  std::vector<SiteHistory> v = {make_history(
      2, 60, [](int i) { return uint64_t(65'536 + (i % 2 ? 4096 : 0)); },
      [](int i) { return uint64_t(i) * 1000 + 16; }, [](int i) { return uint64_t(i) * 1000; })};
  auto found = detect_buffer_leaks(v, end_of(60), config());
  const BufferLeakDetection* d = find(found, 2);
  EXPECT_TRUE(d == nullptr || !d->is_leak);
  EXPECT_TRUE(found.empty()) << "young churn has nothing worth showing";
}

TEST(BufferLeakDetector, AgedButStableSiteIsShownButNotALeak) {
  // A cache filled at start: 10 MB, 20 minutes old, never freed, not growing.
  SiteHistory h = make_history(
      3, 60, [](int) { return uint64_t(10) << 20; }, [](int) { return uint64_t(640); },
      [](int) { return uint64_t(0); });
  h.site.sample.oldest_live = end_of(60) - 20 * 60'000;
  h.site.sample.live_by_age = {0, 0, h.site.sample.live_bytes, 0};
  std::vector<SiteHistory> v = {h};
  auto found = detect_buffer_leaks(v, end_of(60), config());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_FALSE(found[0].is_leak);
  EXPECT_LT(found[0].leak_confidence, 0.5);
  EXPECT_EQ(found[0].age, 20 * 60'000);
}

TEST(BufferLeakDetector, MostlyFreeingSiteBecomesALeakWhenItsSurvivorsAge) {
  // 90% of allocations are freed, but live bytes keep growing.
  auto make = [] {
    return make_history(
        4, 60, [](int i) { return uint64_t(i) * 10'240; }, [](int i) { return uint64_t(i) * 100; },
        [](int i) { return uint64_t(i) * 90; });
  };
  std::vector<SiteHistory> young = {make()};
  auto found = detect_buffer_leaks(young, end_of(60), config());
  EXPECT_TRUE(found.empty() || !found[0].is_leak);

  std::vector<SiteHistory> aged = {make()};
  aged[0].site.sample.oldest_live = end_of(60) - 40 * 60'000;
  aged[0].site.sample.live_by_age = {0, 0, 0, aged[0].site.sample.live_bytes};
  found = detect_buffer_leaks(aged, end_of(60), config());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_TRUE(found[0].is_leak);
  EXPECT_NEAR(found[0].leak_confidence, 0.4 + 0.3 + 0.3 * 0.1, 1e-9);
}

TEST(BufferLeakDetector, TooFewPointsIsNotGrowth) {
  std::vector<SiteHistory> v = {make_history(
      5, 1, [](int i) { return uint64_t(i + 1) << 20; }, [](int i) { return uint64_t(i + 1); },
      [](int) { return uint64_t(0); })};
  auto found = detect_buffer_leaks(v, end_of(1), config());
  EXPECT_TRUE(found.empty() || !found[0].is_leak);
}

TEST(BufferLeakDetector, OnlyTheWindowCounts) {
  // Grew long ago, flat for the last 10 minutes: not growing now.
  std::vector<SiteHistory> v = {make_history(
      6, 240, [](int i) { return uint64_t(std::min(i, 100)) << 16; },
      [](int i) { return uint64_t(std::min(i, 100)); }, [](int) { return uint64_t(0); })};
  SiteGrowth g = site_growth(v[0], end_of(240), 300'000);
  EXPECT_EQ(g.points, 61u);
  EXPECT_FALSE(g.growing);
  EXPECT_EQ(g.net, 0);
  auto found = detect_buffer_leaks(v, end_of(240), config());
  EXPECT_TRUE(found.empty() || !found[0].is_leak);
}

TEST(BufferLeakDetector, LeaksComeFirst) {
  SiteHistory stable = make_history(
      7, 60, [](int) { return uint64_t(50) << 20; }, [](int) { return uint64_t(1); },
      [](int) { return uint64_t(0); });
  stable.site.sample.oldest_live = kT0 - 3'600'000;
  stable.site.sample.live_by_age = {0, 0, 0, stable.site.sample.live_bytes};
  std::vector<SiteHistory> v = {stable, leaking(8)};
  auto found = detect_buffer_leaks(v, end_of(60), config());
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].site_id, 8u);
  EXPECT_TRUE(found[0].is_leak);
  EXPECT_FALSE(found[1].is_leak);
}

TEST(SiteHistory, AppendKeepsOrderAndBound) {
  SiteHistory h;
  for (int i = 0; i < 10; ++i) append_point(h, {i * 10, uint64_t(i), 0, 0}, 4);
  ASSERT_EQ(h.points.size(), 4u);
  EXPECT_EQ(h.points.front().t, 60);
  append_point(h, {90, 99, 0, 0}, 4);  // same time: replaces
  EXPECT_EQ(h.points.back().live_bytes, 99u);
  append_point(h, {50, 1, 0, 0}, 4);  // older: ignored
  EXPECT_EQ(h.points.size(), 4u);
  EXPECT_EQ(h.points.back().t, 90);
}

TEST(SiteHistory, RecordSitesKeepsOneSortedHistoryPerSite) {
  std::vector<SiteHistory> histories;
  auto site = [](uint64_t id, uint64_t live) {
    SymbolizedSite s;
    s.sample.site_id = id;
    s.sample.live_bytes = live;
    return s;
  };
  std::vector<SymbolizedSite> pull1 = {site(30, 1), site(10, 2)};
  record_sites(histories, pull1, 1000, 100);
  std::vector<SymbolizedSite> pull2 = {site(20, 3), site(10, 4)};
  record_sites(histories, pull2, 2000, 100);
  ASSERT_EQ(histories.size(), 3u);
  EXPECT_EQ(histories[0].site.sample.site_id, 10u);
  EXPECT_EQ(histories[1].site.sample.site_id, 20u);
  EXPECT_EQ(histories[2].site.sample.site_id, 30u);
  const SiteHistory* ten = find_site(histories, 10);
  ASSERT_NE(ten, nullptr);
  EXPECT_EQ(ten->points.size(), 2u);
  EXPECT_EQ(ten->site.sample.live_bytes, 4u);
  EXPECT_EQ(find_site(histories, 30)->points.size(), 1u);
  EXPECT_EQ(find_site(histories, 99), nullptr);
}

TEST(SiteHistory, EvidenceText) {
  EXPECT_EQ(format_count(12400), "12,400");
  EXPECT_EQ(format_count(7), "7");
  EXPECT_EQ(format_count(1234567), "1,234,567");
  EXPECT_EQ(format_bytes(1.2 * 1048576), "1.2 MB");
  EXPECT_EQ(format_bytes(340 * 1024), "340 KB");
  EXPECT_EQ(format_bytes(512), "512 B");
  EXPECT_EQ(format_age(6 * 60'000 + 5'000), "6 min");
  EXPECT_EQ(format_age(45'000), "45 s");
  EXPECT_EQ(format_age(9'000'000), "2.5 h");
}

}  // namespace
}  // namespace memlens::analysis
