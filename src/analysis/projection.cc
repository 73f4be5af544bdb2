#include "analysis/projection.h"

#include <algorithm>
#include <cmath>

namespace pprof_trend {
namespace {

double MedianOf(std::vector<double>& v) {
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  const double upper = v[mid];
  if (v.size() % 2 == 1) return upper;
  return (*std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid)) + upper) / 2;
}

// The shares of the total's rate the growing sites carry.
std::vector<Projection::Contributor> Contributors(const TrendResult& trend) {
  std::vector<Projection::Contributor> out;
  const std::optional<double> total = trend.total.per_day;
  if (!total || *total <= 0) return out;
  for (const TrendNode& site : trend.sites) {
    if (!site.stats.per_day || *site.stats.per_day <= 0 || !site.stats.beyond_noise) continue;
    const double share = std::min(1.0, *site.stats.per_day / *total);
    if (share >= Projection::kMinShare) out.push_back({&site, share});
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.share > b.share; });
  if (out.size() > Projection::kMaxContributors) out.resize(Projection::kMaxContributors);
  return out;
}

}  // namespace

SenSlope SenSlopeInterval(const std::vector<double>& x, const std::vector<double>& y) {
  const size_t n = x.size();
  std::vector<double> slopes;
  slopes.reserve(n * (n - 1) / 2);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j)
      if (x[j] != x[i]) slopes.push_back((y[j] - y[i]) / (x[j] - x[i]));
  SenSlope out;
  if (slopes.empty()) return out;
  std::sort(slopes.begin(), slopes.end());
  const double m = static_cast<double>(slopes.size());
  out.slope = slopes.size() % 2 == 1 ? slopes[slopes.size() / 2]
                                     : (slopes[slopes.size() / 2 - 1] + slopes[slopes.size() / 2]) / 2;
  // Sen (1968): the slopes of ranks (M - C)/2 and (M + C)/2 + 1 (1-based),
  // C = z * sqrt(Var S), Var S = n(n-1)(2n+5)/18 without ties.
  const double nd = static_cast<double>(n);
  const double c = 1.959964 * std::sqrt(nd * (nd - 1) * (2 * nd + 5) / 18);
  const double lower_rank = std::floor((m - c) / 2), upper_rank = std::ceil((m + c) / 2) + 1;
  out.low = lower_rank >= 1 ? slopes[static_cast<size_t>(lower_rank) - 1] : -INFINITY;
  out.high = upper_rank <= m ? slopes[static_cast<size_t>(upper_rank) - 1] : INFINITY;
  std::vector<double> intercepts(n);
  for (size_t i = 0; i < n; ++i) intercepts[i] = y[i] - out.slope * x[i];
  out.intercept = MedianOf(intercepts);
  return out;
}

std::string NotProjectable(const AlignedProfiles& aligned) {
  if (aligned.cumulative)
    return "--limit projects the memory in use; " + aligned.value_type_name +
           " counts every allocation since the process started (--sample-index inuse_space)";
  if (aligned.value_unit != "bytes")
    return "--limit projects the memory in use in bytes; the ranked type is " + aligned.value_type_name + " (" +
           aligned.value_unit + ")";
  return "";
}

Projection ProjectToLimit(const TrendResult& trend, double limit) {
  Projection p;
  p.limit = limit;
  p.times_guessed = trend.rates_guessed;
  const auto& captures = trend.aligned.captures;
  const size_t n = captures.size();
  if (trend.seconds.size() != n || n == 0) {
    p.outcome = Projection::Outcome::kNoTimes;
    return p;
  }
  // The last process's captures (all of them when the processes are unknown).
  size_t first = n - 1;
  if (!trend.EachCaptureOwnProcess())
    while (first > 0 && SameSegment(trend.segments, first - 1, n - 1)) --first;
  if (n - first > Projection::kMaxCaptures) {
    first = n - Projection::kMaxCaptures;
    p.whole_process = false;
  }
  p.first_capture = first;
  p.captures = n - first;
  if (p.captures < Projection::kMinCaptures) {
    p.outcome = Projection::Outcome::kTooFew;
    return p;
  }
  auto every = [&](int64_t ProcessMemory::*field) {
    for (size_t i = first; i < n; ++i)
      if (captures[i].process_memory.*field < 0) return false;
    return true;
  };
  p.measure = every(&ProcessMemory::cgroup_current) ? Projection::Measure::kCgroup
              : every(&ProcessMemory::rss)          ? Projection::Measure::kRss
                                                    : Projection::Measure::kInUse;
  std::vector<double> x, y;
  for (size_t i = first; i < n; ++i) {
    x.push_back(trend.seconds[i]);
    const ProcessMemory& m = captures[i].process_memory;
    y.push_back(static_cast<double>(p.measure == Projection::Measure::kCgroup ? m.cgroup_current
                                    : p.measure == Projection::Measure::kRss  ? m.rss
                                                                              : captures[i].total_value));
  }
  const SenSlope fit = SenSlopeInterval(x, y);
  p.rate = fit.slope, p.rate_low = fit.low, p.rate_high = fit.high;
  p.level = fit.intercept + fit.slope * x.back();
  p.contributors = Contributors(trend);
  if (p.level >= limit) {
    p.outcome = Projection::Outcome::kOver;
    return p;
  }
  if (p.rate <= 0) {
    p.outcome = Projection::Outcome::kNotGrowing;
    return p;
  }
  // A growth that stopped: no upward slope over the last third (six
  // captures at least, so that noise alone seldom looks flat).
  const size_t recent = p.captures / 3;
  if (recent >= 6) {
    const std::vector<double> rx(x.end() - static_cast<std::ptrdiff_t>(recent), x.end());
    const std::vector<double> ry(y.end() - static_cast<std::ptrdiff_t>(recent), y.end());
    if (SenSlopeInterval(rx, ry).slope <= 0) {
      p.outcome = Projection::Outcome::kPlateau;
      p.plateau_captures = recent;
      return p;
    }
  }
  p.outcome = Projection::Outcome::kReaches;
  p.seconds = (limit - p.level) / p.rate;
  // The interval turns the line about the series' middle (where the fit is
  // surest), not about its last capture: a line of another slope in the
  // rate's interval is another level at the end too.
  // The middle's own error: 95% of the median of the residuals' scatter
  // (1.4826 MAD estimates their sd; a median's sd is 1.2533 sd / sqrt(n)).
  const double x_mid = x[x.size() / 2], y_mid = fit.intercept + fit.slope * x_mid;
  std::vector<double> residuals(x.size());
  for (size_t i = 0; i < x.size(); ++i) residuals[i] = std::abs(y[i] - fit.intercept - fit.slope * x[i]);
  const double mid_error = 1.959964 * 1.2533 * 1.4826 * MedianOf(residuals) / std::sqrt(static_cast<double>(x.size()));
  auto seconds_at = [&](double rate, double y0) { return x_mid + (limit - y0) / rate - x.back(); };
  p.seconds_low = std::isfinite(p.rate_high) ? std::max(0.0, seconds_at(p.rate_high, y_mid + mid_error)) : 0;
  if (p.rate_low > 0) p.seconds_high = seconds_at(p.rate_low, y_mid - mid_error);
  p.reaches_at_nanos =
      captures.back().time_nanos + static_cast<int64_t>(std::min(p.seconds, 1e11) * 1e9);  // capped at ~3,000 years
  return p;
}

}  // namespace pprof_trend
