/* steady: holds a fixed working set and churns it (free + malloc of the same sizes), so RSS
 * stays flat. Usage: steady [SECONDS=60] [WORKING_SET_MB=8] */
#include "target_common.h"

#define kSlots 256

int main(int argc, char** argv) {
  double seconds = target_arg(argc, argv, 1, 60);
  double mb = target_arg(argc, argv, 2, 8);
  size_t slot_bytes = (size_t)(mb * 1048576.0 / kSlots);
  void* slots[kSlots];
  for (int i = 0; i < kSlots; ++i) {
    slots[i] = malloc(slot_bytes);
    target_touch(slots[i], slot_bytes);
  }
  double start = target_now();
  unsigned next = 0;
  while (target_now() - start < seconds) {
    for (int k = 0; k < 16; ++k) {
      free(slots[next]);
      slots[next] = malloc(slot_bytes);
      target_touch(slots[next], slot_bytes);
      next = (next + 1) % kSlots;
    }
    target_sleep_ms(20);
  }
  for (int i = 0; i < kSlots; ++i) free(slots[i]);
  return 0;
}
