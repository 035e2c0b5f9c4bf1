// MapsParser and ModuleMap over captured and hand-written /proc/PID/maps files.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "golden.h"
#include "symbolize/maps_parser.h"
#include "symbolize/module_map.h"

namespace memlens::symbolize {
namespace {

std::string read_data(const std::string& name) {
  std::ifstream in(std::string(MEMLENS_TEST_DATA_DIR) + "/symbolize/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string render_modules(const std::vector<Module>& modules) {
  std::ostringstream out;
  for (const Module& m : modules) {
    out << m.name << " base=" << std::hex << m.base << std::dec << (m.executable ? " exe" : "")
        << (m.deleted ? " deleted" : "") << " path=" << m.path << "\n";
    for (const ExecRange& r : m.ranges)
      out << "  x " << std::hex << r.start << "-" << r.end << " @" << r.file_offset << std::dec
          << "\n";
  }
  return out.str();
}

TEST(MapsParser, ParsesEveryLineOfCapturedMaps) {
  std::string text = read_data("maps_cat.txt");
  auto entries = parse_maps(text);
  ASSERT_TRUE(entries) << entries.error().message;
  size_t lines = 0;
  for (char c : text) lines += c == '\n';
  EXPECT_EQ(entries->size(), lines);
  const MapsEntry& first = entries->front();
  EXPECT_EQ(first.start, 0x5613e1f73000u);
  EXPECT_EQ(first.end, 0x5613e1f75000u);
  EXPECT_TRUE(first.read);
  EXPECT_FALSE(first.exec);
  EXPECT_EQ(first.inode, 247134u);
  EXPECT_EQ(first.dev, "fe:00");
  EXPECT_EQ(first.path, "/usr/bin/cat");
  const MapsEntry& last = entries->back();
  EXPECT_EQ(last.path, "[vsyscall]");
  EXPECT_TRUE(last.exec);
}

TEST(MapsParser, MalformedLineIsAnErrorNamingTheLine) {
  auto r = parse_maps("5613e1f73000-5613e1f75000 r--p 00000000 fe:00 1 /bin/x\nnot a maps line\n");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("line 2"), std::string::npos) << r.error().message;
  EXPECT_FALSE(parse_maps("zzzz-1000 r--p 0 fe:00 1 /x\n"));
  EXPECT_FALSE(parse_maps("2000-1000 r--p 0 fe:00 1 /x\n"));  // end before start
  auto empty = parse_maps("");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(MapsParser, GroupsExecutableMappingsIntoModulesGolden) {
  auto cat = parse_maps(read_data("maps_cat.txt"));
  ASSERT_TRUE(cat);
  memlens::testing::expect_golden("maps_cat_modules.expected", render_modules(group_modules(*cat)));
}

TEST(MapsParser, ManyLibrariesGolden) {
  auto py = parse_maps(read_data("maps_python_ssl.txt"));
  ASSERT_TRUE(py);
  std::vector<Module> modules = group_modules(*py);
  memlens::testing::expect_golden("maps_python_ssl_modules.expected", render_modules(modules));
}

TEST(MapsParser, ExplicitExecutablePathWins) {
  auto cat = parse_maps(read_data("maps_cat.txt"));
  ASSERT_TRUE(cat);
  for (const Module& m : group_modules(*cat, "/usr/lib/x86_64-linux-gnu/libc.so.6"))
    EXPECT_EQ(m.executable, m.name == "libc.so.6") << m.name;
}

TEST(MapsParser, DeletedPathWithSpaces) {
  auto e = parse_maps(read_data("maps_gen2.txt"));
  ASSERT_TRUE(e);
  std::vector<Module> modules = group_modules(*e);
  ASSERT_FALSE(modules.empty());
  const Module& last = modules.back();
  EXPECT_EQ(last.path, "/opt/app/lib/lib with space.so");
  EXPECT_EQ(last.name, "lib with space.so");
  EXPECT_TRUE(last.deleted);
}

TEST(ModuleMap, DlclosedModuleKeepsResolvingThroughItsGeneration) {
  ModuleMap map;
  auto g1 = map.update_from_text(read_data("maps_gen1.txt"), 1000);
  ASSERT_TRUE(g1);
  EXPECT_TRUE(*g1);
  auto same = map.update_from_text(read_data("maps_gen1.txt"), 1500);
  ASSERT_TRUE(same);
  EXPECT_FALSE(*same) << "unchanged maps must not add a generation";
  auto g2 = map.update_from_text(read_data("maps_gen2.txt"), 2000);
  ASSERT_TRUE(g2);
  EXPECT_TRUE(*g2);
  EXPECT_EQ(map.generation_count(), 2u);

  const uint64_t reused = 0x7f1000001800;  // plugin_a's code, later plugin_b's
  ASSERT_NE(map.find(reused, 1200), nullptr);
  EXPECT_EQ(map.find(reused, 1200)->name, "libplugin_a.so");
  EXPECT_EQ(map.find(reused, 2500)->name, "libplugin_b.so");
  EXPECT_EQ(map.find(reused)->name, "libplugin_b.so");
  // Before the first look the first generation answers.
  EXPECT_EQ(map.find(reused, 10)->name, "libplugin_a.so");

  const uint64_t only_a = 0x7f1000003800;  // past plugin_b's code: only plugin_a ever had it
  ASSERT_NE(map.find(only_a, 2500), nullptr);
  EXPECT_EQ(map.find(only_a, 2500)->name, "libplugin_a.so");
  const uint64_t old = 0x7f1000101010;  // libold.so went away with no replacement
  ASSERT_NE(map.find(old), nullptr);
  EXPECT_EQ(map.find(old)->name, "libold.so");
  // Unchanged modules are shared between generations, not copied.
  EXPECT_EQ(map.find(0x55d0c0a02010, 1200), map.find(0x55d0c0a02010, 2500));
  EXPECT_EQ(map.find(0x1000), nullptr);
  EXPECT_EQ(map.find(0x55d0c0a00010), nullptr);  // not executable: no module owns it

  std::vector<const Module*> now = map.current();
  ASSERT_EQ(now.size(), 4u);
  EXPECT_EQ(now[0]->name, "server");
  EXPECT_TRUE(now[0]->executable);
  EXPECT_EQ(now[1]->name, "libplugin_b.so");
}

}  // namespace
}  // namespace memlens::symbolize
