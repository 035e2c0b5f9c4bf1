/* A shared library built by the tests that leaks: the agent must show the application function
 * that called into it, and the library's own frame at the leaf side. */
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) void* leaky_make(size_t n) {
  void* p = malloc(n);
  if (p != NULL) memset(p, 0x5a, n);
  return p;
}
