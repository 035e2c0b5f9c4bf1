// Synthetic memory series for the analysis tests: a seeded generator of the shapes the growth
// classifier must tell apart (noise, warm-up, churn, spikes, leaks, exponential growth).
// Header-only test support; not thread-safe (owns an RNG).
//
//   SyntheticSeries g(42);
//   auto pts = g.make(300, 5, [](double t) { return 100 * kMiB + t * kMiB; }, 0.5 * kMiB);
#pragma once

#include <cmath>
#include <functional>
#include <random>
#include <vector>

#include "analysis/growth_classifier.h"

namespace memlens::testing {

constexpr double kMiB = 1048576.0;

class SyntheticSeries {
 public:
  explicit SyntheticSeries(unsigned seed) : rng_(seed) {}

  // Points every `step` s over [0, duration] of shape(t) + N(0, noise).
  std::vector<analysis::SeriesPoint> make(double duration, double step,
                                          const std::function<double(double)>& shape, double noise,
                                          double t0 = 1.7e9) {
    std::normal_distribution<double> n(0, noise > 0 ? noise : 1);
    std::vector<analysis::SeriesPoint> out;
    for (double t = 0; t <= duration + 1e-9; t += step)
      out.push_back({t0 + t, shape(t) + (noise > 0 ? n(rng_) : 0)});
    return out;
  }

  std::mt19937& rng() { return rng_; }

 private:
  std::mt19937 rng_;
};

// Sawtooth between 0 and `amplitude` with the given period.
inline double sawtooth(double t, double period, double amplitude) {
  return amplitude * std::fmod(t, period) / period;
}

}  // namespace memlens::testing
