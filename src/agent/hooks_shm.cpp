// shmat and shmdt, exported over glibc's: System V shared memory is typed `shared`. The size of
// an attachment is the segment's (shmctl IPC_STAT, as a raw syscall: no hook, no allocation),
// rounded up to the page as the kernel maps it; shmdt removes every piece of the attachment that
// begins at its address (region_table.h), as the kernel does.
#include <errno.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "agent/agent_init.h"
#include "agent/real_functions.h"
#include "agent/tracker.h"

using memlens::agent::g_real;
namespace agent = memlens::agent;

#define MEMLENS_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

struct ErrnoKeeper {
  int saved = errno;
  ~ErrnoKeeper() { errno = saved; }
};

void* const kShmFailed = reinterpret_cast<void*>(-1);

void* real_shmat(int id, const void* addr, int flags) {
  if (g_real.shmat != nullptr) return g_real.shmat(id, addr, flags);
  return reinterpret_cast<void*>(syscall(SYS_shmat, id, addr, flags));
}

int real_shmdt(const void* addr) {
  if (g_real.shmdt != nullptr) return g_real.shmdt(addr);
  return int(syscall(SYS_shmdt, addr));
}

// The segment's mapped length; 0 when it cannot be read (the attachment is then not recorded).
uint64_t segment_length(int id) {
  union {
    struct shmid_ds ds;
    char room[512];  // the kernel's shmid64_ds, whatever glibc's view of it
  } u;
  if (syscall(SYS_shmctl, id, IPC_STAT, &u.ds) != 0) return 0;
  uint64_t page = uint64_t(getpagesize());
  uint64_t n = u.ds.shm_segsz, r = n + page - 1;
  return r < n ? 0 : r & ~(page - 1);
}

}  // namespace

MEMLENS_EXPORT void* shmat(int id, const void* addr, int flags) {
  if (!agent::real_ready() && !agent::ensure_started()) {
    return reinterpret_cast<void*>(syscall(SYS_shmat, id, addr, flags));
  }
  if (!agent::tracking()) return real_shmat(id, addr, flags);
  uint64_t length = segment_length(id);
  // SHM_REMAP replaces whatever was mapped at the (SHMLBA-rounded with SHM_RND) address.
  auto at = reinterpret_cast<uint64_t>(addr);
  if ((flags & SHM_RND) != 0) at &= ~(uint64_t(SHMLBA) - 1);
  bool replaces = (flags & SHM_REMAP) != 0 && at != 0 && length != 0;
  agent::HeldPieces held;
  if (replaces) agent::unmap_begin(&held, at, length);
  void* p = real_shmat(id, addr, flags);
  ErrnoKeeper keep;
  if (replaces) agent::unmap_end(&held, p != kShmFailed);
  if (p != kShmFailed && length != 0) {
    agent::note_mapped(p, length, memlens::wire::WireBufferType::kShared, length);
  }
  return p;
}

MEMLENS_EXPORT int shmdt(const void* addr) {
  if (!agent::real_ready() && !agent::ensure_started()) {
    return int(syscall(SYS_shmdt, addr));
  }
  if (!agent::tracking()) return real_shmdt(addr);
  agent::HeldPieces held;
  agent::detach_begin(&held, reinterpret_cast<uint64_t>(addr));
  int r = real_shmdt(addr);
  ErrnoKeeper keep;
  agent::unmap_end(&held, r == 0);
  return r;
}
