// resolve_site over real return addresses of this process, the frame roles (runtime,
// attributing, application) and format_stack against a golden file.
#include "ingest/site_resolver.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cstdlib>

#include "../symbolize/golden.h"
#include "analysis/buffer_leak_detector.h"
#include "analysis/site_history.h"
#include "analysis/site_leak_classifier.h"
#include "base/clock.h"
#include "symbolize/module_map.h"
#include "symbolize/symbolizer.h"

namespace memlens::ingest {
namespace {

__attribute__((noinline, noipa)) uint64_t capture_return_address() {
  return reinterpret_cast<uint64_t>(__builtin_return_address(0));
}

// A stand-in for an application function that calls into a library: its return address is
// what the agent would record for the frame.
__attribute__((noinline, noipa)) uint64_t session_open() {
  uint64_t where = capture_return_address();
  asm volatile("" ::: "memory");  // work after the call: no tail call, so this frame is real
  return where;
}

Frame frame(std::string fn, std::string module, std::string path, bool exe = false,
            std::string file = "", int line = 0) {
  Frame f;
  f.function = std::move(fn);
  f.module = std::move(module);
  f.module_path = std::move(path);
  f.in_executable = exe;
  f.file = std::move(file);
  f.line = line;
  return f;
}

TEST(SiteResolver, ResolvesALibcryptoLeakStackOfThisProcess) {
  // The stack as the agent records it, leaf first: malloc's caller inside libcrypto, then the
  // application function. libcrypto's functions are entered at +1 to stand in for a return
  // address inside them (the resolver looks up address-1).
  auto in_crypto = reinterpret_cast<uint64_t>(&EVP_CIPHER_CTX_new) + 1;
  auto in_libc = reinterpret_cast<uint64_t>(&std::malloc) + 1;
  uint64_t in_app = session_open();
  SiteSample sample;
  sample.site_id = 42;
  sample.first_seen = base::wall_ms();
  sample.stack = {in_libc, in_crypto, in_app};

  symbolize::ModuleMap map;
  auto refreshed = map.refresh(getpid(), base::wall_ms());
  ASSERT_TRUE(refreshed) << refreshed.error().message;
  symbolize::Symbolizer symbolizer(map);
  SymbolizedSite site = resolve_site(sample, symbolizer);
  EXPECT_EQ(site.sample.site_id, 42u);
  ASSERT_GE(site.frames.size(), 3u);

  EXPECT_EQ(site.frames[0].module, "libc.so.6");
  EXPECT_TRUE(is_runtime_frame(site.frames[0]));
  EXPECT_EQ(site.frames[1].function, "EVP_CIPHER_CTX_new");
  EXPECT_EQ(site.frames[1].module, "libcrypto.so.3");
  EXPECT_FALSE(is_runtime_frame(site.frames[1]));
  const Frame& app = site.frames.back();
  EXPECT_NE(app.function.find("session_open"), std::string::npos) << app.function;
  EXPECT_TRUE(app.in_executable);
  EXPECT_NE(app.file.find("site_resolver_test.cpp"), std::string::npos) << app.file;
  EXPECT_GT(app.line, 0);

  const Frame* charged = attributing_frame(site.frames);
  ASSERT_NE(charged, nullptr);
  EXPECT_EQ(charged->module, "libcrypto.so.3");
  const Frame* source = first_application_frame(site.frames);
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source, &site.frames.back());
  EXPECT_EQ(site_source(site.frames), format_source(app));

  // On through the analysis: a growing site with this stack is a crypto_context leak whose
  // source is the application function.
  analysis::SiteHistory h{site, {}};
  const int64_t t0 = 1'700'000'000'000;
  for (int i = 0; i <= 10; ++i)
    analysis::append_point(h, {t0 + i * 5000, uint64_t(i) << 16, uint64_t(i) * 4, 0}, 100);
  h.site.sample.live_bytes = 10 << 16;
  h.site.sample.allocations = 40;
  std::vector<analysis::SiteHistory> histories = {h};
  Config cfg;
  auto detections = analysis::detect_buffer_leaks(histories, t0 + 50'000, cfg);
  auto leaks = analysis::classify_site_leaks(histories, detections, cfg);
  ASSERT_EQ(leaks.size(), 1u);
  EXPECT_EQ(leaks[0].type, LeakType::kCryptoContext);
  EXPECT_NE(leaks[0].source.find("session_open"), std::string::npos) << leaks[0].source;
  EXPECT_NE(leaks[0].stack_trace.find("EVP_CIPHER_CTX_new [libcrypto.so.3]"), std::string::npos)
      << leaks[0].stack_trace;
}

TEST(SiteResolver, EmptyAndUnknownStacks) {
  symbolize::ModuleMap map;  // never refreshed: nothing is known
  symbolize::Symbolizer symbolizer(map);
  SiteSample sample;
  sample.stack = {0x1234};
  SymbolizedSite site = resolve_site(sample, symbolizer);
  ASSERT_EQ(site.frames.size(), 1u);
  EXPECT_EQ(site.frames[0].function, "??");
  EXPECT_EQ(attributing_frame(site.frames), nullptr);
  EXPECT_EQ(first_application_frame(site.frames), nullptr);
  EXPECT_EQ(site_source(site.frames), "?? [0x1234]");
  EXPECT_EQ(site_source({}), "unknown");
  EXPECT_TRUE(resolve_site(SiteSample{}, symbolizer).frames.empty());
}

TEST(FrameRoles, RuntimeModules) {
  for (const char* m : {"libc.so.6", "libstdc++.so.6", "libgcc_s.so.1", "ld-linux-x86-64.so.2",
                        "libmemlens-agent.so", "libm.so.6", "libpthread.so.0", "libjemalloc.so.2",
                        "/usr/lib/x86_64-linux-gnu/libc.so.6", "[vdso]"})
    EXPECT_TRUE(is_runtime_module(m)) << m;
  for (const char* m : {"libcrypto.so.3", "libcurl.so.4", "libmagic.so.1", "server", "libcap.so.2",
                        "libmemcached.so.11", "librtmp.so.1"})
    EXPECT_FALSE(is_runtime_module(m)) << m;
  EXPECT_FALSE(is_runtime_frame(frame("??", "", "")));
}

TEST(FrameRoles, ApplicationFramesAreTheProgramAndNonSystemLibraries) {
  std::vector<Frame> frames = {
      frame("malloc", "libmemlens-agent.so", "/opt/memlens/lib/libmemlens-agent.so"),
      frame("sqlite3Malloc", "libsqlite3.so.0", "/usr/lib/x86_64-linux-gnu/libsqlite3.so.0"),
      frame("plugin_run", "libplugin.so", "/home/me/build/libplugin.so"),
      frame("main", "server", "/usr/bin/server", true)};
  EXPECT_EQ(attributing_frame(frames), &frames[1]);
  EXPECT_EQ(first_application_frame(frames), &frames[2]);
  frames.erase(frames.begin() + 2);
  // The program counts even when it is installed under /usr.
  EXPECT_EQ(first_application_frame(frames), &frames[2]);
  EXPECT_TRUE(is_system_path("/usr/lib/x86_64-linux-gnu/libz.so.1"));
  EXPECT_TRUE(is_system_path("/lib64/ld-linux-x86-64.so.2"));
  EXPECT_FALSE(is_system_path("/usr/local/lib/libfoo.so"));
  EXPECT_FALSE(is_system_path("/opt/app/lib/libfoo.so"));
}

TEST(FrameRoles, SystemHeaderCodeInTheProgramIsNotTheSource) {
  // vector growth: operator new ← std::__new_allocator<int>::allocate (inlined from
  // /usr/include) ← std::vector<int>::_M_realloc_insert (out of line, /usr/include) ← the
  // application's Cache::insert.
  std::vector<Frame> frames = {
      frame("operator new(unsigned long)", "libstdc++.so.6",
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6"),
      frame("std::__new_allocator<int>::allocate(unsigned long, void const*)", "server",
            "/usr/bin/server", true, "/usr/include/c++/12/bits/new_allocator.h", 137),
      frame("void std::vector<int>::_M_realloc_insert<int const&>(...)", "server",
            "/usr/bin/server", true, "/usr/include/c++/12/bits/vector.tcc", 445),
      frame("Cache::insert(int)", "server", "/usr/bin/server", true, "/src/cache.cpp", 212)};
  frames[1].inlined = true;
  EXPECT_EQ(attributing_frame(frames), &frames[1]) << "the bytes are still the program's";
  EXPECT_EQ(first_application_frame(frames), &frames[3]);
  frames.pop_back();  // only header code: better than nothing
  EXPECT_EQ(first_application_frame(frames), &frames[1]);
  EXPECT_TRUE(is_system_source("/usr/include/c++/12/bits/vector.tcc"));
  EXPECT_FALSE(is_system_source("/src/cache.cpp"));
  EXPECT_FALSE(is_system_source(""));
}

TEST(FrameRoles, FormatStackGolden) {
  std::vector<Frame> frames = {
      frame("malloc", "libmemlens-agent.so", "/opt/memlens/libmemlens-agent.so"),
      frame("Cache::grow(int)", "server", "/opt/app/server", true, "/src/cache.h", 5),
      frame("Cache::insert(int)", "server", "/opt/app/server", true, "/src/cache.cpp", 212),
      frame("??", "libplugin.so", "/opt/app/lib/libplugin.so"),
      frame("??", "", ""),
      frame("main", "server", "/opt/app/server", true, "/src/main.cpp", 10)};
  frames[1].inlined = true;
  frames[3].module_offset = 0x1a2b;
  frames[4].address = 0x7f0012345678;
  memlens::testing::expect_golden("format_stack.expected", format_stack(frames) + "\n");
  EXPECT_EQ(format_source(frames[2]), "Cache::insert(int) (/src/cache.cpp:212)");
  EXPECT_EQ(format_source(frames[0]), "malloc [libmemlens-agent.so]");
  EXPECT_EQ(format_source(frames[3]), "?? [libplugin.so+0x1a2b]");
  EXPECT_EQ(format_stack({}), "");
}

}  // namespace
}  // namespace memlens::ingest
