// StatusLine: the one-line live view memlens redraws in place on a terminal (stderr):
// RSS, heap, external, growth rate, pattern, leaks. Disabled (draws nothing) when stderr is not
// a terminal, so logs and pipes stay clean. Owned by the CLI's main thread; not thread-safe.
//
//   StatusLine line(isatty(STDERR_FILENO));
//   line.draw(StatusLine::format(analyzer.status(), analyzer.growth_patterns()));
//   line.clear();  // before printing anything else
#pragma once

#include <string>
#include <vector>

#include "memlens/analyzer.h"

namespace memlens::cli {

class StatusLine {
 public:
  explicit StatusLine(bool enabled) : enabled_(enabled) {}
  bool enabled() const { return enabled_; }
  void draw(const std::string& text);
  void clear();
  // The text of the line, e.g. "pid 42 | RSS 51.2 MB | heap 40.1 MB~ | ext 11.1 MB |
  // +210.3 KB/s linear | leaks 1 | 57 samples" ("~": heap is an estimate).
  static std::string format(const AnalyzerStatus& status,
                            const std::vector<GrowthPattern>& patterns);

 private:
  bool enabled_;
  bool drawn_ = false;
};

}  // namespace memlens::cli
