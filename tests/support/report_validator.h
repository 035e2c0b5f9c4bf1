// ReportValidator: validates a report JSON file against schema/report.schema.json by running
// tests/tools/validate_report.py (python3-jsonschema). For tests in any area; needs the
// MEMLENS_SOURCE_DIR definition that memlens_unit_test provides. Not thread-safe w.r.t. the
// process environment only in the way popen is; fine from tests.
//
//   std::string why;
//   EXPECT_TRUE(memlens::testing::validate_report_file(path, &why)) << why;
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace memlens::testing {

// Single-quotes `s` for /bin/sh.
inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// True when the file at `path` is a valid report. Otherwise false, with the validator's
// one-line reason (or why it could not run) in *why.
inline bool validate_report_file(const std::string& path, std::string* why) {
  const std::string src = MEMLENS_SOURCE_DIR;
  const std::string cmd = "python3 " + shell_quote(src + "/tests/tools/validate_report.py") + " " +
                          shell_quote(src + "/schema/report.schema.json") + " " +
                          shell_quote(path) + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) {
    if (why) *why = "cannot run the validator";
    return false;
  }
  std::string out;
  char buf[512];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int status = pclose(p);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  if (why) *why = out;
  return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace memlens::testing
