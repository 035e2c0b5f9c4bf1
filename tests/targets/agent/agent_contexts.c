/* Stacks that do not simply grow and shrink, where the agent's stack memo
 * (src/agent/suffix_unwinder.cpp) must still give the stacks a full unwind gives, and the
 * program must run as it does without the agent: a coroutine on a heap-allocated stack
 * (makecontext/swapcontext) allocating between switches, a signal handler on an alternate
 * signal stack allocating, and longjmp out of allocating recursions of varying depth followed by
 * allocations from the same stack positions. Prints "expect checksum N" (the same with and
 * without the agent). Stages: ready, ready. */
#include <setjmp.h>
#include <signal.h>
#include <ucontext.h>

#include "scenario_common.h"

#define NOINLINE __attribute__((noinline))

static volatile unsigned long long g_sum;
static ucontext_t g_main_ctx, g_co_ctx;
static jmp_buf g_jump;

NOINLINE void touch(size_t n) {
  char* p = malloc(n);
  p[0] = (char)n;
  g_sum += (unsigned char)p[0];
  free(p);
}

NOINLINE void co_inner(int i) {
  touch(24 + (size_t)(i & 15));
}

NOINLINE void co_body(void) {
  for (int i = 0; i < 300; ++i) {
    co_inner(i);
    swapcontext(&g_co_ctx, &g_main_ctx);
    touch(40);
  }
}

NOINLINE void main_side(int i) {
  touch(56 + (size_t)(i & 7));
}

NOINLINE void coroutines(void) {
  size_t stack_bytes = 128 * 1024;
  void* stack = malloc(stack_bytes);
  getcontext(&g_co_ctx);
  g_co_ctx.uc_stack.ss_sp = stack;
  g_co_ctx.uc_stack.ss_size = stack_bytes;
  g_co_ctx.uc_link = &g_main_ctx;
  makecontext(&g_co_ctx, co_body, 0);
  for (int i = 0; i < 301; ++i) {
    swapcontext(&g_main_ctx, &g_co_ctx);
    main_side(i);
  }
  free(stack);
}

NOINLINE void in_handler(int depth) {
  if (depth > 0) {
    in_handler(depth - 1);
    return;
  }
  touch(72);
}

static void on_signal(int sig) {
  (void)sig;
  in_handler(3);
}

NOINLINE void raise_some(int i) {
  touch(88);
  raise(SIGUSR1);
  touch(88 + (size_t)(i & 3));
}

NOINLINE void signals(void) {
  stack_t alt;
  alt.ss_sp = malloc(256 * 1024);
  alt.ss_size = 256 * 1024;
  alt.ss_flags = 0;
  sigaltstack(&alt, NULL);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_ONSTACK;
  sigaction(SIGUSR1, &sa, NULL);
  for (int i = 0; i < 200; ++i) raise_some(i);
  sa.sa_handler = SIG_DFL;
  sa.sa_flags = 0;
  sigaction(SIGUSR1, &sa, NULL);
  alt.ss_flags = SS_DISABLE;
  stack_t old;
  sigaltstack(&alt, &old);
  free(old.ss_sp);
}

NOINLINE void dive(int depth, int jump_at) {
  touch(104 + (size_t)(depth & 7));
  if (depth >= jump_at) longjmp(g_jump, 1);
  if (depth < 64) dive(depth + 1, jump_at);
}

/* The stack positions dive() left by longjmp, reached again by calls that return. */
NOINLINE void climb(int depth, int stop) {
  touch(120 + (size_t)(depth & 7));
  if (depth < stop) climb(depth + 1, stop);
}

NOINLINE void jump_once(int jump_at) {
  if (setjmp(g_jump) == 0) dive(0, jump_at);
}

NOINLINE void jumps(void) {
  for (int i = 0; i < 300; ++i) {
    jump_once(i % 23);
    climb(0, (i * 7) % 19);
  }
}

int main(void) {
  SCENARIO_SYM(touch);
  SCENARIO_SYM(co_inner);
  SCENARIO_SYM(co_body);
  SCENARIO_SYM(main_side);
  SCENARIO_SYM(coroutines);
  SCENARIO_SYM(in_handler);
  SCENARIO_SYM(on_signal);
  SCENARIO_SYM(raise_some);
  SCENARIO_SYM(signals);
  SCENARIO_SYM(dive);
  SCENARIO_SYM(climb);
  SCENARIO_SYM(jump_once);
  SCENARIO_SYM(jumps);
  SCENARIO_SYM(main);
  coroutines();
  signals();
  jumps();
  scenario_expect("checksum", g_sum);
  scenario_ready();
  scenario_ready();
  return 0;
}
