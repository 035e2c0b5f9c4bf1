/* The agent's mapping scenarios, one per case (argv[1]); each maps at its own call sites
 * (site_*), edits the mappings between stages, and says "ready" after each stage. The test
 * (tests/unit/agent/agent_mappings_test.cpp) checks the live bytes of each site at each stage.
 *   hole       a hole punched in the middle of a mapping, then both sides
 *   head       the head unmapped, then the rest
 *   tail       an unaligned mapping's tail unmapped with an unaligned length, then the rest
 *   span       one munmap across a PROT_NONE reserve and two MAP_FIXED mappings inside it
 *   grow       mremap grows in place (no MREMAP_MAYMOVE)
 *   move       mremap that cannot grow in place fails (errno ENOMEM kept), then moves
 *              with MREMAP_MAYMOVE
 *   fixed      mremap MREMAP_FIXED into a reserve, replacing its middle
 *   shrink     mremap shrinks to an unaligned length
 *   part       mremap moves the middle of a mapping away; the pieces stay one allocation
 *   dontunmap  mremap MREMAP_DONTUNMAP: the old range stays, the moved pages are a second one
 *   shm        shmat, shmat SHM_REMAP over a mapping, munmap of part of an attachment, shmdt
 *   file       MAP_SHARED and MAP_PRIVATE of a regular file; /dev/zero private and shared
 *   memfd      memfd MAP_SHARED and MAP_PRIVATE, shm_open MAP_SHARED
 *   churn      4 threads punch holes, move and free mappings from one site at once (addresses
 *              are reused across threads at once); each keeps 3 mappings of 3 pages
 * Lines: "expect page N" (the page size), "expect ok 1" when the case could run as meant (0:
 * the system lacks something, e.g. System V IPC; the test then skips). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <unistd.h>

#include "scenario_common.h"

static size_t P;
static char* g_map[8];
static int g_ok = 1;

/* A macro, so that the mmap call stays in the site function (the stack's leaf). */
#define anon(len, prot) mmap(NULL, (len), (prot), MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)

static void check(int condition, const char* what) {
  if (!condition) {
    fprintf(stderr, "agent_maps: %s failed (errno %d)\n", what, errno);
    exit(3);
  }
}

/* ---- call sites: each stores its result, so that the mmap is not a tail call ---- */
__attribute__((noinline)) void site_hole(void) {
  g_map[0] = anon(8 * P, PROT_READ | PROT_WRITE);
}
__attribute__((noinline)) void site_head(void) {
  g_map[0] = anon(8 * P, PROT_READ | PROT_WRITE);
}
__attribute__((noinline)) void site_tail(void) {
  g_map[0] = anon(8 * P - 1000, PROT_READ | PROT_WRITE);
}
__attribute__((noinline)) void site_reserve(size_t pages) {
  g_map[1] = anon(pages * P, PROT_NONE);
}
__attribute__((noinline)) void site_span_a(void) {
  g_map[2] =
      mmap(g_map[1], 4 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
}
__attribute__((noinline)) void site_span_b(void) {
  g_map[3] = mmap(g_map[1] + 4 * P, 4 * P, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
}
__attribute__((noinline)) void site_grow(void) {
  g_map[0] = anon(8 * P, PROT_READ | PROT_WRITE);
}
__attribute__((noinline)) void site_move(void) {
  g_map[0] =
      mmap(g_map[1], 2 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
}
__attribute__((noinline)) void site_fixed(void) {
  g_map[0] = anon(3 * P, PROT_READ | PROT_WRITE);
}
__attribute__((noinline)) void site_shrink(void) {
  g_map[0] = anon(6 * P, PROT_READ | PROT_WRITE);
}
__attribute__((noinline)) void site_part(void) {
  g_map[0] = anon(6 * P, PROT_READ | PROT_WRITE);
}
__attribute__((noinline)) void site_dontunmap(void) {
  g_map[0] = anon(3 * P, PROT_READ | PROT_WRITE);
}
__attribute__((noinline)) void site_shmat(int id) {
  g_map[0] = shmat(id, NULL, 0);
}
__attribute__((noinline)) void site_shm_victim(void) {
  g_map[1] = anon(6 * P, PROT_READ | PROT_WRITE);
}
__attribute__((noinline)) void site_shmat_remap(int id) {
  g_map[2] = shmat(id, g_map[1] + P, SHM_REMAP);
}
__attribute__((noinline)) void site_file_shared(int fd) {
  g_map[0] = mmap(NULL, 3 * P + 10, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
}
__attribute__((noinline)) void site_file_private(int fd) {
  g_map[1] = mmap(NULL, 3 * P + 10, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
}
__attribute__((noinline)) void site_devzero_private(int fd) {
  g_map[2] = mmap(NULL, 2 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
}
__attribute__((noinline)) void site_devzero_shared(int fd) {
  g_map[3] = mmap(NULL, 2 * P, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
}
__attribute__((noinline)) void site_memfd_shared(int fd) {
  g_map[0] = mmap(NULL, 2 * P, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
}
__attribute__((noinline)) void site_memfd_private(int fd) {
  g_map[1] = mmap(NULL, 2 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
}
__attribute__((noinline)) void site_shm_open(int fd) {
  g_map[2] = mmap(NULL, 3 * P, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
}

__attribute__((noinline)) char* site_churn(void) {
  char* p = anon(4 * P, PROT_READ | PROT_WRITE);
  check(p != MAP_FAILED, "mmap churn");
  return p;
}

/* ---- the cases ---- */
static void hole(void) {
  site_hole();
  check(munmap(g_map[0] + 3 * P, 2 * P) == 0, "munmap middle");
  scenario_ready();
  check(munmap(g_map[0], 3 * P) == 0 && munmap(g_map[0] + 5 * P, 3 * P) == 0, "munmap sides");
  scenario_ready();
}

static void head(void) {
  site_head();
  check(munmap(g_map[0], 3 * P) == 0, "munmap head");
  scenario_ready();
  check(munmap(g_map[0] + 3 * P, 5 * P) == 0, "munmap rest");
  scenario_ready();
}

static void tail(void) {
  site_tail();
  check(munmap(g_map[0] + 5 * P, 2 * P + 1) == 0, "munmap tail");
  scenario_ready();
  check(munmap(g_map[0], 5 * P) == 0, "munmap rest");
  scenario_ready();
}

static void span(void) {
  site_reserve(12);
  site_span_a();
  site_span_b();
  check(g_map[2] == g_map[1] && g_map[3] == g_map[1] + 4 * P, "MAP_FIXED");
  scenario_ready(); /* reserve 4, a 4, b 4 */
  check(munmap(g_map[1] + 2 * P, 8 * P) == 0, "munmap span");
  scenario_ready(); /* reserve 2, a 2, b 0 */
  check(munmap(g_map[1], 12 * P) == 0, "munmap all");
  scenario_ready();
}

static void grow(void) {
  /* In place needs the pages after the mapping free: make them free by unmapping them, and try
   * again should anything else take them meanwhile (failed attempts are unmapped whole). */
  char* q = MAP_FAILED;
  for (int attempt = 0; attempt < 20 && q == MAP_FAILED; ++attempt) {
    site_grow();
    check(munmap(g_map[0] + 4 * P, 4 * P) == 0, "munmap tail");
    q = mremap(g_map[0], 4 * P, 8 * P, 0);
    if (q == MAP_FAILED) check(munmap(g_map[0], 4 * P) == 0, "munmap attempt");
  }
  check(q == g_map[0], "mremap in place");
  scenario_ready(); /* grow 8 */
  check(munmap(q, 8 * P) == 0, "munmap");
  scenario_ready();
}

static void move(void) {
  site_reserve(3); /* its last page stays: the mapping cannot grow in place */
  site_move();
  check(g_map[0] == g_map[1], "MAP_FIXED");
  errno = 0;
  char* q = mremap(g_map[0], 2 * P, 4 * P, 0);
  scenario_expect("enomem", q == MAP_FAILED && errno == ENOMEM);
  q = mremap(g_map[0], 2 * P, 5 * P, MREMAP_MAYMOVE);
  check(q != MAP_FAILED && q != g_map[0], "mremap move");
  scenario_ready(); /* move 5, reserve 1 */
  /* Only the reserve's last page is still ours: its first two pages moved with q, and the
   hole they left may hold someone else's mapping by now. */
  check(munmap(q, 5 * P) == 0 && munmap(g_map[1] + 2 * P, P) == 0, "munmap");
  scenario_ready();
}

static void fixed(void) {
  site_reserve(10);
  site_fixed();
  char* q = mremap(g_map[0], 3 * P, 6 * P, MREMAP_MAYMOVE | MREMAP_FIXED, g_map[1] + 2 * P);
  check(q == g_map[1] + 2 * P, "mremap fixed");
  scenario_ready(); /* fixed 6, reserve 4 in two pieces */
  check(munmap(g_map[1], 10 * P) == 0, "munmap all");
  scenario_ready();
}

static void shrink(void) {
  site_shrink();
  char* q = mremap(g_map[0], 6 * P, 2 * P + 1, 0);
  check(q == g_map[0], "mremap shrink");
  scenario_ready(); /* shrink 3 */
  check(munmap(q, 3 * P) == 0, "munmap");
  scenario_ready();
}

static void part(void) {
  site_reserve(8);
  site_part();
  char* q = mremap(g_map[0] + 2 * P, 2 * P, 4 * P, MREMAP_MAYMOVE | MREMAP_FIXED, g_map[1] + 2 * P);
  check(q == g_map[1] + 2 * P, "mremap part");
  scenario_ready(); /* part 2 + 2 + 4 = 8 (one allocation), reserve 4 */
  check(munmap(g_map[0], 6 * P) == 0, "munmap the original range");
  scenario_ready(); /* part 4: the moved piece lives on, still one allocation */
  check(munmap(g_map[1], 8 * P) == 0, "munmap reserve");
  scenario_ready();
}

static void dontunmap(void) {
  site_dontunmap();
  char* q = mremap(g_map[0], 3 * P, 3 * P, MREMAP_MAYMOVE | MREMAP_DONTUNMAP);
  if (q == MAP_FAILED) g_ok = 0; /* kernel < 5.7 */
  scenario_expect("ok", g_ok);
  scenario_ready(); /* dontunmap 6, two allocations */
  check(munmap(g_map[0], 3 * P) == 0 && (q == MAP_FAILED || munmap(q, 3 * P) == 0), "munmap");
  scenario_ready();
}

static void shm(void) {
  int id = shmget(IPC_PRIVATE, 3 * P + 100, IPC_CREAT | 0600);
  if (id < 0) {
    scenario_expect("ok", 0);
    scenario_ready();
    scenario_ready();
    scenario_ready();
    return;
  }
  site_shmat(id);
  site_shm_victim();
  site_shmat_remap(id);
  shmctl(id, IPC_RMID, NULL); /* gone with the last detach, even if we crash */
  check(g_map[0] != (void*)-1 && g_map[2] == g_map[1] + P, "shmat");
  scenario_expect("ok", 1);
  scenario_ready(); /* shmat 4, shmat_remap 4, victim 6 - 4 = 2 */
  check(munmap(g_map[0] + 3 * P, P) == 0, "munmap part of an attachment");
  check(shmdt(g_map[2]) == 0, "shmdt remap");
  errno = 0;
  scenario_expect("einval", shmdt(g_map[1] + 3 * P) == -1 && errno == EINVAL);
  scenario_ready(); /* shmat 3, shmat_remap 0, victim 2 */
  check(shmdt(g_map[0]) == 0 && munmap(g_map[1], 6 * P) == 0, "shmdt, munmap");
  scenario_ready();
}

static void file(void) {
  char path[] = "/tmp/memlens-agent-maps-XXXXXX";
  int fd = mkstemp(path);
  check(fd >= 0 && ftruncate(fd, (off_t)(3 * P + 10)) == 0, "temp file");
  unlink(path);
  int zero = open("/dev/zero", O_RDWR);
  check(zero >= 0, "/dev/zero");
  site_file_shared(fd);
  site_file_private(fd);
  site_devzero_private(zero);
  site_devzero_shared(zero);
  close(fd);
  close(zero);
  check(g_map[0] != MAP_FAILED && g_map[1] != MAP_FAILED && g_map[2] != MAP_FAILED &&
            g_map[3] != MAP_FAILED,
        "mmap");
  scenario_ready(); /* file_shared 4, file_private untracked, devzero_private 2, _shared 2 */
  check(munmap(g_map[0], 3 * P + 10) == 0 && munmap(g_map[1], 3 * P + 10) == 0 &&
            munmap(g_map[2], 2 * P) == 0 && munmap(g_map[3], 2 * P) == 0,
        "munmap");
  scenario_ready();
}

static void memfd(void) {
  int fd = memfd_create("memlens-agent-maps", MFD_CLOEXEC);
  check(fd >= 0 && ftruncate(fd, (off_t)(2 * P)) == 0, "memfd");
  char name[64];
  snprintf(name, sizeof name, "/memlens-agent-maps-%d", (int)getpid());
  int shm = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
  check(shm >= 0 && ftruncate(shm, (off_t)(3 * P)) == 0, "shm_open");
  shm_unlink(name);
  site_memfd_shared(fd);
  site_memfd_private(fd);
  site_shm_open(shm);
  close(fd);
  close(shm);
  check(g_map[0] != MAP_FAILED && g_map[1] != MAP_FAILED && g_map[2] != MAP_FAILED, "mmap");
  scenario_ready(); /* memfd_shared 2, memfd_private untracked, shm_open 3 */
  check(
      munmap(g_map[0], 2 * P) == 0 && munmap(g_map[1], 2 * P) == 0 && munmap(g_map[2], 3 * P) == 0,
      "munmap");
  scenario_ready();
}

static char* g_kept[4][3];

static void* churn_thread(void* arg) {
  char** kept = arg;
  for (int i = 0; i < 3003; ++i) {
    char* p = site_churn(); /* one call site: one stack */
    p[0] = 1;
    if (i >= 3000) { /* the last 3 are kept, 3 pages each */
      kept[i - 3000] = p;
      check(munmap(p + 3 * P, P) == 0, "keep");
      continue;
    }
    check(munmap(p + P, P) == 0, "hole");
    char* q = mremap(p + 2 * P, 2 * P, 3 * P, MREMAP_MAYMOVE);
    check(q != MAP_FAILED, "mremap");
    check(munmap(p, P) == 0 && munmap(q, 3 * P) == 0, "munmap");
  }
  return NULL;
}

static void churn(void) {
  pthread_t t[4];
  for (int i = 0; i < 4; ++i) pthread_create(&t[i], NULL, churn_thread, g_kept[i]);
  for (int i = 0; i < 4; ++i) pthread_join(t[i], NULL);
  scenario_ready(); /* churn: 4 threads x 3 mappings x 3 pages */
  for (int i = 0; i < 4; ++i) {
    for (int k = 0; k < 3; ++k) check(munmap(g_kept[i][k], 3 * P) == 0, "munmap kept");
  }
  scenario_ready();
}

int main(int argc, char** argv);

static void print_all_syms(void) {
  SCENARIO_SYM(check);
  SCENARIO_SYM(site_hole);
  SCENARIO_SYM(site_head);
  SCENARIO_SYM(site_tail);
  SCENARIO_SYM(site_reserve);
  SCENARIO_SYM(site_span_a);
  SCENARIO_SYM(site_span_b);
  SCENARIO_SYM(site_grow);
  SCENARIO_SYM(site_move);
  SCENARIO_SYM(site_fixed);
  SCENARIO_SYM(site_shrink);
  SCENARIO_SYM(site_part);
  SCENARIO_SYM(site_dontunmap);
  SCENARIO_SYM(site_shmat);
  SCENARIO_SYM(site_shm_victim);
  SCENARIO_SYM(site_shmat_remap);
  SCENARIO_SYM(site_file_shared);
  SCENARIO_SYM(site_file_private);
  SCENARIO_SYM(site_devzero_private);
  SCENARIO_SYM(site_devzero_shared);
  SCENARIO_SYM(site_memfd_shared);
  SCENARIO_SYM(site_memfd_private);
  SCENARIO_SYM(site_shm_open);
  SCENARIO_SYM(hole);
  SCENARIO_SYM(head);
  SCENARIO_SYM(tail);
  SCENARIO_SYM(span);
  SCENARIO_SYM(grow);
  SCENARIO_SYM(move);
  SCENARIO_SYM(fixed);
  SCENARIO_SYM(shrink);
  SCENARIO_SYM(part);
  SCENARIO_SYM(dontunmap);
  SCENARIO_SYM(shm);
  SCENARIO_SYM(file);
  SCENARIO_SYM(memfd);
  SCENARIO_SYM(site_churn);
  SCENARIO_SYM(churn_thread);
  SCENARIO_SYM(churn);
  SCENARIO_SYM(print_all_syms);
  SCENARIO_SYM(main);
}

static const struct {
  const char* name;
  void (*run)(void);
} kCases[] = {
    {"hole", hole},   {"head", head},           {"tail", tail},   {"span", span},
    {"grow", grow},   {"move", move},           {"fixed", fixed}, {"shrink", shrink},
    {"part", part},   {"dontunmap", dontunmap}, {"shm", shm},     {"file", file},
    {"memfd", memfd}, {"churn", churn},
};

int main(int argc, char** argv) {
  P = (size_t)sysconf(_SC_PAGESIZE);
  print_all_syms();
  scenario_expect("page", P);
  for (size_t i = 0; argc > 1 && i < sizeof kCases / sizeof kCases[0]; ++i) {
    if (strcmp(argv[1], kCases[i].name) == 0) {
      kCases[i].run();
      return 0;
    }
  }
  return 2;
}
