/* Shared by the leaking test programs: argument parsing, a wall-clock schedule and page
 * touching. Each target follows a schedule in real time (bytes wanted at time t), not a count of
 * ticks, so a loaded machine delays the steps but keeps the rate. */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* argv[i] as a double, or `fallback` when absent. */
static inline double target_arg(int argc, char** argv, int i, double fallback) {
  if (i >= argc) return fallback;
  char* end = NULL;
  double v = strtod(argv[i], &end);
  if (end == argv[i] || *end != '\0') {
    fprintf(stderr, "%s: argument %d '%s' is not a number\n", argv[0], i, argv[i]);
    exit(2);
  }
  return v;
}

static inline double target_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline void target_sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* Writes every page so the memory becomes resident (RSS), not just reserved. */
static inline void target_touch(void* p, size_t n) {
  if (!p) {
    fprintf(stderr, "out of memory\n");
    exit(1);
  }
  /* volatile: the compiler may not drop the stores to memory it sees is never read. */
  volatile char* bytes = (volatile char*)p;
  for (size_t i = 0; i < n; i += 4096) bytes[i] = (char)i;
  if (n) bytes[n - 1] = 1;
}
