/* module_user: a program whose memory is held by a shared library it links
 * (libmemlens_leaky_module.so, leaky_module.c), at a constant rate.
 * Usage: module_user [SECONDS=60] [RATE_KB_PER_SEC=1024] [KEEP=1]
 *   KEEP=1: the library keeps every block (leaky_module_retain): a native_module leak.
 *   KEEP=0: the library allocates and frees the same volume (leaky_module_churn): no leak. */
#include "target_common.h"

int leaky_module_retain(size_t n);
int leaky_module_churn(size_t n);

int main(int argc, char** argv) {
  double seconds = target_arg(argc, argv, 1, 60);
  double rate_kb = target_arg(argc, argv, 2, 1024);
  int keep = target_arg(argc, argv, 3, 1) != 0;
  const size_t block = 8 * 1024;
  double done = 0;
  double start = target_now();
  for (;;) {
    double t = target_now() - start;
    if (t >= seconds) break;
    double want = rate_kb * 1024.0 * t;
    while (done + block <= want) {
      int rc = keep ? leaky_module_retain(block) : leaky_module_churn(block);
      if (rc < 0) {
        fprintf(stderr, "out of memory\n");
        return 1;
      }
      done += block;
    }
    target_sleep_ms(20);
  }
  return 0;
}
