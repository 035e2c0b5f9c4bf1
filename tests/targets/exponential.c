/* exponential: heap that doubles every DOUBLING seconds (leaked bytes = INITIAL_KB * 2^(t/d)),
 * capped at CAP_MB. Usage: exponential [SECONDS=60] [INITIAL_KB=1024] [DOUBLING_S=2] [CAP_MB=512]
 */
#include <math.h>

#include "target_common.h"

int main(int argc, char** argv) {
  double seconds = target_arg(argc, argv, 1, 60);
  double initial_kb = target_arg(argc, argv, 2, 1024);
  double doubling = target_arg(argc, argv, 3, 2);
  double cap_mb = target_arg(argc, argv, 4, 512);
  const size_t block = 32 * 1024;
  double leaked = 0;
  double start = target_now();
  for (;;) {
    double t = target_now() - start;
    if (t >= seconds) break;
    double want = initial_kb * 1024.0 * pow(2.0, t / doubling);
    if (want > cap_mb * 1048576.0) want = cap_mb * 1048576.0;
    while (leaked + block <= want) {
      void* p = malloc(block);
      target_touch(p, block);
      leaked += block;
    }
    target_sleep_ms(20);
  }
  return 0;
}
