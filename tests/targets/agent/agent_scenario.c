/* The agent's end-to-end scenarios, one per mode (argv[1]):
 *   exact      every intercepted C function, 3 times each at its own call site; then frees
 *              everything (mmaps in pieces)                              stages: ready, ready
 *   fork       allocates, forks; the child allocates and reports its pid      stage: ready
 *   exec       allocates, then on the test's word execs itself as exec2        stages: ready, ready
 *   dlopen     leaks through a test-built library (argv[2]), then dlcloses it   stages: ready,
 * ready thread-exit  a thread calls exit(7) while the main thread allocates   (exit status 7)
 *   signals    a thread sends 20000 SIGUSR1 to the allocating main thread   (exit status 0)
 *   atexit     allocations and frees in exit handlers and before main       (exit status 0)
 *   clock      one call site allocates, 1.5 s later again                      stage: ready */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scenario_common.h"

#define N 3
static void* g_ptr[16][N];

__attribute__((noinline)) void site_malloc(int i) {
  g_ptr[0][i] = malloc(1000);
}
__attribute__((noinline)) void site_calloc(int i) {
  g_ptr[1][i] = calloc(10, 100);
}
__attribute__((noinline)) void* site_realloc_seed(void) {
  return malloc(10);
}
__attribute__((noinline)) void site_realloc(int i) {
  g_ptr[2][i] = realloc(site_realloc_seed(), 3000);
}
__attribute__((noinline)) void site_reallocarray(int i) {
  g_ptr[3][i] = reallocarray(NULL, 30, 100);
}
__attribute__((noinline)) void site_posix_memalign(int i) {
  if (posix_memalign(&g_ptr[4][i], 64, 4000) != 0) abort();
}
__attribute__((noinline)) void site_aligned_alloc(int i) {
  g_ptr[5][i] = aligned_alloc(64, 4096);
}
__attribute__((noinline)) void site_memalign(int i) {
  g_ptr[6][i] = memalign(128, 5000);
}
__attribute__((noinline)) void site_valloc(int i) {
  g_ptr[7][i] = valloc(6000);
}
__attribute__((noinline)) void site_pvalloc(int i) {
  g_ptr[8][i] = pvalloc(7000);
}
__attribute__((noinline)) void site_mmap(int i) {
  g_ptr[9][i] = mmap(NULL, 5 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}
__attribute__((noinline)) void site_shared(int i) {
  g_ptr[10][i] = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
}
__attribute__((noinline)) void site_memfd(int i) {
  int fd = memfd_create("memlens-test", MFD_CLOEXEC);
  if (fd < 0 || ftruncate(fd, 2 * 4096) != 0) abort();
  g_ptr[11][i] = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
}
__attribute__((noinline)) void* site_mremap_seed(void) {
  return mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}
__attribute__((noinline)) void site_mremap(int i) {
  g_ptr[12][i] = mremap(site_mremap_seed(), 4096, 4 * 4096, MREMAP_MAYMOVE);
}
__attribute__((noinline)) void site_usable(int i) {
  g_ptr[13][i] = malloc(100);
  if (malloc_usable_size(g_ptr[13][i]) < 100) abort();
}

static void exact(void) {
  for (int i = 0; i < N; ++i) {
    site_malloc(i);
    site_calloc(i);
    site_realloc(i);
    site_reallocarray(i);
    site_posix_memalign(i);
    site_aligned_alloc(i);
    site_memalign(i);
    site_valloc(i);
    site_pvalloc(i);
    site_mmap(i);
    site_shared(i);
    site_memfd(i);
    site_mremap(i);
    site_usable(i);
  }
  scenario_ready();
  for (int i = 0; i < N; ++i) {
    for (int k = 0; k <= 8; ++k) free(g_ptr[k][i]);
    free(g_ptr[13][i]);
    char* m = g_ptr[9][i]; /* in pieces: the middle page, then both sides */
    munmap(m + 2 * 4096, 4096);
    munmap(m, 2 * 4096);
    munmap(m + 3 * 4096, 2 * 4096);
    munmap(g_ptr[10][i], 3 * 4096);
    munmap(g_ptr[11][i], 2 * 4096);
    munmap(g_ptr[12][i], 4 * 4096);
  }
  scenario_ready();
}

__attribute__((noinline)) void* parent_alloc(void) {
  return malloc(1000);
}
__attribute__((noinline)) void* child_alloc(void) {
  return malloc(5000);
}

__attribute__((noinline)) void site_clock(int i) {
  g_ptr[15][i] = malloc(4321);
}

static void clock_sites(void) {
  volatile int rounds = 2; /* not unrolled: one call line, one stack, both times */
  for (int i = 0; i < rounds; ++i) {
    site_clock(i);
    if (i == 0) usleep(1500 * 1000);
  }
  scenario_ready();
}

static void forking(void) {
  void* keep = parent_alloc();
  int to_child[2], to_parent[2];
  if (pipe(to_child) != 0 || pipe(to_parent) != 0) abort();
  pid_t pid = fork();
  if (pid == 0) {
    void* mine = child_alloc();
    char c;
    printf("child %d\n", (int)getpid());
    fflush(stdout);
    if (write(to_parent[1], "c", 1) != 1) _exit(3);
    if (read(to_child[0], &c, 1) < 0) _exit(3);
    free(mine);
    _exit(0);
  }
  char c;
  if (read(to_parent[0], &c, 1) != 1) abort(); /* the child's line comes before "ready" */
  scenario_ready();
  if (write(to_child[1], "x", 1) != 1) abort();
  int status = 0;
  waitpid(pid, &status, 0);
  free(keep);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) exit(4);
}

__attribute__((noinline)) void* before_exec(void) {
  return malloc(1111);
}
__attribute__((noinline)) void* after_exec(void) {
  return malloc(2222);
}

static void exec_self(char** argv) {
  before_exec();
  scenario_ready();
  char* args[] = {argv[0], "exec2", NULL};
  execv("/proc/self/exe", args);
  exit(5);
}

static void exec2(void) {
  after_exec();
  scenario_ready();
}

__attribute__((noinline)) void call_leaky(void* (*make)(size_t)) {
  for (int i = 0; i < 10; ++i) make(1000);
}
__attribute__((noinline)) void* after_dlclose(void) {
  return malloc(500);
}

static void with_dlopen(const char* lib) {
  void* h = dlopen(lib, RTLD_NOW);
  if (h == NULL) {
    fprintf(stderr, "dlopen %s: %s\n", lib, dlerror());
    exit(6);
  }
  void* (*make)(size_t) = (void* (*)(size_t))dlsym(h, "leaky_make");
  scenario_sym("leaky_make", (const void*)make);
  call_leaky(make);
  scenario_ready();
  dlclose(h);
  after_dlclose();
  scenario_ready();
}

static void* exit_from_thread(void* arg) {
  (void)arg;
  for (int i = 0; i < 1000; ++i) free(malloc(64));
  exit(7);
}

static void thread_exit(void) {
  pthread_t t;
  pthread_create(&t, NULL, exit_from_thread, NULL);
  for (;;) free(malloc(128));
}

static volatile sig_atomic_t g_signals;
static void on_usr1(int sig) {
  (void)sig;
  ++g_signals;
}
static void* signaller(void* arg) {
  pthread_t target = *(pthread_t*)arg;
  for (int i = 0; i < 20000; ++i) pthread_kill(target, SIGUSR1);
  return NULL;
}

static void signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  sigaction(SIGUSR1, &sa, NULL);
  pthread_t self = pthread_self(), t;
  pthread_create(&t, NULL, signaller, &self);
  for (int i = 0; i < 200000; ++i) free(malloc((size_t)(i % 512) + 1));
  pthread_join(t, NULL);
}

static void* g_early;
__attribute__((constructor)) static void before_main(void) {
  g_early = malloc(321);
}
static void in_exit_handler(void) {
  for (int i = 0; i < 100; ++i) free(malloc(77));
  free(g_early);
  void* leak = malloc(55);
  (void)leak;
}

int main(int argc, char** argv);

/* Every function of this program, so that the test's nearest-symbol lookup is exact. */
static void print_all_syms(void) {
  SCENARIO_SYM(site_malloc);
  SCENARIO_SYM(site_calloc);
  SCENARIO_SYM(site_realloc_seed);
  SCENARIO_SYM(site_realloc);
  SCENARIO_SYM(site_reallocarray);
  SCENARIO_SYM(site_posix_memalign);
  SCENARIO_SYM(site_aligned_alloc);
  SCENARIO_SYM(site_memalign);
  SCENARIO_SYM(site_valloc);
  SCENARIO_SYM(site_pvalloc);
  SCENARIO_SYM(site_mmap);
  SCENARIO_SYM(site_shared);
  SCENARIO_SYM(site_memfd);
  SCENARIO_SYM(site_mremap_seed);
  SCENARIO_SYM(site_mremap);
  SCENARIO_SYM(site_usable);
  SCENARIO_SYM(exact);
  SCENARIO_SYM(parent_alloc);
  SCENARIO_SYM(child_alloc);
  SCENARIO_SYM(forking);
  SCENARIO_SYM(before_exec);
  SCENARIO_SYM(after_exec);
  SCENARIO_SYM(exec_self);
  SCENARIO_SYM(exec2);
  SCENARIO_SYM(call_leaky);
  SCENARIO_SYM(after_dlclose);
  SCENARIO_SYM(with_dlopen);
  SCENARIO_SYM(exit_from_thread);
  SCENARIO_SYM(thread_exit);
  SCENARIO_SYM(on_usr1);
  SCENARIO_SYM(signaller);
  SCENARIO_SYM(signals);
  SCENARIO_SYM(before_main);
  SCENARIO_SYM(in_exit_handler);
  SCENARIO_SYM(print_all_syms);
  SCENARIO_SYM(site_clock);
  SCENARIO_SYM(clock_sites);
  SCENARIO_SYM(main);
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "exact";
  print_all_syms();
  if (strcmp(mode, "exact") == 0)
    exact();
  else if (strcmp(mode, "fork") == 0)
    forking();
  else if (strcmp(mode, "exec") == 0)
    exec_self(argv);
  else if (strcmp(mode, "exec2") == 0)
    exec2();
  else if (strcmp(mode, "dlopen") == 0 && argc > 2)
    with_dlopen(argv[2]);
  else if (strcmp(mode, "thread-exit") == 0)
    thread_exit();
  else if (strcmp(mode, "signals") == 0)
    signals();
  else if (strcmp(mode, "atexit") == 0)
    atexit(in_exit_handler);
  else if (strcmp(mode, "clock") == 0)
    clock_sites();
  else
    return 2;
  return 0;
}
