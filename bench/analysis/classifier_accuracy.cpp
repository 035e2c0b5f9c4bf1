// classifier_accuracy: how often the growth classifier names each synthetic shape correctly
// over 500 seeds (5 minutes at 5 s, the default growthDetectionWindow). Prints one line per
// shape: correct/500 and what the misses were. Deterministic; no timing.
//
//   build-*/bench/analysis/classifier_accuracy
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>

#include "analysis/growth_classifier.h"

namespace {

using namespace memlens;
using namespace memlens::analysis;

constexpr double kMiB = 1048576.0;
constexpr int kSeeds = 500;

double saw(double t, double period, double amp) {
  return amp * std::fmod(t, period) / period;
}

void run(const char* name, PatternType want, const std::function<double(double)>& shape,
         double noise_mb) {
  int counts[5] = {};
  for (int seed = 1; seed <= kSeeds; ++seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> noise(0, noise_mb * kMiB);
    std::vector<SeriesPoint> pts;
    for (double t = 0; t <= 300; t += 5) pts.push_back({1.7e9 + t, shape(t) + noise(rng)});
    ++counts[static_cast<int>(classify_growth("rss", pts, ClassifierOptions{}).type)];
  }
  std::printf("%-40s %-11s %3d/%d  (stable %d, linear %d, exponential %d, spike %d, leak %d)\n",
              name, to_string(want), counts[static_cast<int>(want)], kSeeds, counts[0], counts[1],
              counts[2], counts[3], counts[4]);
}

}  // namespace

int main() {
  const double b = 100 * kMiB;
  run(
      "noise sd=2 MB", PatternType::kStable, [&](double) { return 2 * b; }, 2);
  run(
      "noise sd=5 MB", PatternType::kStable, [&](double) { return 2 * b; }, 5);
  run(
      "linear 1 MB/s", PatternType::kLinear, [&](double t) { return b + t * kMiB; }, 0.5);
  run(
      "linear 2 MB/min, sd=1 MB", PatternType::kLinear, [&](double t) { return b + t * kMiB / 30; },
      1);
  run(
      "exponential, doubling/60 s", PatternType::kExponential,
      [&](double t) { return b + kMiB * std::exp2(t / 60); }, 0.2);
  run(
      "exponential, doubling/60 s, sd=1 MB", PatternType::kExponential,
      [&](double t) { return b + kMiB * std::exp2(t / 60); }, 1);
  run(
      "warm-up +60 MB, tau=25 s", PatternType::kStable,
      [&](double t) { return b + 60 * kMiB * (1 - std::exp(-t / 25)); }, 0.5);
  run(
      "warm-up +60 MB, tau=40 s, sd=1 MB", PatternType::kStable,
      [&](double t) { return b + 60 * kMiB * (1 - std::exp(-t / 40)); }, 1);
  run(
      "sawtooth 50 MB / 30 s, flat floor", PatternType::kStable,
      [&](double t) { return b + saw(t, 30, 50 * kMiB); }, 0.5);
  run(
      "sawtooth 50 MB / 60 s, flat floor", PatternType::kStable,
      [&](double t) { return b + saw(t, 60, 50 * kMiB); }, 0.5);
  run(
      "batch spikes +80 MB every 60 s", PatternType::kSpike,
      [&](double t) { return b + (std::fmod(t, 60) == 25 ? 80 * kMiB : 0.0); }, 0.5);
  run(
      "batch bursts +40 MB for 10 s / 60 s, sd=2", PatternType::kSpike,
      [&](double t) { return b + (std::fmod(t, 60) < 10 ? 40 * kMiB : 0.0); }, 2);
  run(
      "leak 20 MB/5 min under 60 MB/30 s churn", PatternType::kLeak,
      [&](double t) { return b + t * 20 * kMiB / 300 + saw(t, 30, 60 * kMiB); }, 1);
  run(
      "leak 20 MB/5 min under 60 MB/60 s churn", PatternType::kLeak,
      [&](double t) { return b + t * 20 * kMiB / 300 + saw(t, 60, 60 * kMiB); }, 1);
  run(
      "leak 30 MB/5 min under batch spikes", PatternType::kLeak,
      [&](double t) {
        return b + t * 30 * kMiB / 300 + (std::fmod(t, 60) == 25 ? 80 * kMiB : 0.0);
      },
      0.5);
  return 0;
}
