// cgroup parsers and CgroupReader: hand-made v2 files (this host's v2 hierarchy has no memory
// controller), real v1 files captured here, and a fake /proc + /sys tree for path resolution.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "captured.h"
#include "procfs/cgroup.h"
#include "procfs/cgroup_reader.h"

namespace memlens::procfs {
namespace {

using testing::read_data;
namespace fs = std::filesystem;

TEST(CgroupParser, V2PathFromProcPidCgroup) {
  auto p = parse_cgroup_v2_path(read_data("cgroup_v2/cgroup"));
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(*p, "/system.slice/app.service");
  auto hybrid = parse_cgroup_v2_path(read_data("target/cgroup"));  // captured: hybrid host
  ASSERT_TRUE(hybrid);
  EXPECT_EQ(*hybrid, "/");
  EXPECT_EQ(parse_cgroup_v2_path("4:memory:/x\n").error().code, ENOENT);
  EXPECT_FALSE(parse_cgroup_v2_path(""));
}

TEST(CgroupParser, V1MemoryPath) {
  auto p = parse_cgroup_v1_memory_path(read_data("target/cgroup"));
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_TRUE(p->starts_with("/")) << *p;
  auto combined = parse_cgroup_v1_memory_path("3:cpu,cpuacct:/a\n5:memory,hugetlb:/b/c\n");
  ASSERT_TRUE(combined);
  EXPECT_EQ(*combined, "/b/c");
  EXPECT_FALSE(parse_cgroup_v1_memory_path("0::/only-v2\n"));
}

TEST(CgroupParser, MemoryValues) {
  auto v = parse_memory_value(read_data("cgroup_v2/memory.max"), "memory.max");
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, 268435456u);
  auto unlimited = parse_memory_value("max\n", "memory.max");
  ASSERT_TRUE(unlimited);
  EXPECT_FALSE(unlimited->has_value());
  auto v1_unlimited = parse_memory_value(read_data("cgroup_v1/memory.limit_in_bytes"), "limit");
  ASSERT_TRUE(v1_unlimited);
  auto v1_usage = parse_memory_value(read_data("cgroup_v1/memory.usage_in_bytes"), "usage");
  ASSERT_TRUE(v1_usage && v1_usage->has_value());
  EXPECT_GT(**v1_usage, 0u);
  EXPECT_FALSE(parse_memory_value("", "memory.max"));
  EXPECT_FALSE(parse_memory_value("12abc\n", "memory.max"));
  EXPECT_FALSE(parse_memory_value("99999999999999999999999\n", "memory.max"));
}

TEST(CgroupParser, Events) {
  CgroupMemory m;
  ASSERT_TRUE(parse_memory_events(read_data("cgroup_v2/memory.events"), m));
  EXPECT_EQ(m.events_high, 12u);
  EXPECT_EQ(m.events_max, 3u);
  EXPECT_EQ(m.events_oom, 1u);
  EXPECT_EQ(m.events_oom_kill, 1u);
  CgroupMemory v1;
  ASSERT_TRUE(parse_v1_oom_control(read_data("cgroup_v1/memory.oom_control"), v1));
  EXPECT_FALSE(parse_memory_events("max lots\n", m));
}

class FakeTree : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("memlens-cg-" + std::to_string(getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "proc/42");
    fs::copy_file(testing::data_path("cgroup_v2/cgroup"), root_ / "proc/42/cgroup");
    fs::path dir = root_ / "sys/unified/system.slice/app.service";
    fs::create_directories(dir);
    for (const char* f : {"memory.current", "memory.max", "memory.events"})
      fs::copy_file(testing::data_path(std::string("cgroup_v2/") + f), dir / f);
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

TEST_F(FakeTree, ReaderFindsTheV2DirectoryUnderUnifiedAndReadsIt) {
  auto r = CgroupReader::open(42, (root_ / "proc").string(), (root_ / "sys").string());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->v2());
  auto m = r->read();
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->current, 73400320u);
  ASSERT_TRUE(m->max.has_value());
  EXPECT_EQ(*m->max, 268435456u);
  EXPECT_EQ(m->events_oom_kill, 1u);
  // Values change between reads; the reader keeps its descriptors and sees the new text.
  std::ofstream(root_ / "sys/unified/system.slice/app.service/memory.max") << "max\n";
  auto again = r->read();
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->max.has_value());
}

TEST_F(FakeTree, NoMemoryCgroupIsENOENT) {
  auto r = CgroupReader::open(42, (root_ / "proc").string(), (root_ / "nowhere").string());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ENOENT);
}

TEST(CgroupReader, ThisProcessOnThisHost) {
  auto r = CgroupReader::open(getpid());
  if (!r) GTEST_SKIP() << "no memory cgroup here: " << r.error().message;
  auto m = r->read();
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_GT(m->current, 0u);
}

}  // namespace
}  // namespace memlens::procfs
