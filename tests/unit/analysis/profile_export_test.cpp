// Export of live memory by stack, each format checked by a reader that is not ours: folded
// stacks by a plain parse of the format (as flamegraph.pl reads it: count after the last
// space, frames split on ';'), pprof by the npm package pprof-format (tests/node/pprof_check.js).
#include "analysis/profile_export.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace memlens::analysis {
namespace {

Frame frame(uint64_t address, std::string fn, std::string file, int line, std::string module,
            bool inlined = false) {
  Frame f;
  f.address = address;
  f.function = std::move(fn);
  f.file = std::move(file);
  f.line = line;
  f.module = std::move(module);
  f.module_path = "/opt/app/" + f.module;
  f.module_offset = address - 0x400000;
  f.inlined = inlined;
  return f;
}

SymbolizedSite make_site(uint64_t id, BufferType type, uint64_t live, uint64_t count,
                         uint64_t allocs, uint64_t bytes, std::vector<Frame> frames) {
  SymbolizedSite s;
  s.sample.site_id = id;
  s.sample.buffer_type = type;
  s.sample.live_bytes = live;
  s.sample.live_count = count;
  s.sample.allocations = allocs;
  s.sample.allocated_bytes = bytes;
  s.frames = std::move(frames);
  return s;
}

std::vector<SymbolizedSite> sample_sites() {
  std::vector<Frame> cache_stack = {
      frame(0x401010, "operator new(unsigned long)", "", 0, "libstdc++.so.6"),
      frame(0x401234, "Cache::grow(int)", "/src/cache.h", 5, "server", true),
      frame(0x401234, "Cache::insert(int)", "/src/cache.cpp", 212, "server"),
      frame(0x401500, "main", "/src/main.cpp", 10, "server")};
  std::vector<Frame> odd_stack = {frame(0x402000, "??", "", 0, "libplugin.so"),
                                  frame(0x403000, "weird;name\twith tab", "/src/w.c", 3, "server"),
                                  frame(0x401500, "main", "/src/main.cpp", 10, "server")};
  odd_stack.push_back(Frame{});  // an address no module holds
  odd_stack.back().address = 0x10;
  odd_stack.back().function = "??";
  return {make_site(1, BufferType::kNew, 3000, 3, 10, 10'000, cache_stack),
          make_site(2, BufferType::kMalloc, 1000, 1, 4, 4'000, cache_stack),
          make_site(3, BufferType::kMmap, 65536, 1, 1, 65536, odd_stack),
          make_site(4, BufferType::kMalloc, 0, 0, 7, 700, {cache_stack[3]})};
}

// Independent reading of folded stacks.
std::map<std::vector<std::string>, uint64_t> parse_folded(const std::string& text) {
  std::map<std::vector<std::string>, uint64_t> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    size_t sp = line.rfind(' ');
    EXPECT_NE(sp, std::string::npos) << line;
    std::vector<std::string> frames;
    std::string stack = line.substr(0, sp), f;
    std::istringstream parts(stack);
    while (std::getline(parts, f, ';')) frames.push_back(f);
    out[frames] += std::stoull(line.substr(sp + 1));
  }
  return out;
}

TEST(ProfileExport, CollapsedStacksReadBack) {
  std::string text = to_collapsed(sample_sites());
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  auto stacks = parse_folded(text);
  ASSERT_EQ(stacks.size(), 2u) << text;  // sites 1 and 2 share a stack; site 4 holds nothing
  std::vector<std::string> cache = {"main", "Cache::insert(int)", "Cache::grow(int)",
                                    "operator new(unsigned long)"};
  EXPECT_EQ(stacks[cache], 4000u);
  std::vector<std::string> odd = {"[0x10]", "main", "weird:name with tab", "[libplugin.so+0x2000]"};
  EXPECT_EQ(stacks[odd], 65536u) << text;
  uint64_t total = 0;
  for (auto& [k, v] : stacks) total += v;
  EXPECT_EQ(total, 3000u + 1000 + 65536);
}

TEST(ProfileExport, CollapsedOfNothingIsEmpty) {
  EXPECT_EQ(to_collapsed({}), "");
  std::vector<SymbolizedSite> no_frames = {make_site(1, BufferType::kMalloc, 10, 1, 1, 10, {})};
  EXPECT_EQ(to_collapsed(no_frames), "[unknown] 10\n");
}

nlohmann::json read_with_pprof_format(const std::string& bytes) {
  char path[] = "/tmp/memlens-pprof-XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  close(fd);
  std::string cmd =
      std::string("node ") + MEMLENS_SOURCE_DIR + "/tests/node/pprof_check.js " + path + " 2>&1";
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    std::array<char, 4096> buf;
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
    int rc = pclose(p);
    EXPECT_EQ(rc, 0) << out;
  }
  unlink(path);
  auto j = nlohmann::json::parse(out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "pprof_check.js said: " << out;
  return j;
}

TEST(ProfileExport, PprofReadByPprofFormat) {
  std::string gz = to_pprof(sample_sites(), 1'700'000'000'123);
  ASSERT_GE(gz.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
  nlohmann::json p = read_with_pprof_format(gz);
  ASSERT_TRUE(p.is_object());
  EXPECT_TRUE(p["gzipped"].get<bool>());
  EXPECT_EQ(p["stringTable0"], "");
  EXPECT_EQ(p["sampleTypes"], nlohmann::json::parse(R"j([["alloc_objects","count"],
      ["alloc_space","bytes"],["inuse_objects","count"],["inuse_space","bytes"]])j"));
  EXPECT_EQ(p["defaultSampleType"], "inuse_space");
  EXPECT_EQ(p["periodType"], nlohmann::json::parse(R"j(["space","bytes"])j"));
  EXPECT_EQ(p["timeNanos"], "1700000000123000000");
  EXPECT_EQ(p["samples"], 4);
  EXPECT_EQ(p["totals"]["inuse_space"], 3000 + 1000 + 65536);
  EXPECT_EQ(p["totals"]["inuse_objects"], 3 + 1 + 1);
  EXPECT_EQ(p["totals"]["alloc_objects"], 10 + 4 + 1 + 7);
  EXPECT_EQ(p["totals"]["alloc_space"], 10'000 + 4'000 + 65536 + 700);
  EXPECT_EQ(p["functions"], nlohmann::json::parse(R"j(["Cache::grow(int)","Cache::insert(int)",
      "main","operator new(unsigned long)","weird;name\twith tab"])j"));
  // Locations are per address: the inline frame and its caller share one, in pprof's order.
  const auto& first = p["stacks"][0];
  EXPECT_EQ(first["frames"], nlohmann::json::parse(R"j(["operator new(unsigned long)",
      "Cache::grow(int)","Cache::insert(int)","main"])j"));
  EXPECT_EQ(first["lines"], nlohmann::json::parse(R"j([":0","/src/cache.h:5","/src/cache.cpp:212",
      "/src/main.cpp:10"])j"));
  EXPECT_EQ(first["modules"][1], "/opt/app/server");
  EXPECT_EQ(first["values"], nlohmann::json::parse("[10,10000,3,3000]"));
  EXPECT_EQ(first["labels"]["bufferType"], "new");
  EXPECT_EQ(p["stacks"][2]["labels"]["bufferType"], "mmap");
  EXPECT_EQ(p["stacks"][2]["frames"][0], "?? @402000");
  EXPECT_EQ(p["stacks"][2]["modules"][3], "") << "an unmapped address has no mapping";
  EXPECT_EQ(p["locations"], 6);  // 0x401010, 0x401234, 0x401500, 0x402000, 0x403000, 0x10
  bool server_mapping = false;
  for (const auto& m : p["mappings"])
    if (m["file"] == "/opt/app/server") {
      server_mapping = true;
      EXPECT_EQ(m["start"], 0x400000);
      EXPECT_EQ(m["limit"], 0x403001);
      EXPECT_TRUE(m["hasInlineFrames"].get<bool>());
    }
  EXPECT_TRUE(server_mapping);
  EXPECT_EQ(p["comments"][0], "memlens: live memory by allocation stack");
}

TEST(ProfileExport, PprofUncompressedAndEmpty) {
  nlohmann::json raw = read_with_pprof_format(to_pprof(sample_sites(), 0, false));
  ASSERT_TRUE(raw.is_object());
  EXPECT_FALSE(raw["gzipped"].get<bool>());
  EXPECT_EQ(raw["samples"], 4);
  nlohmann::json empty = read_with_pprof_format(to_pprof({}, 5));
  ASSERT_TRUE(empty.is_object());
  EXPECT_EQ(empty["samples"], 0);
  EXPECT_EQ(empty["totals"]["inuse_space"], 0);
}

}  // namespace
}  // namespace memlens::analysis
