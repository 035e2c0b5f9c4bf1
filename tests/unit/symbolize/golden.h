// Golden-file comparison for symbolization tests (habit 9): `actual` must equal
// tests/data/symbolize/<name>. With MEMLENS_UPDATE_GOLDEN=1 in the environment the file is
// (re)written instead — review the diff before committing it. On a mismatch the actual text is
// left in <build>/<name>.actual for diffing.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace memlens::testing {

inline void expect_golden(const std::string& name, const std::string& actual) {
  std::string path = std::string(MEMLENS_TEST_DATA_DIR) + "/symbolize/" + name;
  if (const char* update = std::getenv("MEMLENS_UPDATE_GOLDEN"); update && *update == '1') {
    std::ofstream(path) << actual;
    GTEST_SKIP() << "golden file rewritten: " << path;
  }
  std::ifstream in(path);
  ASSERT_TRUE(in) << "missing golden file " << path;
  std::stringstream expected;
  expected << in.rdbuf();
  if (expected.str() != actual) {
    std::string out = std::string(MEMLENS_BINARY_DIR) + "/" + name + ".actual";
    std::ofstream(out) << actual;
    ADD_FAILURE() << "differs from golden " << path << " (actual in " << out << ")\n--- expected\n"
                  << expected.str() << "--- actual\n"
                  << actual;
  }
}

}  // namespace memlens::testing
