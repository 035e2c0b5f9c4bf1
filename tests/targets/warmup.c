/* warmup: fills a cache at RATE_KB_PER_SEC for WARMUP seconds, then holds it (and churns a
 * little) until the end: growth that plateaus, not a leak.
 * Usage: warmup [SECONDS=60] [RATE_KB_PER_SEC=2048] [WARMUP_S=2] */
#include "target_common.h"

int main(int argc, char** argv) {
  double seconds = target_arg(argc, argv, 1, 60);
  double rate_kb = target_arg(argc, argv, 2, 2048);
  double warmup = target_arg(argc, argv, 3, 2);
  const size_t block = 16 * 1024;
  double filled = 0;
  double start = target_now();
  void* scratch = NULL;
  for (;;) {
    double t = target_now() - start;
    if (t >= seconds) break;
    double want = rate_kb * 1024.0 * (t < warmup ? t : warmup);
    while (filled + block <= want) {
      void* p = malloc(block);
      target_touch(p, block);
      filled += block;
    }
    free(scratch); /* churn: a request-sized buffer freed and taken again */
    scratch = malloc(block);
    target_touch(scratch, block);
    target_sleep_ms(20);
  }
  free(scratch);
  return 0;
}
