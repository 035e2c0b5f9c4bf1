// Native-module attribution: mapping RSS per ELF module plus the live bytes charged to it
// through allocation stacks, with and without the agent.
#include "analysis/module_attribution.h"

#include <gtest/gtest.h>

#include <memory>

namespace memlens::analysis {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;

Frame frame(std::string fn, std::string module, std::string path, bool exe = false) {
  Frame f;
  f.function = std::move(fn);
  f.module = std::move(module);
  f.module_path = std::move(path);
  f.in_executable = exe;
  return f;
}

const std::string kServer = "/opt/app/server";
const std::string kCrypto = "/usr/lib/x86_64-linux-gnu/libcrypto.so.3";
const std::string kLibc = "/usr/lib/x86_64-linux-gnu/libc.so.6";

FileMappingUsage file(const std::string& path, uint64_t rss, bool exec) {
  FileMappingUsage f;
  f.path = path;
  f.rss = rss;
  f.executable = exec;
  return f;
}

std::shared_ptr<SnapshotDetail> detail(uint64_t server_code, uint64_t crypto_code) {
  auto d = std::make_shared<SnapshotDetail>();
  d->files = {file(kServer, server_code, true), file(kServer, 1 << 20, false),
              file(kCrypto, crypto_code, true), file(kCrypto, 512 << 10, false),
              file(kLibc, 1536 << 10, true),    file("/var/lib/app/data.db", 40 << 20, false)};
  return d;
}

SiteHistory site(uint64_t id, std::vector<Frame> frames,
                 std::vector<std::pair<int64_t, uint64_t>> live, uint64_t allocations,
                 uint64_t frees) {
  SiteHistory h;
  h.site.frames = std::move(frames);
  for (auto [t, bytes] : live) append_point(h, {t, bytes, allocations, frees}, 100);
  h.site.sample.site_id = id;
  h.site.sample.live_bytes = live.back().second;
  h.site.sample.allocations = allocations;
  h.site.sample.frees = frees;
  return h;
}

const NativeModuleAttribution* by_name(const std::vector<NativeModuleAttribution>& v,
                                       const std::string& name) {
  for (const auto& m : v)
    if (m.module_name == name) return &m;
  return nullptr;
}

TEST(ModuleAttribution, MappingsOnlyWithoutTheAgent) {
  auto d = detail(2 << 20, 3 << 20);
  auto modules = attribute_modules(d.get(), {}, {});
  ASSERT_EQ(modules.size(), 3u);  // the data file is not a module
  EXPECT_EQ(by_name(modules, "data.db"), nullptr);
  const auto* crypto = by_name(modules, "libcrypto.so.3");
  ASSERT_NE(crypto, nullptr);
  EXPECT_EQ(crypto->module_type, ModuleType::kCrypto);
  EXPECT_EQ(crypto->mapped_rss, (3u << 20) + (512u << 10));  // code + its data mapping
  EXPECT_DOUBLE_EQ(crypto->estimated_memory_mb, 3.5);
  EXPECT_DOUBLE_EQ(crypto->confidence, 0.5);
  EXPECT_EQ(crypto->live_heap_bytes, 0u);
  EXPECT_EQ(crypto->evidence.back(),
            "mappings only: without the agent the heap it allocates is unknown");
  EXPECT_EQ(modules.front().module_name, "libcrypto.so.3");  // largest first
  EXPECT_EQ(by_name(modules, "server")->module_type, ModuleType::kOther);
}

TEST(ModuleAttribution, LiveBytesAreChargedToTheAttributingModule) {
  auto d = detail(2 << 20, 3 << 20);
  std::vector<SiteHistory> sites = {
      // libcrypto allocating for the app: charged to libcrypto.
      site(1,
           {frame("malloc", "libmemlens-agent.so", "/o/libmemlens-agent.so"),
            frame("CRYPTO_zalloc", "libcrypto.so.3", kCrypto),
            frame("Session::open()", "server", kServer, true)},
           {{kT0, 1 << 20}, {kT0 + 5000, 4 << 20}, {kT0 + 10000, 10 << 20}}, 500, 20),
      // the app's own allocation through libstdc++'s operator new.
      site(2,
           {frame("operator new(unsigned long)", "libstdc++.so.6", "/usr/lib/libstdc++.so.6"),
            frame("Cache::insert(int)", "server", kServer, true)},
           {{kT0, 2 << 20}, {kT0 + 10000, 2 << 20}}, 100, 0),
      // only runtime frames (stdio buffer at start-up): the leaf's module keeps it.
      site(3,
           {frame("malloc", "libc.so.6", kLibc), frame("_IO_file_doallocate", "libc.so.6", kLibc)},
           {{kT0, 4096}}, 1, 0)};
  std::vector<Snapshot> window(3);
  for (int i = 0; i < 3; ++i) {
    window[i].timestamp = kT0 + i * 5000;
    window[i].detail = d;
  }
  auto modules = attribute_modules(d.get(), sites, window);
  const auto* crypto = by_name(modules, "libcrypto.so.3");
  ASSERT_NE(crypto, nullptr);
  EXPECT_EQ(crypto->live_heap_bytes, 10u << 20);
  EXPECT_DOUBLE_EQ(crypto->estimated_memory_mb, 3.5 + 10);
  EXPECT_EQ(crypto->allocations, 500u);
  EXPECT_EQ(crypto->deallocations, 20u);
  EXPECT_DOUBLE_EQ(crypto->confidence, 0.9);
  EXPECT_DOUBLE_EQ(crypto->min_mb, 3.5 + 1);  // at kT0
  EXPECT_DOUBLE_EQ(crypto->max_mb, 3.5 + 10);
  EXPECT_EQ(crypto->evidence[1],
            "10.0 MB live in 1 allocation site charged to it (500 allocations, 20 frees)");
  // The site is charged to libcrypto but its source is the application function.
  EXPECT_EQ(crypto->evidence[2], "largest site: Session::open() [server], 10.0 MB");

  const auto* server = by_name(modules, "server");
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(server->live_heap_bytes, 2u << 20);
  EXPECT_EQ(server->mapped_rss, (2u << 20) + (1u << 20));
  EXPECT_DOUBLE_EQ(server->estimated_memory_mb, 5);

  const auto* libc = by_name(modules, "libc.so.6");
  ASSERT_NE(libc, nullptr);
  EXPECT_EQ(libc->live_heap_bytes, 4096u);
  EXPECT_EQ(by_name(modules, "libstdc++.so.6"), nullptr) << "runtime is never charged over the app";
  EXPECT_EQ(modules.front().module_name, "libcrypto.so.3");
}

TEST(ModuleAttribution, ModuleWithoutLiveAllocationsUnderTheAgent) {
  auto d = detail(2 << 20, 3 << 20);
  std::vector<SiteHistory> sites = {
      site(1, {frame("main", "server", kServer, true)}, {{kT0, 100}}, 1, 0)};
  auto modules = attribute_modules(d.get(), sites, {});
  const auto* crypto = by_name(modules, "libcrypto.so.3");
  ASSERT_NE(crypto, nullptr);
  EXPECT_DOUBLE_EQ(crypto->confidence, 0.8);
  EXPECT_EQ(crypto->evidence.back(), "no live allocations charged to it");
}

TEST(ModuleAttribution, SitesWithoutASmapsPass) {
  std::vector<SiteHistory> sites = {
      site(1, {frame("deflateInit2_", "libz.so.1", "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13")},
           {{kT0, 3 << 20}}, 3, 0)};
  auto modules = attribute_modules(nullptr, sites, {});
  ASSERT_EQ(modules.size(), 1u);
  EXPECT_EQ(modules[0].module_name, "libz.so.1");
  EXPECT_EQ(modules[0].module_type, ModuleType::kCompression);
  EXPECT_DOUBLE_EQ(modules[0].estimated_memory_mb, 3);
  EXPECT_DOUBLE_EQ(modules[0].confidence, 0.7);
}

TEST(ModuleAttribution, RangeFollowsMappingsOfEachSmapsPass) {
  auto early = detail(1 << 20, 3 << 20);
  auto late = detail(4 << 20, 3 << 20);
  std::vector<Snapshot> window(2);
  window[0].timestamp = kT0;
  window[0].detail = early;
  window[1].timestamp = kT0 + 60'000;
  window[1].detail = late;
  auto modules = attribute_modules(late.get(), {}, window);
  const auto* server = by_name(modules, "server");
  ASSERT_NE(server, nullptr);
  EXPECT_DOUBLE_EQ(server->min_mb, 2);  // 1 MB code + 1 MB data
  EXPECT_DOUBLE_EQ(server->max_mb, 5);
}

}  // namespace
}  // namespace memlens::analysis
