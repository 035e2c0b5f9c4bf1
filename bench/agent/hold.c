/* Holds N live allocations of 16..64 bytes, says "ready" and waits for a line on stdin; for the
 * agent's per-allocation memory measurement. Usage: hold N */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000000;
  void** keep = malloc(sizeof(void*) * (size_t)n);
  for (long i = 0; i < n; ++i) keep[i] = malloc(16 + (size_t)(i % 49));
  printf("ready\n");
  fflush(stdout);
  char line[16];
  if (fgets(line, sizeof line, stdin) == NULL) return 0;
  for (long i = 0; i < n; ++i) free(keep[i]);
  free(keep);
  return 0;
}
