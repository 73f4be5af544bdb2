#include "analysis/residence.h"

#include <cmath>

#include "analysis/statistics.h"

namespace pprof_trend {

const char* ResidenceTrendName(Residence::Trend t) {
  switch (t) {
    case Residence::Trend::kRising: return "rising";
    case Residence::Trend::kLevel: return "level";
    case Residence::Trend::kFalling: return "falling";
  }
  return "level";
}

std::optional<Residence> ResidenceOf(const TrendResult& trend, const TrendNode& node, const NodeSeries& series) {
  const size_t n = series.objects.size();
  if (node.kind != TrendNode::Kind::kSite || series.alloc_objects.size() != n || trend.seconds.size() != n ||
      trend.rates_guessed || trend.aligned.objects_type_name.empty() || n < 2)
    return std::nullopt;
  // Sampled counts: the probability of the site's (dominant) object size.
  const double p = node.size.objects_estimated ? node.size.sample_probability : 1.0;
  auto sd = [&](double count) { return p >= 1 ? 0.0 : std::sqrt(SampledCountVariance(std::fabs(count), p)); };
  Residence r;
  r.seconds.assign(n, std::nullopt);
  r.error95.assign(n, std::nullopt);
  bool any = false;
  for (size_t k = 1; k < n; ++k) {
    if (!SameSegment(trend.segments, k - 1, k)) continue;  // a new process: its counters start again
    const double dt = trend.seconds[k] - trend.seconds[k - 1];
    const double allocated = series.alloc_objects[k] - series.alloc_objects[k - 1];
    if (dt <= 0 || allocated <= 0) continue;
    const double in_use = (series.objects[k - 1] + series.objects[k]) / 2;
    const double w = std::max(0.0, in_use) * dt / allocated;
    // The ratio's relative error from both counts' (their covariance, the
    // objects allocated in the interval and still in use, only narrows it:
    // left out, the interval is wide rather than narrow).
    const double in_use_sd = (sd(series.objects[k - 1]) + sd(series.objects[k])) / 2;
    const double relative =
        std::sqrt(std::pow(in_use > 0 ? in_use_sd / in_use : 0.0, 2) + std::pow(sd(allocated) / allocated, 2));
    r.seconds[k] = w;
    r.error95[k] = kInterval95 * w * relative;
    any = true;
  }
  if (!any) return std::nullopt;
  // The trend over the last process's residences.
  std::optional<size_t> first, last;
  for (size_t k = n; k-- > 0;) {
    if (!r.seconds[k]) continue;
    if (last && !SameSegment(trend.segments, k, *last)) break;
    if (!last) last = k;
    first = k;
  }
  if (first && last && *first != *last) {
    const double change = *r.seconds[*last] - *r.seconds[*first];
    const double noise = kNoiseZ * std::hypot(*r.error95[*first], *r.error95[*last]) / kInterval95;
    // Level only when the estimates are precise enough to say so: the
    // change's noise under a quarter of the residence (else no verdict).
    const double mean = (*r.seconds[*first] + *r.seconds[*last]) / 2;
    if (change > noise) {
      r.trend = Residence::Trend::kRising;
    } else if (change < -noise) {
      r.trend = Residence::Trend::kFalling;
    } else if (noise < 0.25 * mean) {
      r.trend = Residence::Trend::kLevel;
    }
  }
  return r;
}

}  // namespace pprof_trend
