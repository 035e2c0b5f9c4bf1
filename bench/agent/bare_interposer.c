/* The floor of any LD_PRELOAD allocation tracker: malloc, free, calloc and realloc exported over
 * glibc's, each counting into a thread-local counter and forwarding to glibc's own entry
 * points. No stacks, no tables. run.sh measures it beside the agent so that the sampled mode's
 * cost can be read against what interposition alone costs on the same machine, in the same run.
 * (aligned allocations are not hooked: they reach glibc directly and __libc_free frees them.) */
#include <stddef.h>

extern void* __libc_malloc(size_t size);
extern void* __libc_calloc(size_t count, size_t size);
extern void* __libc_realloc(void* p, size_t size);
extern void __libc_free(void* p);

static __thread unsigned long t_calls __attribute__((tls_model("initial-exec")));

#define EXPORT __attribute__((visibility("default")))

EXPORT void* malloc(size_t size) {
  ++t_calls;
  return __libc_malloc(size);
}
EXPORT void free(void* p) {
  ++t_calls;
  __libc_free(p);
}
EXPORT void* calloc(size_t count, size_t size) {
  ++t_calls;
  return __libc_calloc(count, size);
}
EXPORT void* realloc(void* p, size_t size) {
  ++t_calls;
  return __libc_realloc(p, size);
}
