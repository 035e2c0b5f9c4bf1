#include "symbolize/demangle.h"

#include <gtest/gtest.h>

namespace memlens::symbolize {
namespace {

TEST(Demangle, CxxNamesWithNamespacesAndTemplates) {
  EXPECT_EQ(demangle("_ZN6shapes3BoxIiE4growEi"), "shapes::Box<int>::grow(int)");
  EXPECT_EQ(demangle("_Znwm"), "operator new(unsigned long)");
}

TEST(Demangle, NonMangledNamesAreKept) {
  EXPECT_EQ(demangle("main"), "main");
  EXPECT_EQ(demangle("i"), "i");  // would demangle to "int" if tried
  EXPECT_EQ(demangle(""), "");
  EXPECT_EQ(demangle("_Zgarbage!"), "_Zgarbage!");
}

}  // namespace
}  // namespace memlens::symbolize
