// Generation-test library B: loaded after A is gone, often at A's old address.
int gen_b_function(int x) {
  return x * 5 + 2;
}
