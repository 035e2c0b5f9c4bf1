/* mmap_growth: leaks anonymous private mappings at a constant rate (outside the malloc heap),
 * all from one function, map_leaked_region(), so that with the agent the site has a name.
 * Usage: mmap_growth [SECONDS=60] [RATE_KB_PER_SEC=1024] */
#include <sys/mman.h>

#include "target_common.h"

/* Maps and touches one region; never unmapped. Touching after the mmap keeps the call from
 * becoming a tail call, so this function's frame stays in the stack the agent records. */
__attribute__((noinline)) void* map_leaked_region(size_t size) {
  void* p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return NULL;
  target_touch(p, size);
  return p;
}

int main(int argc, char** argv) {
  double seconds = target_arg(argc, argv, 1, 60);
  double rate_kb = target_arg(argc, argv, 2, 1024);
  const size_t chunk = 64 * 1024;
  double mapped = 0;
  double start = target_now();
  for (;;) {
    double t = target_now() - start;
    if (t >= seconds) break;
    double want = rate_kb * 1024.0 * t;
    while (mapped + chunk <= want) {
      if (map_leaked_region(chunk) == NULL) {
        perror("mmap");
        return 1;
      }
      mapped += chunk;
    }
    target_sleep_ms(20);
  }
  return 0;
}
