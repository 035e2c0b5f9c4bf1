/* spikes: a periodic batch job. Every PERIOD_MS it takes SPIKE_MB (large blocks, mmap'd by
 * malloc and returned to the OS on free), holds them HOLD_MS, and frees them: RSS jumps and
 * falls back, with no growth between batches.
 * Usage: spikes [SECONDS=60] [SPIKE_MB=40] [PERIOD_MS=2000] [HOLD_MS=600] */
#include "target_common.h"

#define kBlocks 64

int main(int argc, char** argv) {
  double seconds = target_arg(argc, argv, 1, 60);
  double spike_mb = target_arg(argc, argv, 2, 40);
  double period = target_arg(argc, argv, 3, 2000) / 1000.0;
  double hold = target_arg(argc, argv, 4, 600) / 1000.0;
  size_t block = (size_t)(spike_mb * 1048576.0 / kBlocks);
  void* blocks[kBlocks] = {0};
  int held = 0;
  double start = target_now();
  for (;;) {
    double t = target_now() - start;
    if (t >= seconds) break;
    double phase = t - period * (double)(long)(t / period);
    int want = phase >= period - hold; /* the batch runs at the end of each period */
    if (want && !held) {
      for (int i = 0; i < kBlocks; ++i) {
        blocks[i] = malloc(block);
        target_touch(blocks[i], block);
      }
      held = 1;
    } else if (!want && held) {
      for (int i = 0; i < kBlocks; ++i) free(blocks[i]);
      held = 0;
    }
    target_sleep_ms(10);
  }
  return 0;
}
