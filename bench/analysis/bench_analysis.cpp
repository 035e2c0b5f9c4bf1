// bench_analysis: classifying a day at 5 s (17,280 points). Each benchmark prints its time beside
// the floor measured in the same run: one least-squares pass over the same points
// (counters cpu_us, floor_us and x_floor; thread CPU time, best-of-200 for the floor). Target:
// analyze_growth over the day <= 5 ms.
//
//   build-*/bench/analysis/bench_analysis --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <time.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "analysis/growth_analysis.h"
#include "analysis/growth_classifier.h"
#include "analysis/regression.h"
#include "analysis/report_builder.h"

namespace {

using namespace memlens;
using namespace memlens::analysis;

constexpr size_t kPoints = 17'280;
constexpr double kMiB = 1048576.0;

// A day of a process with a slow leak under churn, noise, and growing TCP descriptors.
const std::vector<Snapshot>& day() {
  static const std::vector<Snapshot> snaps = [] {
    std::mt19937 rng(1);
    std::normal_distribution<double> noise(0, 2 * kMiB);
    std::vector<Snapshot> v(kPoints);
    for (size_t i = 0; i < kPoints; ++i) {
      const double t = i * 5.0;
      Snapshot& s = v[i];
      s.timestamp = 1'700'000'000'000 + static_cast<int64_t>(i) * 5000;
      s.heap_used = static_cast<uint64_t>(200 * kMiB + t * 100 + 40 * kMiB * std::fmod(t, 60) / 60 +
                                          noise(rng));
      s.heap_total = s.heap_used + (16ull << 20);
      s.rss = s.heap_total + static_cast<uint64_t>(80 * kMiB + noise(rng));
      s.compute_derived();
      s.descriptors.classified = true;
      s.descriptors[DescriptorKind::kFile] = 12;
      s.descriptors[DescriptorKind::kTcp] = 4 + static_cast<uint32_t>(t / 600);
      s.descriptors[DescriptorKind::kPipe] = 2;
      s.descriptors[DescriptorKind::kAnonInode] = 3;
      s.descriptors.total = 21 + static_cast<uint32_t>(t / 600);
    }
    return v;
  }();
  return snaps;
}

const std::vector<SeriesPoint>& rss_points() {
  static const std::vector<SeriesPoint> pts = metric_points(day(), "rss");
  return pts;
}

// Thread CPU time in µs: the machine is shared, so wall time mostly measures the neighbours.
double cpu_us() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

// The floor: one OLS pass over the same 17,280 (t, y) points, best of many runs.
double floor_us() {
  static const double us = [] {
    std::vector<double> t, y;
    for (const SeriesPoint& p : rss_points()) {
      t.push_back(p.t_sec);
      y.push_back(p.value);
    }
    double best = 1e300;
    for (int rep = 0; rep < 200; ++rep) {
      const double a = cpu_us();
      LinearFit f = fit_ols(t, y);
      benchmark::DoNotOptimize(f);
      best = std::min(best, cpu_us() - a);
    }
    return best;
  }();
  return us;
}

void report_vs_floor(benchmark::State& state, double per_iter_us) {
  state.counters["floor_us"] = floor_us();
  state.counters["cpu_us"] = per_iter_us;
  state.counters["x_floor"] = per_iter_us / floor_us();
  state.counters["points"] = static_cast<double>(kPoints);
}

template <typename Fn>
void timed(benchmark::State& state, Fn fn) {
  double total_us = 0;
  for (auto _ : state) {
    const double a = cpu_us();
    fn();
    total_us += cpu_us() - a;
  }
  report_vs_floor(state, total_us / static_cast<double>(state.iterations()));
}

void BM_OlsFloor(benchmark::State& state) {
  std::vector<double> t, y;
  for (const SeriesPoint& p : rss_points()) {
    t.push_back(p.t_sec);
    y.push_back(p.value);
  }
  timed(state, [&] { benchmark::DoNotOptimize(fit_ols(t, y)); });
}

void BM_ClassifyGrowthDay(benchmark::State& state) {
  const auto& pts = rss_points();
  const ClassifierOptions o;
  timed(state, [&] { benchmark::DoNotOptimize(classify_growth("rss", pts, o)); });
}

void BM_AnalyzeGrowthDay(benchmark::State& state) {
  const Config cfg;
  size_t patterns = 0;
  timed(state, [&] {
    auto ps = analyze_growth(day(), cfg);
    patterns = ps.size();
    benchmark::DoNotOptimize(ps);
  });
  state.counters["metrics"] = static_cast<double>(patterns);
}

void BM_BuildReportDayWindow(benchmark::State& state) {
  // The report as the monitor builds it: the whole day for the summary and trend, the growth
  // window set to the whole day too (the worst case).
  ReportInputs in;
  in.snapshots = day();
  in.config.growth_detection_window_ms = 24 * 3600'000;
  timed(state, [&] { benchmark::DoNotOptimize(build_report(in)); });
}

BENCHMARK(BM_OlsFloor)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ClassifyGrowthDay)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_AnalyzeGrowthDay)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_BuildReportDayWindow)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
