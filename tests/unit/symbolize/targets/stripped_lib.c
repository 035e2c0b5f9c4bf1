// Golden-test library built with -g and then stripped of everything but .dynsym: exported
// functions keep their names (no file:line), static ones are unknown.
#include <stdint.h>

__attribute__((noinline, noipa)) uintptr_t stripped_capture(void) {
  return (uintptr_t)__builtin_return_address(0);
}

__attribute__((noinline, noipa)) static uintptr_t stripped_hidden(int x) {
  uintptr_t where = stripped_capture();
  return where + (uintptr_t)(x - 1);
}

uintptr_t stripped_entry(void) {
  uintptr_t where = stripped_hidden(1);
  return where;
}
