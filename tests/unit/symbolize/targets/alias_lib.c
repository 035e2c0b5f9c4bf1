// Symbol-table test library (stripped to .dynsym): one function under three names, as libc's
// malloc / __libc_malloc are; the plain global name must win.
int __alias_impl(int x) {
  return x * 7 + 3;
}
int alias_public(int x) __attribute__((alias("__alias_impl")));
int alias_weak(int x) __attribute__((weak, alias("__alias_impl")));
