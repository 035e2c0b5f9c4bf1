// Golden-test library (C++, -O1 -g): a member function of a class template in a namespace,
// whose demangled name carries both.
#include <cstdint>

namespace shapes {

__attribute__((noinline, noipa)) uintptr_t capture() {
  return reinterpret_cast<uintptr_t>(__builtin_return_address(0));
}

template <typename T>
struct Box {
  T value{};
  __attribute__((noinline)) uintptr_t grow(T by);
};

template <typename T>
uintptr_t Box<T>::grow(T by) {
  uintptr_t where = capture();
  value += by;
  return where + static_cast<uintptr_t>(value - by);
}

template struct Box<int>;

}  // namespace shapes

extern "C" uintptr_t template_entry() {
  shapes::Box<int> box;
  return box.grow(3);
}
