#include "analysis/regression.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace memlens::analysis {

LinearFit fit_ols(std::span<const double> x, std::span<const double> y) {
  LinearFit f;
  const size_t n = std::min(x.size(), y.size());
  f.n = n;
  if (n == 0) return f;
  double mx = 0, my = 0;
  for (size_t i = 0; i < n; ++i) {
    mx += x[i];
    my += y[i];
  }
  mx /= static_cast<double>(n);
  my /= static_cast<double>(n);
  double sxx = 0, sxy = 0, syy = 0;
  for (size_t i = 0; i < n; ++i) {
    const double dx = x[i] - mx, dy = y[i] - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  f.intercept = my;
  if (n < 2 || sxx <= 0) {
    f.sse = syy;
    return f;
  }
  f.slope = sxy / sxx;
  f.intercept = my - f.slope * mx;
  // SSE = Syy - b·Sxy, clamped against rounding below zero.
  f.sse = std::max(0.0, syy - f.slope * sxy);
  f.r2 = syy > 0 ? std::clamp(1.0 - f.sse / syy, 0.0, 1.0) : 0.0;
  if (n > 2) f.slope_se = std::sqrt(f.sse / static_cast<double>(n - 2) / sxx);
  return f;
}

QuadraticFit fit_quadratic(std::span<const double> x, std::span<const double> y) {
  QuadraticFit q;
  const size_t n = std::min(x.size(), y.size());
  if (n < 3) return q;
  // Centre and scale x to [-1, 1] so the normal equations stay well conditioned.
  const auto [lo, hi] = std::minmax_element(x.begin(), x.begin() + n);
  const double c0 = (*lo + *hi) / 2, half = (*hi - *lo) / 2;
  if (half <= 0) return q;
  const double inv_half = 1 / half;
  double s[5] = {}, r[3] = {};
  for (size_t i = 0; i < n; ++i) {
    const double u = (x[i] - c0) * inv_half, u2 = u * u;
    s[0] += 1;
    s[1] += u;
    s[2] += u2;
    s[3] += u2 * u;
    s[4] += u2 * u2;
    r[0] += y[i];
    r[1] += u * y[i];
    r[2] += u2 * y[i];
  }
  // Solve [[s0 s1 s2][s1 s2 s3][s2 s3 s4]]·[A B C] = r by Cramer's rule.
  auto det3 = [](double a, double b, double c, double d, double e, double f, double g, double h,
                 double i) {
    return a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  };
  const double d = det3(s[0], s[1], s[2], s[1], s[2], s[3], s[2], s[3], s[4]);
  if (std::abs(d) < 1e-12 * std::max(1.0, s[0] * s[2] * s[4])) return q;
  const double A = det3(r[0], s[1], s[2], r[1], s[2], s[3], r[2], s[3], s[4]) / d;
  const double B = det3(s[0], r[0], s[2], s[1], r[1], s[3], s[2], r[2], s[4]) / d;
  const double C = det3(s[0], s[1], r[0], s[1], s[2], r[1], s[2], s[3], r[2]) / d;
  double sse = 0;
  for (size_t i = 0; i < n; ++i) {
    const double u = (x[i] - c0) * inv_half;
    const double e = y[i] - (A + B * u + C * u * u);
    sse += e * e;
  }
  // Back to x: y = A + B(x-c0)/h + C(x-c0)²/h².
  q.c = C / (half * half);
  q.b = B / half - 2 * C * c0 / (half * half);
  q.a = A - B * c0 / half + C * c0 * c0 / (half * half);
  q.sse = sse;
  q.ok = std::isfinite(q.a) && std::isfinite(q.b) && std::isfinite(q.c);
  return q;
}

LogLinearFit fit_log_linear(std::span<const double> x, std::span<const double> y, double shift) {
  LogLinearFit f;
  f.shift = shift;
  const size_t n = std::min(x.size(), y.size());
  std::vector<double> xs, ly;
  xs.reserve(n);
  ly.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (y[i] > shift) {
      xs.push_back(x[i]);
      ly.push_back(std::log(y[i] - shift));
    }
  }
  if (xs.size() < 3 || xs.size() < n / 2) return f;
  const LinearFit l = fit_ols(xs, ly);
  f.a = l.intercept;
  f.b = l.slope;
  double sse = 0;
  for (size_t i = 0; i < n; ++i) {
    const double e = y[i] - (shift + std::exp(f.a + f.b * x[i]));
    sse += e * e;
  }
  f.sse = sse;
  f.ok = std::isfinite(sse);
  return f;
}

double theil_sen_slope(std::span<const double> x, std::span<const double> y, size_t max_pairs) {
  const size_t n = std::min(x.size(), y.size());
  if (n < 2) return 0;
  std::vector<double> slopes;
  const size_t all_pairs = n * (n - 1) / 2;
  if (all_pairs <= max_pairs) {
    slopes.reserve(all_pairs);
    for (size_t i = 0; i < n; ++i)
      for (size_t j = i + 1; j < n; ++j)
        if (x[j] != x[i]) slopes.push_back((y[j] - y[i]) / (x[j] - x[i]));
  } else {
    // Fixed-seed xorshift: the same input always gives the same slope.
    slopes.reserve(max_pairs);
    uint64_t state = 0x9E3779B97F4A7C15ull ^ n;
    auto next = [&state] {
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      return state;
    };
    for (size_t k = 0; k < max_pairs; ++k) {
      const size_t i = next() % n, j = next() % n;
      if (i == j || x[i] == x[j]) continue;
      slopes.push_back((y[j] - y[i]) / (x[j] - x[i]));
    }
  }
  return median_inplace(slopes);
}

double median_inplace(std::span<double> v) {
  if (v.empty()) return 0;
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + mid, v.end());
  const double hi = v[mid];
  if (v.size() % 2 == 1) return hi;
  const double lo = *std::max_element(v.begin(), v.begin() + mid);
  return (lo + hi) / 2;
}

double median_of(std::span<const double> v) {
  std::vector<double> copy(v.begin(), v.end());
  return median_inplace(copy);
}

double robust_sigma(std::span<const double> v, double center) {
  std::vector<double> dev;
  dev.reserve(v.size());
  for (double d : v) dev.push_back(std::abs(d - center));
  return 1.4826 * median_inplace(dev);
}

}  // namespace memlens::analysis
