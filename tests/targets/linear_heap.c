/* linear_heap: leaks malloc'd memory at a constant rate (small blocks, below the mmap threshold,
 * so they land in the heap). Usage: linear_heap [SECONDS=60] [RATE_KB_PER_SEC=1024] */
#include "target_common.h"

int main(int argc, char** argv) {
  double seconds = target_arg(argc, argv, 1, 60);
  double rate_kb = target_arg(argc, argv, 2, 1024);
  const size_t block = 16 * 1024;
  double leaked = 0;
  double start = target_now();
  for (;;) {
    double t = target_now() - start;
    if (t >= seconds) break;
    double want = rate_kb * 1024.0 * t;
    while (leaked + block <= want) {
      void* p = malloc(block);
      target_touch(p, block);
      leaked += block;
    }
    target_sleep_ms(20);
  }
  return 0;
}
