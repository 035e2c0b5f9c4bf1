// Sampler against real child processes: exact descriptor counts per kind, the TCP group target,
// the full pass, heap figures, and a target that exits.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "child_process.h"
#include "procfs/sampler.h"

namespace memlens::procfs {
namespace {

using testing::ChildProcess;

constexpr int kFiles = 7;

struct Listener {
  Listener() {
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (bind(fd, reinterpret_cast<sockaddr*>(&a), len) != 0 || listen(fd, 16) != 0) return;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    addr = a;
    port = ntohs(a.sin_port);
  }
  ~Listener() { close(fd); }
  int fd = -1;
  int port = 0;
  sockaddr_in addr{};
};

// The child closes everything it inherited, then holds kFiles files, one TCP connection to
// the listener, a socketpair and the ready pipe: exact counts per kind.
bool open_known_descriptors(const Listener& l, int& ready_fd, int& go_fd) {
  int keep_ready = fcntl(ready_fd, F_DUPFD_CLOEXEC, 1000);
  int keep_go = fcntl(go_fd, F_DUPFD_CLOEXEC, 1001);
  if (keep_ready < 0 || keep_go < 0) return false;
  // close_range(0, 999) leaves only the two pipe ends at 1000 and 1001.
  if (syscall(SYS_close_range, 0u, 999u, 0u) != 0) return false;
  for (int i = 0; i < kFiles; ++i)
    if (open("/etc/hostname", O_RDONLY) < 0) return false;
  int s = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(s, reinterpret_cast<const sockaddr*>(&l.addr), sizeof l.addr) != 0) return false;
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0) return false;
  ready_fd = keep_ready;
  go_fd = keep_go;
  return true;
}

TEST(Sampler, CheapSnapshotOfAChildWithKnownDescriptors) {
  Listener l;
  ASSERT_GT(l.port, 0);
  ChildProcess child([&](int& r, int& g) { return open_known_descriptors(l, r, g); });
  ASSERT_TRUE(child.wait_ready());
  auto sampler = Sampler::open(child.pid());
  ASSERT_TRUE(sampler) << sampler.error().message;
  auto snap = sampler->cheap();
  ASSERT_TRUE(snap) << snap.error().message;
  // kFiles + tcp + 2 unix + ready pipe + go pipe
  EXPECT_EQ(snap->descriptors.total, static_cast<uint32_t>(kFiles + 1 + 2 + 2));
  EXPECT_FALSE(snap->descriptors.classified);
  EXPECT_GT(snap->rss, 0u);
  EXPECT_GE(snap->vm_size, snap->rss);
  EXPECT_EQ(snap->threads, 1u);
  EXPECT_GT(snap->timestamp, 1600000000000);
  EXPECT_FALSE(snap->full_pass);
  EXPECT_EQ(snap->detail, nullptr);
  EXPECT_EQ(snap->heap_source, HeapSource::kEstimate);
}

TEST(Sampler, FullSnapshotClassifiesEveryDescriptor) {
  Listener l;
  ASSERT_GT(l.port, 0);
  ChildProcess child([&](int& r, int& g) { return open_known_descriptors(l, r, g); });
  ASSERT_TRUE(child.wait_ready());
  auto sampler = Sampler::open(child.pid());
  ASSERT_TRUE(sampler) << sampler.error().message;
  auto snap = sampler->full_snapshot();
  ASSERT_TRUE(snap) << snap.error().message;
  const DescriptorCounts& c = snap->descriptors;
  EXPECT_TRUE(c.classified);
  EXPECT_EQ(c.total, static_cast<uint32_t>(kFiles + 5));
  EXPECT_EQ(c[DescriptorKind::kFile], static_cast<uint32_t>(kFiles));
  EXPECT_EQ(c[DescriptorKind::kTcp], 1u);
  EXPECT_EQ(c[DescriptorKind::kUnix], 2u);
  EXPECT_EQ(c[DescriptorKind::kPipe], 2u);
  EXPECT_EQ(c[DescriptorKind::kOtherSocket], 0u);
  ASSERT_NE(snap->detail, nullptr);
  const auto& groups = snap->detail->descriptors;
  ASSERT_FALSE(groups.empty());
  EXPECT_EQ(groups[0].target, "file /etc/hostname");
  EXPECT_EQ(groups[0].count, static_cast<uint32_t>(kFiles));
  bool tcp_found = false;
  for (const auto& g : groups)
    if (g.kind == DescriptorKind::kTcp) {
      EXPECT_EQ(g.target, "TCP 127.0.0.1:" + std::to_string(l.port));
      EXPECT_EQ(g.count, 1u);
      tcp_found = true;
    }
  EXPECT_TRUE(tcp_found);
  EXPECT_TRUE(snap->full_pass);
  EXPECT_GT(snap->pss, 0u);
  EXPECT_GT(snap->detail->breakdown.mapping_count, 5u);
  EXPECT_GT(snap->detail->breakdown.file, 0u);
  EXPECT_GT(snap->mem_available, 0u);
}

TEST(Sampler, HeapEstimateComesFromTheLastFullPassAndCanBeReplaced) {
  ChildProcess child([](int&, int&) {
    // brk-grown heap: the [heap] mapping becomes resident.
    char* p = static_cast<char*>(sbrk(4 << 20));
    if (p == reinterpret_cast<char*>(-1)) return false;
    for (int i = 0; i < (4 << 20); i += 4096) p[i] = 1;
    return true;
  });
  ASSERT_TRUE(child.wait_ready());
  auto sampler = Sampler::open(child.pid());
  ASSERT_TRUE(sampler) << sampler.error().message;
  auto before = sampler->cheap();
  ASSERT_TRUE(before);
  EXPECT_EQ(before->heap_total, 0u);  // no full pass yet
  auto pass = sampler->full();
  ASSERT_TRUE(pass) << pass.error().message;
  EXPECT_GE(pass->heap_estimate, 4u << 20);
  auto after = sampler->cheap();
  ASSERT_TRUE(after);
  EXPECT_EQ(after->heap_total, pass->heap_estimate);
  EXPECT_EQ(after->heap_used, pass->heap_estimate);
  EXPECT_EQ(after->heap_source, HeapSource::kEstimate);
  EXPECT_EQ(after->pss, pass->pss);
  EXPECT_EQ(after->detail, pass->detail);
  EXPECT_EQ(after->external, after->rss > after->heap_used ? after->rss - after->heap_used : 0);

  sampler->set_heap_figures([] { return HeapFigures{1000, 600, HeapSource::kAgent}; });
  auto exact = sampler->cheap();
  ASSERT_TRUE(exact);
  EXPECT_EQ(exact->heap_source, HeapSource::kAgent);
  EXPECT_EQ(exact->heap_total, 1000u);
  EXPECT_EQ(exact->heap_used, 600u);
  EXPECT_DOUBLE_EQ(exact->heap_utilization, 0.6);
  EXPECT_EQ(exact->external_diff, static_cast<int64_t>(exact->rss) - 600);
  sampler->set_heap_figures([] { return std::optional<HeapFigures>{}; });
  auto fallback = sampler->cheap();
  ASSERT_TRUE(fallback);
  EXPECT_EQ(fallback->heap_source, HeapSource::kEstimate);
}

TEST(Sampler, ThreadsAreCounted) {
  ChildProcess child([](int&, int&) {
    // Raw clone threads: no libc state touched after fork.
    static char stacks[3][64 * 1024];
    for (auto& s : stacks) {
      if (clone(
              [](void*) {
                for (;;) pause();
                return 0;
              },
              s + sizeof s, CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD,
              nullptr) < 0)
        return false;
    }
    return true;
  });
  ASSERT_TRUE(child.wait_ready());
  auto sampler = Sampler::open(child.pid());
  ASSERT_TRUE(sampler) << sampler.error().message;
  auto snap = sampler->cheap();
  ASSERT_TRUE(snap) << snap.error().message;
  EXPECT_EQ(snap->threads, 4u);
}

TEST(Sampler, LimitsFollowTheConfiguredCadence) {
  ChildProcess child([](int&, int&) { return true; });
  ASSERT_TRUE(child.wait_ready());
  SamplerOptions only_full;
  only_full.limits_every = 0;
  auto sampler = Sampler::open(child.pid(), only_full);
  ASSERT_TRUE(sampler) << sampler.error().message;
  auto first = sampler->cheap();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->mem_available, 0u);
  EXPECT_FALSE(first->cgroup.has_value());
  ASSERT_TRUE(sampler->full());
  auto carried = sampler->cheap();
  ASSERT_TRUE(carried);
  EXPECT_GT(carried->mem_available, 0u);
  EXPECT_EQ(sampler->limits_error(), "");
  bool host_has_memory_cgroup = static_cast<bool>(CgroupReader::open(child.pid()));
  EXPECT_EQ(carried->cgroup.has_value(), host_has_memory_cgroup);
  if (host_has_memory_cgroup) {
    EXPECT_GT(carried->cgroup->current, 0u);
  }

  auto every = Sampler::open(child.pid());  // default cadence reads them on the first call
  ASSERT_TRUE(every);
  auto snap = every->cheap();
  ASSERT_TRUE(snap);
  EXPECT_GT(snap->mem_available, 0u);
}

TEST(Sampler, ZombieTargetIsReportedAsExited) {
  ChildProcess child([](int&, int&) { return true; });
  ASSERT_TRUE(child.wait_ready());
  auto sampler = Sampler::open(child.pid());
  ASSERT_TRUE(sampler) << sampler.error().message;
  ASSERT_TRUE(sampler->cheap());
  child.tell_exit();
  ASSERT_TRUE(child.wait_zombie());
  auto snap = sampler->cheap();
  ASSERT_FALSE(snap);
  EXPECT_EQ(snap.error().code, ESRCH);
  EXPECT_EQ(snap.error().message, "process " + std::to_string(child.pid()) + " exited");
  auto full = sampler->full();
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().code, ESRCH);
}

TEST(Sampler, ReapedTargetIsReportedAsExited) {
  ChildProcess child([](int&, int&) { return true; });
  ASSERT_TRUE(child.wait_ready());
  auto sampler = Sampler::open(child.pid());
  ASSERT_TRUE(sampler) << sampler.error().message;
  ASSERT_TRUE(sampler->full_snapshot());
  child.tell_exit();
  child.reap();
  auto snap = sampler->cheap();
  ASSERT_FALSE(snap);
  EXPECT_EQ(snap.error().code, ESRCH);
  EXPECT_EQ(snap.error().message, "process " + std::to_string(child.pid()) + " exited");
  auto full = sampler->full_snapshot();
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().code, ESRCH);
}

}  // namespace
}  // namespace memlens::procfs
