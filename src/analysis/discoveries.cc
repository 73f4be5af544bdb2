#include "analysis/discoveries.h"

#include <algorithm>

namespace pprof_trend {

TrendResult::Discoveries ControlFalseDiscoveries(std::vector<TrendNode>& nodes) {
  TrendResult::Discoveries d;
  d.tested = nodes.size();
  std::vector<double> p;
  for (const TrendNode& n : nodes)
    if (n.stats.beyond_noise) p.push_back(n.stats.growth_p);
  d.candidates = p.size();
  if (p.empty()) return d;
  // The nodes outside the candidates have p-values above every candidate's
  // (their z is under kNoiseZ), so the k-th smallest p-values are the
  // candidates' for every k that can pass.
  std::sort(p.begin(), p.end());
  const double m = static_cast<double>(d.tested);
  for (size_t k = p.size(); k >= 1; --k)
    if (p[k - 1] <= kFalseDiscoveryRate * static_cast<double>(k) / m) {
      d.p_threshold = p[k - 1];
      break;
    }
  for (TrendNode& n : nodes) {
    if (!n.stats.beyond_noise || n.stats.growth_p <= d.p_threshold) continue;
    ++d.withdrawn;
    n.stats.beyond_noise = false;
    n.stats.step_capture.reset();
    switch (n.stats.trend_class) {
      case TrendClass::kGrowing:
      case TrendClass::kPlateaued:
      case TrendClass::kStep:
      case TrendClass::kNew: n.stats.trend_class = WithinNoiseClass(n.stats); break;
      default: break;
    }
  }
  return d;
}

}  // namespace pprof_trend
