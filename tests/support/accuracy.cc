#include "support/accuracy.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "analysis/align.h"
#include "analysis/trend.h"
#include "support/heap_simulator.h"

namespace pprof_trend::sim {

double Accuracy::Rate(const std::string& pattern, const std::string& cls) const {
  auto s = sites.find(pattern);
  if (s == sites.end() || s->second == 0) return 0;
  auto c = classes.find(pattern);
  if (c == classes.end()) return 0;
  auto n = c->second.find(cls);
  return n == c->second.end() ? 0 : static_cast<double>(n->second) / static_cast<double>(s->second);
}

double Accuracy::RecallDetectable() const {
  size_t all = 0, found = 0;
  for (int b = 2; b < 5; ++b) {
    all += leaks_by_signal[b];
    found += found_by_signal[b];
  }
  return all == 0 ? 0 : static_cast<double>(found) / static_cast<double>(all);
}

double Accuracy::FalseGrowing() const {
  size_t all = 0, wrong = 0;
  for (const char* p : {"flat", "spike", "churn", "shrink"}) {
    auto s = sites.find(p);
    if (s == sites.end()) continue;
    all += s->second;
    auto c = classes.find(p);
    if (c != classes.end() && c->second.count("growing")) wrong += c->second.at("growing");
  }
  return all == 0 ? 0 : static_cast<double>(wrong) / static_cast<double>(all);
}

double Accuracy::FalseRankedAsGrowth() const {
  size_t all = 0;
  for (const char* p : {"flat", "spike", "churn", "shrink"}) {
    auto s = sites.find(p);
    if (s != sites.end()) all += s->second;
  }
  return all == 0 ? 0 : static_cast<double>(ranked_as_growth_false) / static_cast<double>(all);
}

std::string Accuracy::Table() const {
  std::string out = fmt::format("{} simulated series\n\n{:<8} {:>6}", series, "pattern", "sites");
  const char* cls[] = {"growing", "plateaued", "step", "fluctuating", "stable", "shrinking", "new", "gone", "moved"};
  for (const char* c : cls) out += fmt::format(" {:>11}", c);
  out += "\n";
  for (const char* p : {"leak", "plateau", "spike", "churn", "flat", "shrink"}) {
    auto s = sites.find(p);
    if (s == sites.end()) continue;
    out += fmt::format("{:<8} {:>6}", p, s->second);
    for (const char* c : cls) out += fmt::format(" {:>10.1f}%", 100 * Rate(p, c));
    out += "\n";
  }
  out += fmt::format("\nrecall of leaks (classed growing)        {:6.1f}%\n", 100 * Recall());
  const char* bins[] = {"E < 3", "3 <= E < 10", "10 <= E < 30", "30 <= E < 100", "E >= 100"};
  for (int b = 0; b < 5; ++b)
    out += fmt::format("  leaks whose sampled new objects {:<14}{:6.1f}% of {}\n", bins[b],
                       leaks_by_signal[b] == 0
                           ? 0.0
                           : 100.0 * static_cast<double>(found_by_signal[b]) / static_cast<double>(leaks_by_signal[b]),
                       leaks_by_signal[b]);
  out += fmt::format("recall of detectable leaks (E >= 10)     {:6.1f}%\n", 100 * RecallDetectable());
  out += fmt::format("  of those churning at most 30% per step {:6.1f}% of {}\n", 100 * RecallCalm(), calm_detectable);
  const char* z_bins[] = {"below 2", "2 to 4", "4 or more"};
  for (int b = 0; b < 3; ++b)
    out += fmt::format(
        "  leaks whose expected z {:<23}{:6.1f}% of {}\n", z_bins[b],
        leaks_by_z[b] == 0 ? 0.0 : 100.0 * static_cast<double>(found_by_z[b]) / static_cast<double>(leaks_by_z[b]),
        leaks_by_z[b]);
  out += fmt::format("precision of growing (leaks or plateaus) {:6.1f}%\n", 100 * Precision());
  out += fmt::format("false growing on flat/spike/churn/shrink {:6.2f}%\n", 100 * FalseGrowing());
  out += fmt::format("  ranked as growth (any class)           {:6.2f}%\n", 100 * FalseRankedAsGrowth());
  out += fmt::format("plateaus classed plateaued               {:6.1f}%\n", 100 * Rate("plateau", "plateaued"));
  out += fmt::format("  of one process, E >= 10                {:6.1f}% of {}\n", 100 * PlateausRecognised(),
                     plateaus_visible);
  out += fmt::format("rank 1 is a leak or plateau (with a leak) {:5.1f}%\n",
                     rank1 == 0 ? 0.0 : 100.0 * static_cast<double>(rank1_leak) / static_cast<double>(rank1));
  out += fmt::format("95% intervals of estimated object changes holding the truth {:6.1f}% ({} intervals)\n",
                     100 * Coverage(), intervals);
  out += fmt::format("95% intervals of estimated byte changes holding the truth   {:6.1f}% ({} intervals)\n",
                     100 * BytesCoverage(), byte_intervals);
  return out;
}

std::optional<TrendResult> TrendOf(const Series& series) {
  Aligner aligner(AlignOptions{}, series.profiles.size());
  for (size_t i = 0; i < series.profiles.size(); ++i)
    if (!aligner.Add(i, series.profiles[i]).ok()) return std::nullopt;
  return ComputeTrends(std::move(aligner).Finish(false));
}

Accuracy MeasureAccuracy(uint64_t first_seed, size_t count) {
  Accuracy acc;
  std::mt19937_64 rng(first_seed * 7919 + 17);
  for (size_t n = 0; n < count; ++n) {
    const SeriesSpec spec = RandomSeries(rng, first_seed + n);
    Series series = Simulate(spec);
    std::optional<TrendResult> trend = TrendOf(series);
    if (!trend) continue;
    const TrendResult& t = *trend;
    ++acc.series;
    bool has_leak = false;
    for (const SiteSpec& s : spec.sites) has_leak = has_leak || s.pattern == Pattern::kLeak;
    for (size_t rank = 0; rank < t.sites.size(); ++rank) {
      const TrendNode& node = t.sites[rank];
      const std::string name = t.aligned.frames[node.name_frame].function;
      const size_t index = std::stoul(name.substr(name.find("site") + 4));
      const SiteSpec& site = spec.sites[index];
      const std::string pattern = PatternName(site.pattern);
      const std::string cls(TrendClassName(node.stats.trend_class));
      ++acc.sites[pattern];
      ++acc.classes[pattern][cls];
      if (Grew(node) && site.pattern != Pattern::kLeak && site.pattern != Pattern::kPlateau)
        ++acc.ranked_as_growth_false;
      if (cls == "growing") {
        ++acc.growing;
        if (site.pattern == Pattern::kLeak || site.pattern == Pattern::kPlateau) ++acc.growing_true;
      }
      if (rank == 0 && has_leak) {
        ++acc.rank1;
        if (site.pattern == Pattern::kLeak || site.pattern == Pattern::kPlateau) ++acc.rank1_leak;
      }
      const double p = -std::expm1(-static_cast<double>(site.size) / static_cast<double>(spec.rate));
      const double expected = site.step * (spec.captures - 1) * p;
      if (site.pattern == Pattern::kLeak) {
        const int bin = expected < 3 ? 0 : expected < 10 ? 1 : expected < 30 ? 2 : expected < 100 ? 3 : 4;
        ++acc.leaks_by_signal[bin];
        if (cls == "growing") ++acc.found_by_signal[bin];
        // Sampled allocations and frees over the series: the leak's, and the
        // churn's (turnover x the level, allocated and freed, each step).
        double level = 0;
        for (int k = 1; k < spec.captures; ++k) level += site.base + site.step * k;
        const double z = expected / std::sqrt(expected + 2 * site.turnover * level * p + 1);
        const int z_bin = z < 2 ? 0 : z < 4 ? 1 : 2;
        ++acc.leaks_by_z[z_bin];
        if (cls == "growing") ++acc.found_by_z[z_bin];
        if (site.turnover <= 0.3 && expected >= 10) {
          ++acc.calm_detectable;
          if (cls == "growing") ++acc.calm_found;
        }
      }
      if (site.pattern == Pattern::kPlateau && spec.restart_at < 0 && expected >= 10) {
        ++acc.plateaus_visible;
        if (cls == "plateaued") ++acc.plateaus_found;
      }
      // The interval of an estimated change in objects: the growth within
      // each process (across a restart, each process's own).
      if (node.size.objects_estimated && node.delta_objects_error95) {
        const auto& alive = series.alive[index];
        double truth = static_cast<double>(alive.back() - alive.front());
        if (spec.restart_at > 0 && !t.restarts.empty())
          truth = static_cast<double>(alive[static_cast<size_t>(spec.restart_at) - 1] - alive.front() + alive.back() -
                                      alive[static_cast<size_t>(spec.restart_at)]);
        ++acc.intervals;
        if (std::fabs(GrowthObjects(t, node) - truth) <= *node.delta_objects_error95) ++acc.covered;
        const auto& bytes = series.bytes[index];
        double bytes_truth = static_cast<double>(bytes.back() - bytes.front());
        if (spec.restart_at > 0 && !t.restarts.empty())
          bytes_truth = static_cast<double>(bytes[static_cast<size_t>(spec.restart_at) - 1] - bytes.front() +
                                            bytes.back() - bytes[static_cast<size_t>(spec.restart_at)]);
        if (node.delta_error95) {
          ++acc.byte_intervals;
          if (std::fabs(Growth(t, node) - bytes_truth) <= *node.delta_error95) ++acc.bytes_covered;
        }
      }
    }
  }
  return acc;
}

std::string NullResult::Table() const {
  return fmt::format(
      "{} series of {} sites in which nothing leaks: {} sites called growth (growing, plateaued, step, new) in {} "
      "series; {} sites grew beyond 2 standard deviations alone, {} of them withdrawn by the false-discovery "
      "control\n",
      series, sites / std::max<size_t>(1, series), false_growth, series_with_false_growth, candidates, withdrawn);
}

NullResult MeasureNull(uint64_t first_seed, size_t count, size_t sites) {
  NullResult r;
  std::mt19937_64 rng(first_seed * 104729 + 3);
  for (size_t n = 0; n < count; ++n) {
    std::optional<TrendResult> trend = TrendOf(Simulate(RandomNullSeries(rng, first_seed + n, sites)));
    if (!trend) continue;
    const TrendResult& t = *trend;
    ++r.series;
    r.sites += t.sites.size();
    r.candidates += t.site_discoveries.candidates;
    r.withdrawn += t.site_discoveries.withdrawn;
    size_t wrong = 0;
    for (const TrendNode& node : t.sites)
      if (Grew(node)) ++wrong;
    r.false_growth += wrong;
    if (wrong > 0) ++r.series_with_false_growth;
  }
  return r;
}

}  // namespace pprof_trend::sim
