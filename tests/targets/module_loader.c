/* module_loader: like module_user, but it loads libmemlens_leaky_module.so with dlopen once it
 * has run for a while, so the library appears in the process after the monitor first read its
 * mappings; then the library keeps a block at every step (leaky_module_retain), never freed.
 * Usage: module_loader LIBRARY_PATH [SECONDS=60] [RATE_KB_PER_SEC=1024] [LOAD_AFTER_SECONDS=1] */
#include <dlfcn.h>

#include "target_common.h"

typedef int (*retain_fn)(size_t);

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s LIBRARY_PATH [SECONDS] [RATE_KB_PER_SEC] [LOAD_AFTER]\n", argv[0]);
    return 2;
  }
  double seconds = target_arg(argc, argv, 2, 60);
  double rate_kb = target_arg(argc, argv, 3, 1024);
  double load_after = target_arg(argc, argv, 4, 1);
  const size_t block = 8 * 1024;
  double start = target_now();
  while (target_now() - start < load_after) target_sleep_ms(20);

  void* library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (library == NULL) {
    fprintf(stderr, "dlopen: %s\n", dlerror());
    return 1;
  }
  retain_fn retain = (retain_fn)dlsym(library, "leaky_module_retain");
  if (retain == NULL) {
    fprintf(stderr, "dlsym: %s\n", dlerror());
    return 1;
  }
  double done = 0;
  double loaded = target_now();
  for (;;) {
    double t = target_now() - loaded;
    if (target_now() - start >= seconds) break;
    double want = rate_kb * 1024.0 * t;
    while (done + block <= want) {
      if (retain(block) < 0) {
        fprintf(stderr, "out of memory\n");
        return 1;
      }
      done += block;
    }
    target_sleep_ms(20);
  }
  return 0;
}
