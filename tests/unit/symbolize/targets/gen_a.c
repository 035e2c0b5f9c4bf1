// Generation-test library A: loaded, recorded, dlclosed; its address must keep this name.
int gen_a_function(int x) {
  return x * 3 + 1;
}
