/* Deep stacks: allocations made 24..88 frames below main through mutually recursive functions,
 * so the cost of unwinding dominates. Usage: deep [ROUNDS] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static long g_rounds = 300000;
static volatile uint64_t g_sink;

__attribute__((noinline)) void* descend_b(int depth, size_t n);

__attribute__((noinline)) void* descend_a(int depth, size_t n) {
  if (depth == 0) return malloc(n);
  void* p = descend_b(depth - 1, n + 1);
  g_sink += (uintptr_t)p & 1; /* not a tail call */
  return p;
}

__attribute__((noinline)) void* descend_b(int depth, size_t n) {
  if (depth == 0) return malloc(n);
  void* p = descend_a(depth - 1, n + 2);
  g_sink += (uintptr_t)p & 1;
  return p;
}

int main(int argc, char** argv) {
  if (argc > 1) g_rounds = atol(argv[1]);
  void* keep[64] = {0};
  for (long i = 0; i < g_rounds; ++i) {
    int depth = 24 + (int)(i % 65);
    unsigned k = (unsigned)(i % 64);
    free(keep[k]);
    keep[k] = descend_a(depth, 32);
  }
  for (int k = 0; k < 64; ++k) free(keep[k]);
  printf("deep %llu\n", (unsigned long long)g_sink);
  return 0;
}
