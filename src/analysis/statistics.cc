#include "analysis/statistics.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "base/splitmix.h"

namespace pprof_trend {

double NoiseModel::Tolerance(double a, double b) const {
  double m = std::max(std::fabs(a), std::fabs(b));
  double rounding = 1e-9 * m;  // values are sums of integers; this only absorbs float error
  if (sampling_rate <= 0) return rounding;
  return kNoiseZ * std::sqrt(sampling_rate * m) + rounding;
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

double KendallPairs::Tau() const {
  const double ties = pairs - concordant - discordant;
  if (pairs == ties) return 0.0;
  return (concordant - discordant) / std::sqrt(pairs * (pairs - ties));
}

double KendallPairs::MannKendallZ(size_t n, const Segments& segments) const {
  double variance = 0;
  ForEachSegment(n, segments, [&](size_t first, size_t last) {
    const double m = static_cast<double>(last - first + 1);
    variance += m * (m - 1) * (2 * m + 5) / 18;
  });
  return variance > 0 ? (concordant - discordant) / std::sqrt(variance) : 0.0;
}

double NormalUpperTail(double z) { return 0.5 * std::erfc(z / std::sqrt(2.0)); }

double KendallTau(const std::vector<double>& y, const PairTolerance& tolerance, const Segments& segments) {
  return CountKendallPairs(y, tolerance, segments).Tau();
}

KendallPairs CountKendallPairs(const std::vector<double>& y, const PairTolerance& tolerance, const Segments& segments) {
  KendallPairs k;
  const size_t n = y.size();
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j) {
      if (!SameSegment(segments, i, j)) continue;
      k.pairs += 1;
      double d = y[j] - y[i];
      if (std::fabs(d) <= tolerance(i, j)) continue;
      (d > 0 ? k.concordant : k.discordant) += 1;
    }
  return k;
}

namespace {

// A Fenwick tree of counts over positions 0..n-1.
class Fenwick {
 public:
  explicit Fenwick(size_t n) : tree_(n + 1, 0) {}
  void Add(size_t position) {
    for (size_t i = position + 1; i < tree_.size(); i += i & (~i + 1)) ++tree_[i];
  }
  // How many were added at positions < end.
  int64_t CountBelow(size_t end) const {
    int64_t count = 0;
    for (size_t i = end; i > 0; i -= i & (~i + 1)) count += tree_[i];
    return count;
  }

 private:
  std::vector<int64_t> tree_;
};

// splitmix64: a fixed sequence, so a result never depends on the run.
uint64_t NextRandom(uint64_t& state) {
  const uint64_t z = SplitMix64(state);
  state += 0x9e3779b97f4a7c15ull;
  return z;
}

struct Run {
  size_t first, last;  // one process: captures first..last
};

std::vector<Run> Runs(size_t n, const Segments& segments) {
  std::vector<Run> runs;
  ForEachSegment(n, segments, [&](size_t first, size_t last) { runs.push_back({first, last}); });
  return runs;
}

// Pairs i < j of one run with x[i] < x[j] (x ascending).
int64_t DistinctXPairs(const std::vector<double>& x, Run run) {
  const auto size = static_cast<int64_t>(run.last - run.first + 1);
  int64_t pairs = size * (size - 1) / 2;
  for (size_t i = run.first; i <= run.last;) {
    size_t j = i;
    while (j + 1 <= run.last && x[j + 1] == x[i]) ++j;
    const auto equal = static_cast<int64_t>(j - i + 1);
    pairs -= equal * (equal - 1) / 2;
    i = j + 1;
  }
  return pairs;
}

// A run's points in order of y - θx, ties by index: ascending, or with
// `later_first` descending. Each point's y - θx is computed once and sorted
// beside its index (a comparison that computed both again read y and x at
// random for every comparison).
std::vector<size_t> OrderByLine(const std::vector<double>& y, const std::vector<double>& x, Run run, double theta,
                                bool later_first) {
  const size_t m = run.last - run.first + 1;
  // An index complemented sorts in reverse. Reused: this runs several times
  // for each node of a long series.
  thread_local std::vector<std::pair<double, size_t>> keyed;
  keyed.resize(m);
  for (size_t k = 0; k < m; ++k) {
    const size_t i = run.first + k;
    keyed[k] = {y[i] - theta * x[i], later_first ? ~i : i};
  }
  // Equal keys (-0.0 and 0.0 among them) fall to the index, as != would.
  std::sort(keyed.begin(), keyed.end(), [](const std::pair<double, size_t>& a, const std::pair<double, size_t>& b) {
    if (a.first != b.first) return a.first < b.first;
    return a.second < b.second;
  });
  std::vector<size_t> order(m);
  for (size_t k = 0; k < m; ++k) order[k] = later_first ? ~keyed[k].second : keyed[k].second;
  return order;
}

// A bottom-up merge sort of `work`: `right_first(u, v)` says whether v, of
// the right run, goes before u, of the left; each time it does,
// `on_right(work, a, mid, v)` is told, work[a..mid) being the left run's
// elements still waiting (all of them after v).
template <typename RightFirst, typename OnRight>
void MergeSort(std::vector<size_t> work, RightFirst right_first, OnRight on_right) {
  const size_t m = work.size();
  std::vector<size_t> scratch(m);
  for (size_t width = 1; width < m; width *= 2) {
    for (size_t left = 0; left < m; left += 2 * width) {
      const size_t mid = std::min(left + width, m), right = std::min(left + 2 * width, m);
      size_t a = left, b = mid, out = left;
      while (a < mid && b < right) {
        if (right_first(work[a], work[b])) {
          on_right(work, a, mid, work[b]);
          scratch[out++] = work[b++];
        } else {
          scratch[out++] = work[a++];
        }
      }
      while (a < mid) scratch[out++] = work[a++];
      while (b < right) scratch[out++] = work[b++];
    }
    std::swap(work, scratch);
  }
}

// Of one run's pairs (i before j in x, x[i] < x[j]) with slopes s_ij:
// counts those with s < lo (`below`) and those with lo <= s <= hi (`in`),
// and lists the latter into `inside` while it holds fewer than `budget`. A pair's slope
// is below θ exactly when y - θx falls from i to j, so: sort the points by
// y - lo*x (ties: smaller x first), count the pairs this puts out of x order
// (s < lo), then merge-sort that order by y - hi*x and list the pairs it
// does not reverse (s <= hi) among the rest.
void CountAndList(const std::vector<double>& y, const std::vector<double>& x, Run run, double lo, double hi,
                  int64_t& below, int64_t& in, std::vector<double>& inside, size_t budget) {
  auto z = [&](size_t k, double theta) { return y[k] - theta * x[k]; };
  const std::vector<size_t> order = OrderByLine(y, x, run, lo, false);  // ties: x ascending with the index
  // s < lo: pairs whose later point (larger x) comes first; merge sort by x.
  MergeSort(
      order, [&](size_t u, size_t v) { return x[v] < x[u]; },
      [&](const std::vector<size_t>&, size_t a, size_t mid, size_t) { below += static_cast<int64_t>(mid - a); });
  // lo <= s <= hi: u before v in `order` (so s_uv >= lo when x_u < x_v) and
  // y - hi*x not rising from u to v.
  MergeSort(
      order, [&](size_t u, size_t v) { return z(v, hi) <= z(u, hi); },
      [&](const std::vector<size_t>& work, size_t a, size_t mid, size_t v) {
        for (size_t k = a; k < mid; ++k) {
          const size_t u = work[k];
          if (x[u] < x[v]) {
            ++in;
            if (inside.size() < budget) inside.push_back((y[v] - y[u]) / (x[v] - x[u]));
          }
        }
      });
}

// Of one run's pairs (x[i] < x[j]), those with a slope below θ (`or_equal`:
// at most θ), in O(m log m): s_ij < θ exactly when y - θx falls from i to j,
// so sort the points by y - θx (ties: by x ascending for "below", descending
// for "at most", so that a tie is counted only then) and count the pairs
// that order puts out of x order.
int64_t CountSlopesBelow(const std::vector<double>& y, const std::vector<double>& x, Run run, double theta,
                         bool or_equal) {
  const std::vector<size_t> order = OrderByLine(y, x, run, theta, or_equal);
  int64_t count = 0;
  MergeSort(
      order, [&](size_t u, size_t v) { return x[v] < x[u]; },
      [&](const std::vector<size_t>&, size_t a, size_t mid, size_t) { count += static_cast<int64_t>(mid - a); });
  return count;
}

// The values of sorted `values` that repeat for at least 1% of them (and
// twice): the clumps of equal slopes a sample shows, ascending.
std::vector<double> Clumps(const std::vector<double>& values) {
  std::vector<double> out;
  const size_t least = std::max<size_t>(2, values.size() / 100);
  for (size_t i = 0; i < values.size();) {
    size_t j = i;
    while (j < values.size() && values[j] == values[i]) ++j;
    if (j - i >= least) out.push_back(values[i]);
    i = j;
  }
  return out;
}

}  // namespace

double TheilSenSlopeSorted(const std::vector<double>& y, const std::vector<double>& x, const Segments& segments) {
  const size_t n = y.size();
  if (!std::is_sorted(x.begin(), x.end())) return TheilSenSlope(y, x, segments);
  const std::vector<Run> runs = Runs(n, segments);
  std::vector<int64_t> run_pairs;
  int64_t total = 0;
  for (Run r : runs) total += run_pairs.emplace_back(DistinctXPairs(x, r));
  if (total == 0) return 0.0;
  // The median's ranks among the sorted slopes (Median's: the middle one, or
  // the mean of the middle two).
  const int64_t rank_lo = (total - 1) / 2, rank_hi = total / 2;
  // Slopes of random pairs (a run by its share of pairs, then two of its
  // points), sorted: their quantiles bracket the median.
  const size_t samples = std::max<size_t>(64, 2 * n);
  uint64_t state = 0x5eed0000ull + n;
  std::vector<double> sample;
  sample.reserve(samples);
  for (size_t attempt = 0; sample.size() < samples && attempt < 8 * samples; ++attempt) {
    auto pick = static_cast<int64_t>(NextRandom(state) % static_cast<uint64_t>(total));
    size_t r = 0;
    while (pick >= run_pairs[r]) pick -= run_pairs[r++];
    const size_t size = runs[r].last - runs[r].first + 1;
    size_t i = runs[r].first + NextRandom(state) % size, j = runs[r].first + NextRandom(state) % size;
    if (i > j) std::swap(i, j);
    if (x[i] == x[j]) continue;
    sample.push_back((y[j] - y[i]) / (x[j] - x[i]));
  }
  std::sort(sample.begin(), sample.end());
  // Every slope lies within +-(range of y)/(smallest step of x): the bracket
  // when a sample quantile would be past the ends.
  double smallest_step = HUGE_VAL;
  for (size_t i = 1; i < n; ++i)
    if (x[i] > x[i - 1]) smallest_step = std::min(smallest_step, x[i] - x[i - 1]);
  const auto [y_min, y_max] = std::minmax_element(y.begin(), y.end());
  const double bound = (*y_max - *y_min) / smallest_step * (1 + 1e-9) + 1;
  thread_local std::vector<double> inside;
  const size_t budget = std::max<size_t>(64 * n, static_cast<size_t>(total / 4));
  for (double z = 3; z <= 12 && !sample.empty(); z *= 2) {
    const double m = static_cast<double>(sample.size());
    auto at = [&](int64_t rank, double sign) {
      const double q = (static_cast<double>(rank) + 0.5) / static_cast<double>(total);
      const double k = q * m + sign * (z * std::sqrt(m * q * (1 - q)) + 1);
      if (k < 0) return -bound;
      if (k >= m) return bound;
      return sample[static_cast<size_t>(k)];
    };
    double lo = at(rank_lo, -1), hi = at(rank_hi, +1);
    // Clumps of equal slopes (a site absent from many captures: every pair
    // of its zeros has slope 0; a steady leak's pairs share its slope) in
    // the bracket would be listed pair by pair, quadratic in the captures:
    // counted instead, one holds the median, or the bracket leaves it out.
    for (const double v : Clumps(sample)) {
      if (v < lo || v > hi) continue;
      int64_t before = 0, through = 0;
      for (Run r : runs) {
        before += CountSlopesBelow(y, x, r, v, false);
        through += CountSlopesBelow(y, x, r, v, true);
      }
      if (before <= rank_lo && through > rank_hi) return v;
      if (through <= rank_lo) lo = std::nextafter(v, HUGE_VAL);
      if (before > rank_hi) hi = std::nextafter(v, -HUGE_VAL);
    }
    if (lo > hi) continue;
    int64_t below = 0, in = 0;
    inside.clear();
    for (Run r : runs) CountAndList(y, x, r, lo, hi, below, in, inside, budget);
    if (below > rank_lo || below + in <= rank_hi) continue;  // the median is outside: widen
    if (lo == hi) return lo;                                 // a clump of equal slopes (often 0) holds the median
    if (in > static_cast<int64_t>(budget)) break;            // a bracket this wide lists as many pairs as all of them
    auto nth = [&](int64_t rank) {
      auto it = inside.begin() + (rank - below);
      std::nth_element(inside.begin(), it, inside.end());
      return *it;
    };
    const double upper = nth(rank_hi);
    if (rank_lo == rank_hi) return upper;
    // nth_element left every smaller slope before it.
    const double lower = *std::max_element(inside.begin(), inside.begin() + (rank_hi - below));
    return (lower + upper) / 2;
  }
  return TheilSenSlope(y, x, segments);
}

double KendallTauSorted(const std::vector<double>& y, const std::vector<double>& tolerance, const Segments& segments) {
  return CountKendallPairsSorted(y, tolerance, segments).Tau();
}

KendallPairs CountKendallPairsSorted(const std::vector<double>& y, const std::vector<double>& tolerance,
                                     const Segments& segments) {
  double concordant = 0, discordant = 0, pairs = 0;
  std::vector<double> upper, lower;
  ForEachSegment(y.size(), segments, [&](size_t first, size_t last) {
    const size_t m = last - first + 1;
    pairs += static_cast<double>(m) * static_cast<double>(m - 1) / 2;
    // i < j concordant: y[j] - y[i] > tol[j]; discordant: y[i] - y[j] > tol[i].
    upper.assign(m, 0);
    lower.assign(m, 0);
    for (size_t k = 0; k < m; ++k) {
      upper[k] = y[first + k];
      lower[k] = y[first + k] - tolerance[first + k];
    }
    std::vector<double> upper_sorted = upper, lower_sorted = lower;
    std::sort(upper_sorted.begin(), upper_sorted.end());
    std::sort(lower_sorted.begin(), lower_sorted.end());
    Fenwick ups(m), lows(m);
    for (size_t k = 0; k < m; ++k) {
      const double v = y[first + k];
      // Earlier captures below v by more than its tolerance, and those above
      // it by more than their own.
      const double rise_from = v - tolerance[first + k];
      concordant += static_cast<double>(ups.CountBelow(static_cast<size_t>(
          std::lower_bound(upper_sorted.begin(), upper_sorted.end(), rise_from) - upper_sorted.begin())));
      discordant += static_cast<double>(k) -
                    static_cast<double>(lows.CountBelow(static_cast<size_t>(
                        std::upper_bound(lower_sorted.begin(), lower_sorted.end(), v) - lower_sorted.begin())));
      ups.Add(static_cast<size_t>(std::lower_bound(upper_sorted.begin(), upper_sorted.end(), upper[k]) -
                                  upper_sorted.begin()));
      lows.Add(static_cast<size_t>(std::lower_bound(lower_sorted.begin(), lower_sorted.end(), lower[k]) -
                                   lower_sorted.begin()));
    }
  });
  return KendallPairs{concordant, discordant, pairs};
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
