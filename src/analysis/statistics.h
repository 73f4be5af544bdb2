// The statistics the trend engine is built from, each a pure function of a
// series: the sampling-noise model, the Theil-Sen slope, Kendall's tau-b and
// the least-squares slope. See README "How the trend is computed".
#pragma once

#include <optional>
#include <vector>

namespace pprof_trend {

// How far two sampled values may differ by sampling noise alone.
struct NoiseModel {
  double sampling_rate = 0;  // bytes; 0: exact values
  // Two captures a and b: 2*sqrt(rate*max(|a|,|b|)), about two standard
  // deviations of a sampled estimate (plus float rounding).
  double Tolerance(double a, double b) const;
};

// The median of `v` (reorders it). `v` must not be empty.
double Median(std::vector<double>& v);

// Theil-Sen: the median of the slopes between every pair of points; 0 when
// x never varies. One outlier cannot drag it.
double TheilSenSlope(const std::vector<double>& y, const std::vector<double>& x);

// Kendall's tau-b of y against its order; pairs within `noise` are ties.
double KendallTau(const std::vector<double>& y, const NoiseModel& noise);

// Ordinary least squares slope of y on x; none when x does not vary.
std::optional<double> OlsSlope(const std::vector<double>& y, const std::vector<double>& x);

}  // namespace pprof_trend
