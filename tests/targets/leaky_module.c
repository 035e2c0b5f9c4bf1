/* libmemlens_leaky_module.so: a shared library built by the tests, standing for a third-party
 * library that holds memory on behalf of its caller. module_user.c drives it.
 *   leaky_module_retain(n)  keeps an n-byte record on a list it never frees (a leak inside
 *                           the library: memlens must charge it to this .so)
 *   leaky_module_churn(n)   allocates an n-byte scratch buffer, uses it and frees it (steady)
 * Both do work after their malloc so the compiler cannot turn the call into a tail call, which
 * would drop this library's frame from the stack. */
#include <stdlib.h>
#include <string.h>

struct leaky_record {
  struct leaky_record* next;
  size_t size;
};

static struct leaky_record* leaky_records;

__attribute__((visibility("default"), noinline)) int leaky_module_retain(size_t n) {
  struct leaky_record* r = malloc(n < sizeof *r ? sizeof *r : n);
  if (r == NULL) return -1;
  memset(r, 0x5a, n < sizeof *r ? sizeof *r : n);
  r->size = n;
  r->next = leaky_records;
  leaky_records = r;
  return 0;
}

__attribute__((visibility("default"), noinline)) int leaky_module_churn(size_t n) {
  unsigned char* scratch = malloc(n);
  if (scratch == NULL) return -1;
  memset(scratch, 0xa5, n);
  int sum = scratch[0] + scratch[n - 1];
  free(scratch);
  return sum;
}
