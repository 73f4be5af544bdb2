// The statistics the trend engine is built from, each a pure function of a
// series: the sampling-noise model, the Theil-Sen slope, Kendall's tau-b and
// the least-squares slope. See src/analysis/README.md.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace pprof_trend {

// A change counts when it is beyond this many standard deviations of the
// sampling noise (about 95% of noise-only changes stay within it).
inline constexpr double kNoiseZ = 2.0;
// Intervals are 95%: 1.96 standard deviations.
inline constexpr double kInterval95 = 1.959964;

// How far two sampled values may differ by sampling noise alone.
struct NoiseModel {
  double sampling_rate = 0;  // bytes; 0: exact values
  // Two captures a and b: 2*sqrt(rate*max(|a|,|b|)), about two standard
  // deviations of a sampled estimate (plus float rounding).
  double Tolerance(double a, double b) const;
};

// How far captures i and j of one series may differ by sampling alone.
using PairTolerance = std::function<double(size_t i, size_t j)>;

// The captures' processes: segment[k] numbers the process capture k was taken
// from (a restart starts a new one). Empty: one process, or unknown. Pairs
// across a restart are left out of the slope and of Kendall's tau.
using Segments = std::vector<uint32_t>;
inline bool SameSegment(const Segments& s, size_t i, size_t j) { return s.empty() || s[i] == s[j]; }
// Calls visit(first, last) for each run of captures of one process, in order.
template <typename Visit>
void ForEachSegment(size_t n, const Segments& segments, Visit visit) {
  for (size_t first = 0; first < n;) {
    size_t last = first;
    while (last + 1 < n && SameSegment(segments, first, last + 1)) ++last;
    visit(first, last);
    first = last + 1;
  }
}

// The variance of a count of `objects` estimated from samples, each object
// sampled with probability p and the count scaled by 1/p: objects(1-p)/p,
// and at least one sampled event's worth (1/p objects), so that a count that
// saw no sample never looks exact. (Until the second round of statistics it
// added that event to every count: intervals held the truth 98% of the time
// instead of 95%, and leaks of a few samples went unseen.)
inline double SampledCountVariance(double objects, double p) { return std::max(objects, 1 / p) * (1 - p) / p; }

// The median of `v` (reorders it). `v` must not be empty.
double Median(std::vector<double>& v);

// Series of up to this many captures are judged over every pair of captures
// (O(n^2)); longer ones by the O(n log n) methods below, which give the same
// slope (up to the rounding of the slopes) and a tau whose ties are judged
// with one tolerance per capture instead of one per pair. src/analysis/README.md "Long
// series".
inline constexpr size_t kAllPairsUpTo = 128;

// Theil-Sen: the median of the slopes between every pair of points; 0 when
// x never varies. One outlier cannot drag it.
double TheilSenSlope(const std::vector<double>& y, const std::vector<double>& x, const Segments& segments = {});
// The same median found without listing every pair, for x in ascending order
// (falls back to TheilSenSlope otherwise): the slopes of 2n random pairs
// bracket it, the pairs below the bracket are counted as inversions of a
// sort (O(n log n)), and the pairs inside it (about 3n^2/(2 sqrt(2n)) of
// them) are listed and the median picked among them. Exact but for the
// rounding of slopes within an ulp of the bracket's ends; deterministic.
double TheilSenSlopeSorted(const std::vector<double>& y, const std::vector<double>& x, const Segments& segments = {});

// The pairs Kendall's tau is made of: concordant (rose beyond the pair's
// tolerance), discordant (fell beyond it), and all pairs that count (within
// one segment); the rest are ties.
struct KendallPairs {
  double concordant = 0, discordant = 0, pairs = 0;
  double Tau() const;  // tau-b: (C - D) / sqrt(pairs (pairs - ties)); 0 when every pair ties
  // Mann-Kendall's S = C - D over its standard deviation under "no trend",
  // for a series of n captures in `segments`, with the variance of the pairs
  // that count: sum over the segments of m(m-1)(2m+5)/18 (ties only make it
  // smaller). 0 without a pair.
  double MannKendallZ(size_t n, const Segments& segments) const;
};

// Kendall's tau-b of y against its order; pairs within `noise` are ties.
double KendallTau(const std::vector<double>& y, const NoiseModel& noise);
// The same with a tolerance per pair, over pairs within one segment.
double KendallTau(const std::vector<double>& y, const PairTolerance& tolerance, const Segments& segments = {});
KendallPairs CountKendallPairs(const std::vector<double>& y, const PairTolerance& tolerance,
                               const Segments& segments = {});

// Kendall's tau-b in O(n log n) (two Fenwick trees per process): a pair
// ties when its change is within the tolerance of its higher capture
// (tolerance[k] per capture; in trend: the larger of its two steps'), instead
// of the pair's own. For a noise that grows with the level (NoiseModel) that
// is the pair's own tolerance.
double KendallTauSorted(const std::vector<double>& y, const std::vector<double>& tolerance,
                        const Segments& segments = {});
KendallPairs CountKendallPairsSorted(const std::vector<double>& y, const std::vector<double>& tolerance,
                                     const Segments& segments = {});

// The upper tail of the standard normal: P(Z > z).
double NormalUpperTail(double z);

// Ordinary least squares slope of y on x; none when x does not vary.
std::optional<double> OlsSlope(const std::vector<double>& y, const std::vector<double>& x);

}  // namespace pprof_trend
