#include "cli/status_line.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

#include "cli/summary_table.h"

namespace memlens::cli {

std::string StatusLine::format(const AnalyzerStatus& st,
                               const std::vector<GrowthPattern>& patterns) {
  std::string text = fmt::format("pid {}", st.pid);
  if (st.latest) {
    const Snapshot& s = *st.latest;
    text +=
        fmt::format(" | RSS {} | heap {}{} | ext {}", human_bytes(s.rss), human_bytes(s.heap_used),
                    s.heap_source == HeapSource::kEstimate ? "~" : "", human_bytes(s.external));
  }
  for (const auto& p : patterns) {
    if (p.metric != "rss") continue;
    text += fmt::format(" | {:+.1f} KB/s {}", p.growth_rate * 1024, to_string(p.type));
  }
  text += fmt::format(" | leaks {} | {} samples", st.leak_count, st.snapshot_count);
  if (!st.active_alerts.empty()) text += fmt::format(" | {} alert(s)", st.active_alerts.size());
  if (!st.target_alive) text += " | target exited";
  return text;
}

void StatusLine::draw(const std::string& text) {
  if (!enabled_) return;
  std::string line = text;
  winsize ws{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 && line.size() >= ws.ws_col)
    line.resize(ws.ws_col - 1);
  std::fprintf(stderr, "\r\x1b[K%s", line.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void StatusLine::clear() {
  if (!enabled_ || !drawn_) return;
  std::fputs("\r\x1b[K", stderr);
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace memlens::cli
