// C++ allocation paths under the agent: every operator new form (typed `new`), a malloc beside
// them (typed `malloc`), and a failing operator new whose bad_alloc must reach the program with
// tracking still working afterwards. Stages: ready (all live), ready (all deleted).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <new>

extern "C" {
#include "scenario_common.h"
}

static void* g_p[8][3];

__attribute__((noinline)) void cxx_new(int i) {
  g_p[0][i] = ::operator new(100);
}
__attribute__((noinline)) void cxx_new_array(int i) {
  g_p[1][i] = ::operator new[](200);
}
__attribute__((noinline)) void cxx_new_nothrow(int i) {
  g_p[2][i] = ::operator new(300, std::nothrow);
}
__attribute__((noinline)) void cxx_new_aligned(int i) {
  g_p[3][i] = ::operator new(400, std::align_val_t(64));
}
__attribute__((noinline)) void cxx_new_array_aligned_nothrow(int i) {
  g_p[4][i] = ::operator new[](500, std::align_val_t(128), std::nothrow);
}
__attribute__((noinline)) void cxx_malloc(int i) {
  g_p[5][i] = std::malloc(600);
}
__attribute__((noinline)) void cxx_after_throw(int i) {
  g_p[6][i] = ::operator new(700);
}

int main() {
  SCENARIO_SYM(cxx_new);
  SCENARIO_SYM(cxx_new_array);
  SCENARIO_SYM(cxx_new_nothrow);
  SCENARIO_SYM(cxx_new_aligned);
  SCENARIO_SYM(cxx_new_array_aligned_nothrow);
  SCENARIO_SYM(cxx_malloc);
  SCENARIO_SYM(cxx_after_throw);
  SCENARIO_SYM(main);
  bool threw = false;
  try {
    void* huge = ::operator new(SIZE_MAX / 2);
    ::operator delete(huge);
  } catch (const std::bad_alloc&) {
    threw = true;
  }
  scenario_expect("bad_alloc", threw ? 1 : 0);
  for (int i = 0; i < 3; ++i) {
    cxx_new(i);
    cxx_new_array(i);
    cxx_new_nothrow(i);
    cxx_new_aligned(i);
    cxx_new_array_aligned_nothrow(i);
    cxx_malloc(i);
    cxx_after_throw(i);
  }
  scenario_ready();
  for (int i = 0; i < 3; ++i) {
    ::operator delete(g_p[0][i], 100);
    ::operator delete[](g_p[1][i]);
    ::operator delete(g_p[2][i], std::nothrow);
    ::operator delete(g_p[3][i], std::align_val_t(64));
    ::operator delete[](g_p[4][i], std::align_val_t(128));
    std::free(g_p[5][i]);
    ::operator delete(g_p[6][i]);
  }
  scenario_ready();
  return 0;
}
