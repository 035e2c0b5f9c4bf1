/* mmap_growth: leaks anonymous private mappings at a constant rate (outside the malloc heap).
 * Usage: mmap_growth [SECONDS=60] [RATE_KB_PER_SEC=1024] */
#include <sys/mman.h>

#include "target_common.h"

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
      void* p = mmap(NULL, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) {
        perror("mmap");
        return 1;
      }
      target_touch(p, chunk);
      mapped += chunk;
    }
    target_sleep_ms(20);
  }
  return 0;
}
