/* Call paths that try the agent's stack memo (src/agent/suffix_unwinder.cpp) where it could go
 * wrong: one allocating function reached at the same stack position through different callers
 * (the same leaf frame, a different frame further down), in an order that repeats and then does
 * not (the memo predicts the next stack from the last time); the same function calling down from
 * two call sites of one caller (only one return address deep in the stack differs); recursion to
 * varying depths; stacks deeper than the agent keeps; more deep stacks than its flat copies of
 * checked chains hold. Everything happens under work(). Stage:
 * ready. */
#include "scenario_common.h"

#define NOINLINE __attribute__((noinline))

static volatile unsigned sink;

NOINLINE void* leaf(size_t n) {
  void* p = malloc(n);
  sink += (unsigned)(uintptr_t)p;
  return p;
}

NOINLINE void mid(int i) {
  free(leaf(16 + (size_t)(i & 7)));
}

/* Two callers of mid() with equal frames: mid() and leaf() run at the same stack positions. */
NOINLINE void upper_a(int i) {
  volatile char pad[64];
  pad[i & 63] = (char)i;
  mid(i);
  sink += (unsigned)pad[(i + 1) & 63];
}

NOINLINE void upper_b(int i) {
  volatile char pad[64];
  pad[i & 63] = (char)(i + 1);
  mid(i);
  sink += (unsigned)pad[(i + 2) & 63];
}

/* One caller, two call sites of the same callee. */
NOINLINE void two_sites(int i) {
  if (i & 1) {
    upper_a(i);
    sink += 1;
  } else {
    sink += 2;
    upper_a(i + 1);
    sink += 3;
  }
}

NOINLINE void rec(int depth, int i) {
  if (depth == 0) {
    mid(i);
    return;
  }
  rec(depth - 1, i);
  if (depth % 3 == 0) free(leaf(8));
}

NOINLINE void deep(int depth) {
  if (depth == 0) {
    free(leaf(40));
    return;
  }
  deep(depth - 1);
  sink += (unsigned)depth;
}

NOINLINE void work(void) {
  unsigned x = 12345;
  for (int round = 0; round < 2000; ++round) {
    /* A fixed sequence, then a pseudo-random one: predictions right, then often wrong. */
    upper_a(round);
    upper_b(round);
    two_sites(round);
    x = x * 1103515245u + 12345u;
    switch ((x >> 16) % 4) {
      case 0:
        upper_a(round);
        break;
      case 1:
        upper_b(round);
        break;
      case 2:
        two_sites(round);
        break;
      default:
        rec((int)((x >> 20) % 9), round);
        break;
    }
    if (round % 50 == 0) deep(300);
  }
  /* Many distinct deep stacks, twice: more ancestors to check than the memo keeps flat (its pool
   * of slots fills up), so later nodes are checked along their parent links. */
  for (int pass = 0; pass < 2; ++pass) {
    for (int depth = 240; depth > 120; --depth) deep(depth);
  }
}

int main(void) {
  SCENARIO_SYM(leaf);
  SCENARIO_SYM(mid);
  SCENARIO_SYM(upper_a);
  SCENARIO_SYM(upper_b);
  SCENARIO_SYM(two_sites);
  SCENARIO_SYM(rec);
  SCENARIO_SYM(deep);
  SCENARIO_SYM(work);
  SCENARIO_SYM(main);
  work();
  scenario_ready();
  return 0;
}
