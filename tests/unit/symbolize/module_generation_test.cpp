// Generations with real dlopen/dlclose in this process: an address recorded while library A
// was loaded still resolves to A's function after A is dlclosed and B is loaded, and the ELF
// is read only when first needed (after the dlclose).
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "symbolize/module_map.h"
#include "symbolize/symbolizer.h"

namespace memlens::symbolize {
namespace {

bool self_maps_contain(const std::string& path) {
  std::ifstream in("/proc/self/maps");
  std::stringstream s;
  s << in.rdbuf();
  return s.str().find(path) != std::string::npos;
}

TEST(ModuleGenerations, DlclosedLibraryKeepsItsNames) {
  ModuleMap map;
  ASSERT_TRUE(map.refresh(getpid(), 1000));

  void* a = dlopen(SYMTEST_GEN_A, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(a, nullptr) << dlerror();
  auto a_fn = reinterpret_cast<uint64_t>(dlsym(a, "gen_a_function"));
  ASSERT_NE(a_fn, 0u);
  auto added = map.refresh(getpid(), 2000);
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_TRUE(*added);

  ASSERT_EQ(dlclose(a), 0);
  ASSERT_FALSE(self_maps_contain(SYMTEST_GEN_A)) << "library A still mapped after dlclose";
  void* b = dlopen(SYMTEST_GEN_B, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(b, nullptr) << dlerror();
  auto b_fn = reinterpret_cast<uint64_t>(dlsym(b, "gen_b_function"));
  ASSERT_TRUE(map.refresh(getpid(), 3000));
  EXPECT_GE(map.generation_count(), 3u);

  Symbolizer symbolizer(map);
  std::vector<Frame> old_frames = symbolizer.symbolize(a_fn, false, 2500);
  ASSERT_FALSE(old_frames.empty());
  EXPECT_EQ(old_frames.back().function, "gen_a_function");
  EXPECT_EQ(old_frames.back().module, "libsymtest_gen_a.so");
  EXPECT_NE(old_frames.back().file.find("gen_a.c"), std::string::npos);

  std::vector<Frame> new_frames = symbolizer.symbolize(b_fn, false);
  ASSERT_FALSE(new_frames.empty());
  EXPECT_EQ(new_frames.back().function, "gen_b_function");
  EXPECT_EQ(new_frames.back().module, "libsymtest_gen_b.so");

  // The loader usually puts B where A was; then the time of recording decides.
  const Module* now_at_a = map.find(a_fn);
  ASSERT_NE(now_at_a, nullptr);
  if (now_at_a->name == "libsymtest_gen_b.so") {
    EXPECT_EQ(symbolizer.symbolize(a_fn, false, 3500).back().module, "libsymtest_gen_b.so");
  } else {
    EXPECT_EQ(now_at_a->name, "libsymtest_gen_a.so");  // fallback to the older generation
  }
  dlclose(b);
}

TEST(SymbolTable, AliasesResolveToThePlainGlobalName) {
  void* lib = dlopen(SYMTEST_ALIAS, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(lib, nullptr) << dlerror();
  auto fn = reinterpret_cast<uint64_t>(dlsym(lib, "alias_weak"));
  ASSERT_NE(fn, 0u);
  EXPECT_EQ(fn, reinterpret_cast<uint64_t>(dlsym(lib, "__alias_impl")));
  ModuleMap map;
  ASSERT_TRUE(map.refresh(getpid(), 1000));
  Symbolizer symbolizer(map);
  // Entry and a return address inside: the same name, without file:line (no DWARF left).
  for (bool ret : {false, true}) {
    std::vector<Frame> frames = symbolizer.symbolize(fn + (ret ? 2 : 0), ret);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].function, "alias_public");
    EXPECT_EQ(frames[0].module, "libsymtest_alias.so");
    EXPECT_TRUE(frames[0].file.empty());
  }
  dlclose(lib);
}

}  // namespace
}  // namespace memlens::symbolize
