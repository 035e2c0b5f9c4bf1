// Golden-test library (C, -O1 -g): an always_inline function whose body holds a call, so the
// return address of that call lies in inlined code and must expand to two frames.
#include <stdint.h>

__attribute__((noinline, noipa)) uintptr_t inline_lib_capture(void) {
  return (uintptr_t)__builtin_return_address(0);
}

static inline __attribute__((always_inline)) uintptr_t inline_step(volatile int* counter) {
  *counter += 1;
  uintptr_t where = inline_lib_capture();
  *counter += 2;
  return where;
}

uintptr_t inline_outer(void) {
  volatile int counter = 0;
  uintptr_t where = inline_step(&counter);
  counter += 3;
  return where + (uintptr_t)(counter - 6);
}
