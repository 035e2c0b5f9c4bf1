// AlertEngine: turns the latest figures (external MB, external/heap ratio, RSS MB, leak count,
// growth rate) into threshold alerts with two levels and hysteresis, and keeps their history.
//
// Levels: warning (Severity::kMedium) when a value reaches its threshold, critical
// (Severity::kCritical) when it reaches kCriticalFactor (1.5) x the threshold. Hysteresis: an
// active alert clears only when the value falls below kClearFactor (0.9) x its threshold, and a
// critical one steps down to warning only below 0.9 x the critical level; so a value hovering
// at a threshold raises one alert, not one per sample. A threshold <= 0 disables that alert.
//
// Owned by the analyzer; thread-safe (one internal mutex), so the server may read history,
// dismiss and change thresholds while the sampling thread evaluates.
//
//   AlertEngine alerts(config.alert_thresholds);
//   for (const Alert& a : alerts.evaluate(figures, base::wall_ms()))
//   events.threshold_alert.emit(a);
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "memlens/config.h"
#include "memlens/events.h"

namespace memlens::monitor {

// The figures alerts look at, from one snapshot plus the latest analysis.
struct AlertFigures {
  double external_mb = 0;
  double external_ratio = 0;
  double rss_mb = 0;
  double leak_count = 0;
  double growth_rate_mb_per_sec = 0;  // fastest-growing memory metric over the window
};

class AlertEngine {
 public:
  static constexpr double kCriticalFactor = 1.5;
  static constexpr double kClearFactor = 0.9;
  static constexpr size_t kMaxHistory = 500;

  explicit AlertEngine(AlertThresholds thresholds) : thresholds_(thresholds) {}

  // Compares the figures with the thresholds; returns the alerts that changed state: newly
  // raised or escalated (active=true) and cleared (active=false), in that order.
  std::vector<Alert> evaluate(const AlertFigures& figures, int64_t now_ms);

  std::vector<Alert> history() const;  // newest last, at most kMaxHistory
  std::vector<Alert> active() const;   // active and not dismissed
  bool dismiss(const std::string& id);
  AlertThresholds thresholds() const;
  void set_thresholds(const AlertThresholds& t);  // applies from the next evaluate()
  void clear();                                   // forgets history and state

 private:
  enum class Level { kNone, kWarning, kCritical };
  struct MetricState {
    Level level = Level::kNone;
    std::string alert_id;
  };
  static constexpr int kMetrics = 5;

  void check(int metric, double value, double threshold, int64_t now_ms, std::vector<Alert>& out);
  Alert* find(const std::string& id);

  mutable std::mutex mutex_;
  AlertThresholds thresholds_;
  MetricState state_[kMetrics];
  std::deque<Alert> history_;
  uint64_t next_id_ = 1;
};

}  // namespace memlens::monitor
