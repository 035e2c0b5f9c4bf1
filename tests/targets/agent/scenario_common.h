/* Shared by the agent test programs: a line protocol with the test that drives them.
 *   stdout: "sym NAME 0xADDR"  function start addresses, so the test can map raw stack
 *                               addresses to functions without a symbolizer
 *           "expect KEY VALUE" numbers the test compares with what the agent reports
 *           "ready"             the program waits on stdin for one line before going on
 * Every output line is flushed at once (stdout is a pipe). */
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCENARIO_SYM(fn) scenario_sym(#fn, (const void*)&fn)

static inline void scenario_sym(const char* name, const void* addr) {
  printf("sym %s %p\n", name, addr);
  fflush(stdout);
}

static inline void scenario_expect(const char* key, unsigned long long value) {
  printf("expect %s %llu\n", key, value);
  fflush(stdout);
}

/* Says "ready" and blocks until the test sends a line (or closes stdin). */
static inline void scenario_ready(void) {
  char line[64];
  printf("ready\n");
  fflush(stdout);
  if (fgets(line, sizeof line, stdin) == NULL) return;
}
