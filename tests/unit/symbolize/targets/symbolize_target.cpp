// Golden-test target: a process (not the test itself) whose code addresses the test resolves
// from outside through /proc/PID/maps and the ELF files. It prints "label kind 0xADDR" lines
// (kind: "ret" = return address, "pc" = function entry), then "ready", and waits for stdin to
// close so that its mappings stay in place while the test reads them.
#include <cstdint>
#include <cstdio>

extern "C" uintptr_t inline_outer(void);
extern "C" uintptr_t template_entry();
extern "C" uintptr_t stripped_entry(void);
extern "C" uintptr_t debuglink_entry(int);

__attribute__((noinline, noipa)) static uintptr_t main_capture() {
  return reinterpret_cast<uintptr_t>(__builtin_return_address(0));
}

int main() {
  uintptr_t in_main = main_capture();
  std::printf("main ret %#lx\n", static_cast<unsigned long>(in_main));
  std::printf("inline ret %#lx\n", static_cast<unsigned long>(inline_outer()));
  std::printf("inline_outer pc %#lx\n", reinterpret_cast<unsigned long>(&inline_outer));
  std::printf("template ret %#lx\n", static_cast<unsigned long>(template_entry()));
  std::printf("stripped_hidden ret %#lx\n", static_cast<unsigned long>(stripped_entry()));
  std::printf("stripped_entry pc %#lx\n", reinterpret_cast<unsigned long>(&stripped_entry));
  std::printf("debuglink ret %#lx\n", static_cast<unsigned long>(debuglink_entry(1)));
  std::printf("unmapped pc %#lx\n", 0x10ul);
  std::printf("ready\n");
  std::fflush(stdout);
  int c;
  while ((c = std::getchar()) != EOF) {
  }
  return 0;
}
