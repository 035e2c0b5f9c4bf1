// SmapsParser on the captured smaps of capture_target.c (threads, a glibc arena, a deleted
// file, a path with spaces, MAP_SHARED, memfd, /dev/shm) and on hand-made edge cases.
#include <gtest/gtest.h>

#include <algorithm>

#include "captured.h"
#include "procfs/smaps_parser.h"
#include "procfs/smaps_rollup.h"

namespace memlens::procfs {
namespace {

using testing::fact_address;
using testing::read_data;

class CapturedSmaps : public ::testing::Test {
 protected:
  void SetUp() override {
    base::Status st = parser_.parse(read_data("target/smaps"));
    ASSERT_TRUE(st) << st.error().message;
  }
  const SmapsMapping& containing(const std::string& fact) {
    uint64_t addr = fact_address(fact);
    for (const SmapsMapping& m : parser_.mappings())
      if (addr >= m.start && addr < m.end) return m;
    throw std::runtime_error("no mapping holds " + fact);
  }
  SmapsParser parser_;
};

TEST_F(CapturedSmaps, EveryMappingOfMapsIsParsed) {
  std::string maps = read_data("target/maps");
  size_t lines = std::count(maps.begin(), maps.end(), '\n');
  EXPECT_EQ(parser_.mappings().size(), lines);
  EXPECT_EQ(parser_.breakdown().mapping_count, lines);
}

TEST_F(CapturedSmaps, ClassesSumToTheRollupRss) {
  auto rollup = parse_smaps_rollup(read_data("target/smaps_rollup"));
  ASSERT_TRUE(rollup);
  MappingBreakdown b = parser_.breakdown();
  EXPECT_EQ(b.heap + b.stack + b.anonymous + b.file + b.shared + b.special, rollup->rss);
  EXPECT_GT(b.heap, 0u);
  EXPECT_GT(b.stack, 0u);
  EXPECT_GE(b.shared, (256u + 128u + 32u) * 1024);
  EXPECT_GT(b.file, 0u);
}

TEST_F(CapturedSmaps, MainHeapAndGlibcArenaAreHeap) {
  EXPECT_EQ(containing("heap_addr").path, "[heap]");
  EXPECT_EQ(containing("heap_addr").cls, MappingClass::kHeap);
  const SmapsMapping& arena = containing("arena_addr");
  EXPECT_TRUE(arena.path.empty());
  EXPECT_EQ(arena.start % (64u << 20), 0u);
  EXPECT_EQ(arena.cls, MappingClass::kHeap);
  EXPECT_GT(arena.rss, 64u * 8000 / 2);
}

TEST_F(CapturedSmaps, ThreadStackAndItsGuardAreStack) {
  const SmapsMapping& stack = containing("thread_stack_addr");
  EXPECT_EQ(stack.cls, MappingClass::kStack);
  const auto& v = parser_.mappings();
  auto it =
      std::find_if(v.begin(), v.end(), [&](const SmapsMapping& m) { return m.end == stack.start; });
  ASSERT_NE(it, v.end());
  EXPECT_STREQ(it->perms, "---p");
  EXPECT_EQ(it->cls, MappingClass::kStack);
  size_t stacks = std::count_if(v.begin(), v.end(), [](const SmapsMapping& m) {
    return m.cls == MappingClass::kStack && m.writable();
  });
  EXPECT_EQ(stacks, 3u);  // [stack] + two thread stacks
}

TEST_F(CapturedSmaps, PathWithSpacesIsKeptWhole) {
  const SmapsMapping& m = containing("spaced_addr");
  EXPECT_EQ(m.path, "/tmp/memlens capture/with space.dat");
  EXPECT_EQ(m.cls, MappingClass::kFile);
  EXPECT_FALSE(m.deleted);
}

TEST_F(CapturedSmaps, DeletedSuffixIsDetectedAndStripped) {
  const SmapsMapping& m = containing("deleted_addr");
  EXPECT_EQ(m.path, "/tmp/memlens-capture-deleted.dat");
  EXPECT_TRUE(m.deleted);
  EXPECT_EQ(m.cls, MappingClass::kFile);
}

TEST_F(CapturedSmaps, SharedMemoryKinds) {
  EXPECT_EQ(containing("shared_anon_addr").cls, MappingClass::kShared);
  EXPECT_EQ(containing("shared_anon_addr").path, "/dev/zero");
  const SmapsMapping& memfd = containing("memfd_addr");
  EXPECT_EQ(memfd.cls, MappingClass::kShared);
  EXPECT_EQ(memfd.path, "/memfd:memlens-capture");
  EXPECT_TRUE(memfd.deleted);
  EXPECT_EQ(containing("shm_addr").cls, MappingClass::kShared);
}

TEST_F(CapturedSmaps, SpecialMappings) {
  for (const SmapsMapping& m : parser_.mappings()) {
    if (m.path == "[vdso]" || m.path == "[vvar]" || m.path == "[vsyscall]") {
      EXPECT_EQ(m.cls, MappingClass::kSpecial) << m.path;
    }
    if (m.path == "[stack]") {
      EXPECT_EQ(m.cls, MappingClass::kStack);
    }
  }
}

TEST_F(CapturedSmaps, FilesAggregatePerPathSortedByRss) {
  std::vector<FileMappingUsage> files = parser_.files();
  ASSERT_FALSE(files.empty());
  EXPECT_TRUE(std::is_sorted(files.begin(), files.end(),
                             [](const auto& a, const auto& b) { return a.rss > b.rss; }));
  auto libc = std::find_if(files.begin(), files.end(),
                           [](const auto& f) { return f.path.ends_with("/libc.so.6"); });
  ASSERT_NE(libc, files.end());
  EXPECT_TRUE(libc->executable);
  uint64_t libc_size = 0;
  for (const SmapsMapping& m : parser_.mappings())
    if (m.path == libc->path) libc_size += m.size;
  EXPECT_EQ(libc->size, libc_size);  // all five libc mappings in one entry
  EXPECT_EQ(std::count_if(files.begin(), files.end(),
                          [&](const auto& f) { return f.path == libc->path; }),
            1);
  auto deleted = std::find_if(files.begin(), files.end(), [](const auto& f) {
    return f.path == "/tmp/memlens-capture-deleted.dat";
  });
  ASSERT_NE(deleted, files.end());
  EXPECT_TRUE(deleted->deleted);
  EXPECT_FALSE(deleted->executable);
  for (const auto& f : files) EXPECT_FALSE(f.path.starts_with("/memfd:")) << "shared, not file";
}

constexpr char kTwoMappings[] =
    "00400000-00401000 r-xp 00000000 08:01 1234   /usr/bin/x y\n"
    "Size:                  4 kB\n"
    "Rss:                   4 kB\n"
    "Pss:                   2 kB\n"
    "VmFlags: rd ex mr mw me\n"
    "7f0000000000-7f0000021000 rw-p 00000000 00:00 0 \n"
    "Size:                132 kB\n"
    "Rss:                 132 kB\n"
    "Anonymous:           132 kB\n";

TEST(SmapsParser, HandMadeMappingsAndHeaderFields) {
  SmapsParser p;
  ASSERT_TRUE(p.parse(kTwoMappings));
  ASSERT_EQ(p.mappings().size(), 2u);
  const SmapsMapping& a = p.mappings()[0];
  EXPECT_EQ(a.start, 0x400000u);
  EXPECT_EQ(a.end, 0x401000u);
  EXPECT_EQ(a.dev_major, 8u);
  EXPECT_EQ(a.dev_minor, 1u);
  EXPECT_EQ(a.inode, 1234u);
  EXPECT_EQ(a.path, "/usr/bin/x y");
  EXPECT_EQ(a.pss, 2048u);
  EXPECT_TRUE(a.executable());
  // 7f0000000000 is 64 MiB aligned, but a full-size arena would be exactly 64 MiB and no
  // ---p remainder follows: plain anonymous memory.
  EXPECT_EQ(p.mappings()[1].cls, MappingClass::kAnonymous);
  EXPECT_EQ(p.mappings()[1].anonymous, 132u * 1024);
}

TEST(SmapsParser, EmptyTextIsNoMappings) {
  SmapsParser p;
  ASSERT_TRUE(p.parse(""));
  EXPECT_TRUE(p.mappings().empty());
  EXPECT_EQ(p.breakdown().mapping_count, 0u);
}

TEST(SmapsParser, TruncatedLastLineIsIgnored) {
  SmapsParser p;
  std::string text = std::string(kTwoMappings) + "Swap:   12";
  ASSERT_TRUE(p.parse(text));
  EXPECT_EQ(p.mappings()[1].swap, 0u);
}

TEST(SmapsParser, GarbageIsAnErrorNamingTheLine) {
  SmapsParser p;
  base::Status st = p.parse("Rss: 4 kB\n");
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("line 1"), std::string::npos) << st.error().message;
  EXPECT_FALSE(p.parse("00400000 r-xp 00000000 08:01 1234 /x\n"));        // no range dash
  EXPECT_FALSE(p.parse("00400000-00300000 r-xp 00000000 08:01 1 /x\n"));  // end < start
  EXPECT_FALSE(p.parse("00400000-00401000 r-xp 00000000 08:01 1 /x\nRss: 4 MB\n"));
  EXPECT_FALSE(
      p.parse("00400000-00401000 r-xp 00000000 08:01 1 /x\nRss: 99999999999999999999 kB\n"));
  EXPECT_FALSE(p.parse("00400000-00401000 r-xp 00000000 08:01 1 /x\nnonsense\n"));
}

TEST(SmapsParser, ArenaIsRecognisedEvenAfterAnotherArenasRemainder) {
  SmapsParser p;
  ASSERT_TRUE(
      p.parse("7f0000000000-7f0000100000 rw-p 00000000 00:00 0 \nRss: 1024 kB\n"
              "7f0000100000-7f0004000000 ---p 00000000 00:00 0 \nRss: 0 kB\n"
              "7f0004000000-7f0004200000 rw-p 00000000 00:00 0 \nRss: 2048 kB\n"
              "7f0004200000-7f0008000000 ---p 00000000 00:00 0 \nRss: 0 kB\n"
              "7f0010000000-7f0010001000 ---p 00000000 00:00 0 \nRss: 0 kB\n"
              "7f0010001000-7f0010801000 rw-p 00000000 00:00 0 \nRss: 16 kB\n"));
  const auto& v = p.mappings();
  ASSERT_EQ(v.size(), 6u);
  EXPECT_EQ(v[0].cls, MappingClass::kHeap);
  EXPECT_EQ(v[1].cls, MappingClass::kHeap);
  EXPECT_EQ(v[2].cls, MappingClass::kHeap);  // not a stack above v[1]'s ---p
  EXPECT_EQ(v[3].cls, MappingClass::kHeap);
  EXPECT_EQ(v[4].cls, MappingClass::kStack);  // guard
  EXPECT_EQ(v[5].cls, MappingClass::kStack);
  EXPECT_EQ(p.breakdown().heap, 3072u * 1024);
  EXPECT_EQ(p.breakdown().stack, 16u * 1024);
}

TEST(SmapsParser, SysvAndDevShmAreShared) {
  SmapsParser p;
  ASSERT_TRUE(p.parse(
      "7f0000000000-7f0000001000 rw-s 00000000 00:01 5   /SYSV00000000 (deleted)\nRss: 4 kB\n"
      "7f0000001000-7f0000002000 rw-s 00000000 00:01 6   /dev/shm/x y\nRss: 4 kB\n"
      "7f0000002000-7f0000003000 rw-s 00000000 08:01 7   /var/data.db\nRss: 4 kB\n"));
  EXPECT_EQ(p.mappings()[0].cls, MappingClass::kShared);
  EXPECT_EQ(p.mappings()[0].path, "/SYSV00000000");
  EXPECT_EQ(p.mappings()[1].cls, MappingClass::kShared);
  EXPECT_EQ(p.mappings()[2].cls, MappingClass::kFile);  // MAP_SHARED of a regular file
}

}  // namespace
}  // namespace memlens::procfs
