// Golden-test library whose DWARF lives in a separate file (as Debian's -dbgsym packages
// ship it): the build strips it and leaves a .gnu_debuglink to libsymtest_debuglink.so.debug
// beside it, which libdwfl's standard search finds.
#include <stdint.h>

__attribute__((noinline, noipa)) uintptr_t debuglink_capture(void) {
  return (uintptr_t)__builtin_return_address(0);
}

uintptr_t debuglink_entry(int n) {
  uintptr_t where = debuglink_capture();
  return where + (uintptr_t)(n - 1);
}
