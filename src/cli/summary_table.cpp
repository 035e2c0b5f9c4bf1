#include "cli/summary_table.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "base/duration.h"

namespace memlens::cli {
namespace {

// A table of left-aligned text columns, each as wide as its widest cell.
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string render() const {
    std::vector<size_t> width(rows_[0].size(), 0);
    for (const auto& r : rows_)
      for (size_t i = 0; i < r.size() && i < width.size(); ++i)
        width[i] = std::max(width[i], r[i].size());
    std::string out;
    for (size_t ri = 0; ri < rows_.size(); ++ri) {
      std::string line = " ";
      for (size_t i = 0; i < rows_[ri].size(); ++i) {
        std::string cell = rows_[ri][i];
        if (i + 1 < rows_[ri].size()) cell.resize(width[i], ' ');
        line += " " + cell;
      }
      out += line + "\n";
      if (ri == 0) {
        size_t total = 1;
        for (size_t w : width) total += w + 1;
        out += " " + std::string(total - 1, '-') + "\n";
      }
    }
    return out;
  }

 private:
  std::vector<std::vector<std::string>> rows_;
};

bool is_descriptor_metric(const std::string& metric) {
  return metric.rfind("fd", 0) == 0;
}

std::string first_line(const std::string& text, size_t max = 60) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > max) line = line.substr(0, max - 3) + "...";
  return line;
}

}  // namespace

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  double v = bytes;
  while (std::fabs(v) >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  if (u == 0) return fmt::format("{:.0f} B", v);
  if (std::fabs(v) >= 100) return fmt::format("{:.0f} {}", v, units[u]);
  if (std::fabs(v) >= 10) return fmt::format("{:.1f} {}", v, units[u]);
  return fmt::format("{:.2f} {}", v, units[u]);
}

std::string render_summary(const Report& r) {
  std::string out;
  const auto& s = r.summary;
  out += fmt::format("memlens summary: pid {} ({}), {} snapshots over {}, agent: {}\n", s.pid,
                     s.command.empty() ? "?" : first_line(s.command, 50), s.total_snapshots,
                     base::format_duration(std::chrono::milliseconds(s.duration_ms)),
                     s.agent ? "yes" : "no");
  const auto& t = r.rss_vs_heap;
  out += fmt::format(
      "  RSS {:.1f} MB, heap {:.1f} MB, external {:.1f} MB, external/heap {:.2f} ({}); RSS trend "
      "{}, divergence {:.1f} MB ({})\n",
      t.current_rss_mb, t.current_heap_mb, t.current_external_mb, t.external_ratio,
      to_string(t.ratio_health), to_string(t.trend), t.divergence_mb,
      to_string(t.divergence_trend));
  if (s.time_to_limit_ms)
    out += fmt::format("  at the current rate RSS reaches {} in {}\n", s.limit_kind,
                       base::format_duration(std::chrono::milliseconds(
                           static_cast<int64_t>(std::min(*s.time_to_limit_ms, 1e15)))));

  out += "\nGrowth patterns\n";
  if (r.growth_patterns.empty()) {
    out += "  (none: not enough samples in the window)\n";
  } else {
    TextTable table({"metric", "pattern", "severity", "rate", "growth", "confidence"});
    for (const auto& p : r.growth_patterns) {
      bool fd = is_descriptor_metric(p.metric);
      table.add(
          {p.metric, to_string(p.type), to_string(p.severity),
           fd ? fmt::format("{:+.2f}/s", p.growth_rate)
              : fmt::format("{:+.1f} KB/s", p.growth_rate * 1024),
           fd ? fmt::format("{:+.0f}", p.total_growth) : fmt::format("{:+.2f} MB", p.total_growth),
           fmt::format("{:.0f}%", p.confidence * 100)});
    }
    out += table.render();
  }

  out += "\nLeaks\n";
  if (r.leaks.empty()) {
    out += "  none detected\n";
  } else {
    TextTable table({"type", "severity", "source", "size", "rate"});
    for (const auto& l : r.leaks) {
      bool fd = l.type == LeakType::kFileHandle || l.type == LeakType::kConnectionPool;
      table.add({to_string(l.type), to_string(l.severity), first_line(l.source),
                 fd ? fmt::format("{} fds", l.estimated_size) : human_bytes(l.estimated_size),
                 fd ? fmt::format("{:+.2f}/s", l.growth_rate) : human_bytes(l.growth_rate) + "/s"});
    }
    out += table.render();
    for (const auto& l : r.leaks)
      if (!l.recommendation.empty())
        out += fmt::format("  - {}: {}\n", first_line(l.source, 40),
                           first_line(l.recommendation, 120));
  }

  if (!r.native_modules.empty()) {
    out += "\nNative modules\n";
    TextTable table({"module", "type", "memory", "allocs", "frees", "confidence"});
    size_t shown = 0;
    for (const auto& m : r.native_modules) {
      if (++shown > 10) break;
      table.add({m.module_name, to_string(m.module_type),
                 fmt::format("{:.2f} MB", m.estimated_memory_mb), std::to_string(m.allocations),
                 std::to_string(m.deallocations), fmt::format("{:.0f}%", m.confidence * 100)});
    }
    out += table.render();
  }

  if (!r.buffer_leaks.empty()) {
    out += "\nBuffer leaks\n";
    TextTable table({"source", "type", "live", "age", "leak"});
    size_t shown = 0;
    for (const auto& b : r.buffer_leaks) {
      if (++shown > 10) break;
      table.add({first_line(b.source), to_string(b.buffer_type), human_bytes(b.size),
                 base::format_duration(std::chrono::milliseconds(b.age)),
                 b.is_leak ? fmt::format("yes ({:.0f}%)", b.leak_confidence * 100) : "no"});
    }
    out += table.render();
  }
  return out;
}

}  // namespace memlens::cli
