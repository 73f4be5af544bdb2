#include "analysis/statistics.h"

#include <algorithm>
#include <cmath>

namespace pprof_trend {

double NoiseModel::Tolerance(double a, double b) const {
  double m = std::max(std::fabs(a), std::fabs(b));
  double rounding = 1e-9 * m;  // values are sums of integers; this only absorbs float error
  if (sampling_rate <= 0) return rounding;
  return 2.0 * std::sqrt(sampling_rate * m) + rounding;
}

double Median(std::vector<double>& v) {
  size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<long>(mid), v.end());
  double upper = v[mid];
  if (v.size() % 2 == 1) return upper;
  double lower = *std::max_element(v.begin(), v.begin() + static_cast<long>(mid));
  return (lower + upper) / 2;
}

double TheilSenSlope(const std::vector<double>& y, const std::vector<double>& x, const Segments& segments) {
  thread_local std::vector<double> slopes;  // reused: this runs once per node
  slopes.clear();
  for (size_t i = 0; i < y.size(); ++i)
    for (size_t j = i + 1; j < y.size(); ++j)
      if (x[j] != x[i] && SameSegment(segments, i, j)) slopes.push_back((y[j] - y[i]) / (x[j] - x[i]));
  return slopes.empty() ? 0.0 : Median(slopes);
}

double KendallTau(const std::vector<double>& y, const NoiseModel& noise) {
  return KendallTau(y, [&](size_t i, size_t j) { return noise.Tolerance(y[i], y[j]); });
}

double KendallTau(const std::vector<double>& y, const PairTolerance& tolerance, const Segments& segments) {
  double concordant = 0, discordant = 0, ties = 0, pairs = 0;
  const size_t n = y.size();
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j) {
      if (!SameSegment(segments, i, j)) continue;
      pairs += 1;
      double d = y[j] - y[i];
      if (std::fabs(d) <= tolerance(i, j)) {
        ties += 1;
      } else if (d > 0) {
        concordant += 1;
      } else {
        discordant += 1;
      }
    }
  if (pairs == ties) return 0.0;
  return (concordant - discordant) / std::sqrt(pairs * (pairs - ties));
}

std::optional<double> OlsSlope(const std::vector<double>& y, const std::vector<double>& x) {
  const double n = static_cast<double>(x.size());
  double mx = 0, my = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  double sxx = 0, sxy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxx += (x[i] - mx) * (x[i] - mx);
    sxy += (x[i] - mx) * (y[i] - my);
  }
  if (sxx <= 0) return std::nullopt;
  return sxy / sxx;
}

}  // namespace pprof_trend
