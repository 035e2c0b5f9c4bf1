// status, statm, smaps_rollup and meminfo parsers: captured files and hand-made edge cases.
#include <gtest/gtest.h>

#include "captured.h"
#include "procfs/meminfo.h"
#include "procfs/smaps_rollup.h"
#include "procfs/statm.h"
#include "procfs/status.h"

namespace memlens::procfs {
namespace {

using testing::read_data;

TEST(StatusParser, CapturedFileGivesBytesAndThreads) {
  auto s = parse_status(read_data("target/status"));
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->threads, 3u);  // main + two threads
  EXPECT_TRUE(s->has_memory);
  EXPECT_GT(s->vm_rss, 1u << 20);
  EXPECT_EQ(s->vm_rss % 1024, 0u);  // converted from kB
  EXPECT_EQ(s->vm_rss, s->rss_anon + s->rss_file + s->rss_shmem);
  EXPECT_GE(s->vm_hwm, s->vm_rss);
  EXPECT_GT(s->vm_size, s->vm_rss);
  EXPECT_GE(s->rss_shmem, (256u + 128u + 32u) * 1024);  // shared anon + memfd + /dev/shm
  EXPECT_EQ(s->state, 'S');
}

TEST(StatusParser, MissingFieldsStayZero) {
  auto s = parse_status("Name:\tkthreadd\nState:\tS (sleeping)\nThreads:\t1\n");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_FALSE(s->has_memory);
  EXPECT_EQ(s->vm_rss, 0u);
  EXPECT_EQ(s->threads, 1u);
}

TEST(StatusParser, ValueNearTwoToThe64KilobytesIsAnErrorNotAWrap) {
  auto s = parse_status("VmRSS:\t18014398509481984 kB\n");  // 2^54 kB = 2^64 bytes
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("VmRSS"), std::string::npos) << s.error().message;
  auto ok = parse_status("VmRSS:\t18014398509481983 kB\n");  // largest that fits
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->vm_rss, 18014398509481983ull * 1024);
  EXPECT_FALSE(parse_status("VmRSS:\t18446744073709551615 kB\n"));  // 2^64-1 kB
  EXPECT_FALSE(parse_status("VmRSS:\t99999999999999999999999 kB\n"));
}

TEST(StatusParser, TruncatedLastLineIsIgnored) {
  auto s = parse_status("VmHWM:\t2048 kB\nVmRSS:\t12");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_FALSE(s->has_memory);
  EXPECT_EQ(s->vm_hwm, 2048u * 1024);
}

TEST(StatusParser, EmptyGarbageAndBadNumbersAreErrors) {
  EXPECT_FALSE(parse_status(""));
  EXPECT_FALSE(parse_status("\x01\x02 garbage\nmore garbage\n"));
  EXPECT_FALSE(parse_status("VmRSS:\t12x kB\n"));
  EXPECT_FALSE(parse_status("VmRSS:\t12 MB\n"));
  EXPECT_FALSE(parse_status("VmRSS:\t-5 kB\n"));
  EXPECT_FALSE(parse_status("Threads:\tmany\n"));
}

TEST(StatmParser, CapturedFileMatchesStatus) {
  auto m = parse_statm(read_data("target/statm"), 4096);
  auto s = parse_status(read_data("target/status"));
  ASSERT_TRUE(m) << m.error().message;
  ASSERT_TRUE(s);
  EXPECT_EQ(m->resident, s->vm_rss);
  EXPECT_EQ(m->size, s->vm_size);
}

TEST(StatmParser, PagesBecomeBytesWithTheGivenPageSize) {
  auto m = parse_statm("10 5 2 1 0 3 0\n", 16384);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->size, 10u * 16384);
  EXPECT_EQ(m->resident, 5u * 16384);
  EXPECT_EQ(m->shared, 2u * 16384);
  EXPECT_EQ(m->data, 3u * 16384);
}

TEST(StatmParser, EdgeCases) {
  EXPECT_FALSE(parse_statm("", 4096));
  EXPECT_FALSE(parse_statm("10 5", 4096));  // truncated
  EXPECT_FALSE(parse_statm("10 x 3 1 0 3 0\n", 4096));
  EXPECT_FALSE(parse_statm("10 5 2 1 0 3 0\n", 0));
  EXPECT_FALSE(parse_statm("18446744073709551615 1 1 0 0 0 0\n", 4096));  // overflows bytes
}

TEST(SmapsRollupParser, CapturedFile) {
  auto r = parse_smaps_rollup(read_data("target/smaps_rollup"));
  ASSERT_TRUE(r) << r.error().message;
  auto s = parse_status(read_data("target/status"));
  ASSERT_TRUE(s);
  EXPECT_EQ(r->rss, s->vm_rss);
  EXPECT_GT(r->pss, 0u);
  EXPECT_LE(r->pss, r->rss);
  EXPECT_EQ(r->rss, r->shared_clean + r->shared_dirty + r->private_clean + r->private_dirty);
}

TEST(SmapsRollupParser, EdgeCases) {
  EXPECT_FALSE(parse_smaps_rollup(""));
  EXPECT_FALSE(parse_smaps_rollup("garbage\n"));
  EXPECT_FALSE(parse_smaps_rollup("Rss: lots kB\n"));
  auto r =
      parse_smaps_rollup("00400000-7fff0000 ---p 00000000 00:00 0 [rollup]\nRss: 8 kB\nPss: 4");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->rss, 8192u);
  EXPECT_EQ(r->pss, 0u);  // the cut last line is not trusted
}

TEST(MeminfoParser, CapturedFile) {
  auto m = parse_meminfo(read_data("meminfo"));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_GT(m->mem_total, 64ull << 20);
  EXPECT_GT(m->mem_available, 0u);
  EXPECT_LE(m->mem_available, m->mem_total);
}

TEST(MeminfoParser, EdgeCases) {
  EXPECT_FALSE(parse_meminfo(""));
  EXPECT_FALSE(parse_meminfo("MemFree: 10 kB\n"));  // no MemTotal
  auto m = parse_meminfo("MemTotal: 100 kB\n");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->mem_available, 0u);  // old kernels lack MemAvailable
}

}  // namespace
}  // namespace memlens::procfs
